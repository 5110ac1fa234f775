"""The roles a user can hold, and the groups of roles that pages admit.

A user holds exactly one role. Pages declare the roles they admit with
``smartnet.access.role_required``; anything else is refused.
"""

from django.db import models


class Role(models.TextChoices):
    STAFF_ADMIN = "staff_admin", "Staff admin"
    FINANCE = "finance", "Finance staff"
    TRAINING = "training", "Training staff"
    MATERIALS = "materials", "Materials staff"
    TRUSTEE = "trustee", "Trustee"
    PARTNER_CONTACT = "partner_contact", "Partner contact"
    COMMISSIONER_CONTACT = "commissioner_contact", "Commissioner contact"
    FACILITATOR = "facilitator", "Facilitator"


STAFF_ROLES = frozenset({Role.STAFF_ADMIN, Role.FINANCE, Role.TRAINING, Role.MATERIALS})
PORTAL_ROLES = frozenset({Role.PARTNER_CONTACT, Role.COMMISSIONER_CONTACT})
ALL_ROLES = frozenset(Role)
# Who may see that someone is a peer (in recovery: health data), and so any
# person's name beside a meeting's leadership, a peer role or a course.
PEER_VIEW_ROLES = frozenset({Role.STAFF_ADMIN, Role.TRAINING})
