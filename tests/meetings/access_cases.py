from tests.access import EVERYONE, Case


def _listed_meeting(world) -> str:
    import datetime

    from tests.meetings.factories import make_meeting

    meeting = make_meeting(host=world.org_a, started_on=datetime.date(2014, 1, 6))
    return meeting.slug


CASES = {
    "meetings:finder": Case("/meetings/", allow=EVERYONE),
    "meetings:feed": Case("/meetings/feed.json", allow=EVERYONE),
    "meetings:calendar": Case("/meetings/calendar.ics", allow=EVERYONE),
    "meetings:region_pdf": Case(
        lambda w: (_listed_meeting(w), "/meetings/regions/north-west.pdf")[1], allow=EVERYONE
    ),
    "meetings:meeting_ics": Case(lambda w: f"/meetings/{_listed_meeting(w)}.ics", allow=EVERYONE),
    "meetings:detail": Case(lambda w: f"/meetings/{_listed_meeting(w)}/", allow=EVERYONE),
}
