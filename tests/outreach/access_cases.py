"""Who gets what from every outreach URL (see tests/access.py)."""

from outreach import services
from outreach.models import Segment
from tests.access import EVERYONE, PEER_VIEWERS, Case

OUTREACH = PEER_VIEWERS


def _communication(world) -> str:
    communication = services.communication_create(
        subject="Spring news", body="Dear {first_name}, news.", segment=Segment.COMMISSIONERS
    )
    return f"/staff/outreach/{communication.pk}/"


CASES = {
    "outreach_staff:list": Case("/staff/outreach/", allow=OUTREACH, peer_names=PEER_VIEWERS),
    "outreach_staff:new": Case("/staff/outreach/new/", allow=OUTREACH),
    "outreach_staff:detail": Case(_communication, allow=OUTREACH, peer_names=PEER_VIEWERS),
    "outreach_staff:progress": Case(
        lambda w: _communication(w) + "progress/", allow=OUTREACH, peer_names=PEER_VIEWERS
    ),
    # POST: the draft is sent (to the commissioner contact of the world) and
    # the page comes back with the progress.
    "outreach_staff:send": Case(
        lambda w: _communication(w) + "send/",
        allow=OUTREACH,
        method="post",
        ok=302,
        peer_names=PEER_VIEWERS,
    ),
    "outreach:unsubscribe": Case(
        lambda w: (
            "/outreach/unsubscribe/"
            + services.unsubscribe_token(w.users["partner_contact"].person.pk)
            + "/"
        ),
        allow=EVERYONE,
    ),
}
