import datetime

from meetings import services
from partners.models import Person
from smartnet.roles import Role
from tests.access import (
    EVERYONE,
    OTHER_FACILITATOR,
    OTHER_PARTNER,
    PEER_VIEWERS,
    PORTAL,
    STAFF,
    Case,
)
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

EDITORS = frozenset({Role.STAFF_ADMIN.value, Role.TRAINING.value})
PARTNER = Role.PARTNER_CONTACT.value
COMMISSIONER = Role.COMMISSIONER_CONTACT.value
FACILITATOR = Role.FACILITATOR.value


def _meeting(world):

    return make_meeting(host=world.org_a, started_on=datetime.date(2014, 1, 6))


def _proposal(world) -> str:

    meeting = _meeting(world)
    proposal = services.proposal_leadership_change(
        organisation=world.org_a,
        meeting=meeting,
        kind="peer_led",
        start_date=datetime.date(2014, 6, 2),
        facilitators=[make_trained_facilitator(completed_on=datetime.date(2014, 3, 1))],
    )
    return f"/staff/meetings/proposals/{proposal.pk}/decide/"


CASES = {
    # Public
    "meetings:finder": Case("/meetings/", allow=EVERYONE),
    "meetings:feed": Case("/meetings/feed.json", allow=EVERYONE),
    "meetings:region_feed": Case(
        lambda w: (_meeting(w), "/meetings/feed/north-west.json")[1], allow=EVERYONE
    ),
    "meetings:calendar": Case("/meetings/calendar.ics", allow=EVERYONE),
    "meetings:region_pdf": Case(
        lambda w: (_meeting(w), "/meetings/regions/north-west.pdf")[1], allow=EVERYONE
    ),
    "meetings:meeting_ics": Case(lambda w: f"/meetings/{_meeting(w).slug}.ics", allow=EVERYONE),
    "meetings:detail": Case(lambda w: f"/meetings/{_meeting(w).slug}/", allow=EVERYONE),
    # Staff
    "meetings_staff:list": Case("/staff/meetings/", allow=STAFF),
    "meetings_staff:figures": Case("/staff/meetings/figures/", allow=STAFF),
    "meetings_staff:unplaced": Case("/staff/meetings/unplaced/", allow=STAFF),
    "meetings_staff:proposals": Case(
        "/staff/meetings/proposals/", allow=STAFF, peer_names=PEER_VIEWERS
    ),
    "meetings_staff:new": Case("/staff/meetings/new/", allow=EDITORS),
    "meetings_staff:detail": Case(
        lambda w: f"/staff/meetings/{_meeting(w).pk}/", allow=STAFF, peer_names=PEER_VIEWERS
    ),
    "meetings_staff:edit": Case(lambda w: f"/staff/meetings/{_meeting(w).pk}/edit/", allow=EDITORS),
    "meetings_staff:leadership": Case(
        lambda w: f"/staff/meetings/{_meeting(w).pk}/leadership/",
        allow=EDITORS,
        peer_names=PEER_VIEWERS,
    ),
    "meetings_staff:leadership_correct": Case(
        lambda w: (
            lambda m: f"/staff/meetings/{m.pk}/leadership/{m.leadership.first().pk}/correct/"
        )(_meeting(w)),
        allow=EDITORS,
        peer_names=PEER_VIEWERS,
    ),
    "meetings_staff:people_search": Case(
        lambda w: f"/staff/meetings/{_meeting(w).pk}/people/?q=a",
        allow=EDITORS,
        peer_names=PEER_VIEWERS,
    ),
    "meetings_staff:status": Case(
        lambda w: f"/staff/meetings/{_meeting(w).pk}/status/pause/", allow=EDITORS
    ),
    "meetings_staff:proposal_decide": Case(
        _proposal, allow=EDITORS, ok=302, method="post", data={"decision": "decline"}
    ),
    # Portal: org_a's meetings; another partner gets 404, a commissioner not
    # covering the area too; only partner contacts record and propose.
    "meetings_portal:list": Case("/portal/meetings/", allow=PORTAL),
    "meetings_portal:propose": Case(
        "/portal/meetings/propose/", allow=frozenset({PARTNER, OTHER_PARTNER})
    ),
    "meetings_portal:detail": Case(
        lambda w: f"/portal/meetings/{_meeting(w).pk}/",
        allow=frozenset({PARTNER}),
        overrides={OTHER_PARTNER: 404, COMMISSIONER: 404},
    ),
    "meetings_portal:head_count": Case(
        lambda w: f"/portal/meetings/{_meeting(w).pk}/head-counts/new/",
        allow=frozenset({PARTNER}),
        overrides={OTHER_PARTNER: 404, COMMISSIONER: 404},
    ),
    "meetings_portal:leadership": Case(
        lambda w: f"/portal/meetings/{_meeting(w).pk}/leadership/",
        allow=frozenset({PARTNER}),
        overrides={OTHER_PARTNER: 404, COMMISSIONER: 404},
    ),
    "meetings_portal:people_search": Case(
        lambda w: f"/portal/meetings/{_meeting(w).pk}/people/?q=a",
        allow=frozenset({PARTNER}),
        overrides={OTHER_PARTNER: 404, COMMISSIONER: 404},
    ),
}


def facilitated_meeting(world):
    """An org_a meeting the world's facilitator leads now (peer led)."""
    # Read afresh: a case may run in a savepoint rolled back after it, and the
    # user's cached person would remember a training profile that is gone.
    person = Person.objects.get(user=world.users["facilitator"])
    return make_meeting(
        host=world.org_a,
        started_on=datetime.date(2014, 1, 6),
        led="peer_led",
        facilitators=[person],
    )


# Records a meeting's own people keep. The facilitator who leads the meeting
# and the host's partner contact reach them; another facilitator or partner
# gets 404; a commissioner (not covering the area) 404 in the portal.
FACILITATOR_PAGES = {
    "detail": "",
    "head_count": "head-counts/new/",
    "not_held": "not-held/new/",
    "change": "changes/new/",
}
CASES.update(
    {
        f"meetings_facilitator:{name}": Case(
            lambda w, tail=tail: f"/facilitator/meetings/{facilitated_meeting(w).pk}/{tail}",
            allow=frozenset({FACILITATOR}),
            overrides={OTHER_FACILITATOR: 404},
        )
        for name, tail in FACILITATOR_PAGES.items()
    }
)
CASES.update(
    {
        f"meetings_portal:{name}": Case(
            lambda w, tail=tail: f"/portal/meetings/{facilitated_meeting(w).pk}/{tail}",
            allow=frozenset({PARTNER}),
            overrides={OTHER_PARTNER: 404, COMMISSIONER: 404},
        )
        for name, tail in {"not_held": "not-held/new/", "change": "changes/new/"}.items()
    }
)
