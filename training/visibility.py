"""Who may see what in training.

Peer status (someone is in recovery) is health data: only
``smartnet.roles.PEER_VIEW_ROLES`` see it (``smartnet.access.may_see_peers``,
the one rule), and the other staff roles do not see peers at all in training's
screens. Partners see their own current staff, never peers.
"""

from django.db.models import Exists, OuterRef, QuerySet

from partners.models import Person
from smartnet.access import may_see_peers
from training.models import TrainingProfile


def people_for_staff(user) -> QuerySet[Person]:
    """People a staff user may look up in training: everyone for roles that may
    see peer status, everyone but peers for the others."""
    people = Person.objects.filter(anonymised_at__isnull=True)
    if may_see_peers(user):
        return people
    peer = TrainingProfile.objects.filter(person=OuterRef("pk"), is_peer=True)
    return people.exclude(Exists(peer))
