"""Who may see and change meetings.

Staff (every staff role) read the register; admins and training staff change
it. The portal sees only meetings at its organisations' sites (or hosted by
them) through ``meetings_for_portal``, so another partner's meeting is a 404;
a facilitator sees only the meetings they lead now (``meetings_facilitated_by``).
"""

from django.db.models import Q, QuerySet

from meetings.models import Meeting
from meetings.selectors import meetings_for_facilitator
from partners.access import organisations_for_user, sites_for_user
from smartnet.roles import STAFF_ROLES, Role

MEETING_VIEWERS = STAFF_ROLES
MEETING_EDITORS = frozenset({Role.STAFF_ADMIN, Role.TRAINING})


def meetings_for_portal(user) -> QuerySet[Meeting]:
    """Meetings at the user's organisations' sites or hosted by them (for a
    commissioner contact: at sites in the areas it covers)."""
    sites = sites_for_user(user)
    if user.role == Role.COMMISSIONER_CONTACT:
        return Meeting.objects.filter(site__in=sites)
    return Meeting.objects.filter(Q(site__in=sites) | Q(host__in=organisations_for_user(user)))


def meetings_facilitated_by(user) -> QuerySet[Meeting]:
    """The meetings a facilitator's account leads now (another facilitator's
    meeting is not among them: a 404); none for an account linked to no
    person on our records."""
    person = getattr(user, "person", None)
    if person is None or user.role != Role.FACILITATOR:
        return Meeting.objects.none()
    return meetings_for_facilitator(person_id=person.pk)


def may_record_for(user) -> bool:
    """Head counts and proposals come from partner contacts, not commissioners."""
    return user.role == Role.PARTNER_CONTACT
