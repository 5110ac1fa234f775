"""The staff meeting page shows who changed the meeting and each leadership period."""

import datetime

import pytest

from meetings.models import Meeting
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db
D = datetime.date


def trail(page: str, dom_id: str) -> str:
    """The audit section with this heading id (fails if the page has none)."""
    start = page.index(f'aria-labelledby="{dom_id}"')
    return page[start : page.index("</section>", start)]


def test_the_meeting_page_shows_who_changed_the_meeting_and_its_leadership(client, world):
    meeting = make_meeting(host=world.org_a, started_on=D(2014, 1, 6))  # by the system
    first = meeting.leadership.get()
    trainer = world.users["training"]
    trainer.full_name = "Tess Trainer"
    trainer.save()
    client.force_login(trainer)
    response = client.post(
        f"/staff/meetings/{meeting.pk}/leadership/",
        {
            "kind": "peer_led",
            "start_date": "2014-09-01",
            "note": "Handed over",
            "facilitators": [make_trained_facilitator(completed_on=D(2014, 1, 6)).pk],
        },
    )
    assert response.status_code == 302
    admin = world.users["staff_admin"]
    admin.full_name = "Ada Admin"
    admin.save()
    client.force_login(admin)
    response = client.post(f"/staff/meetings/{meeting.pk}/status/pause/", {"on": "2014-10-06"})
    assert response.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).status == "paused"

    page = client.get(f"/staff/meetings/{meeting.pk}/").content.decode()
    meeting_trail = trail(page, f"audit-meetings-meeting-{meeting.pk}")
    assert "Ada Admin" in meeting_trail and "paused" in meeting_trail
    new = meeting.leadership.get(start_date=D(2014, 9, 1))
    new_trail = trail(page, f"audit-meetings-leadershipperiod-{new.pk}")
    assert "Tess Trainer" in new_trail and "Created" in new_trail
    closed_trail = trail(page, f"audit-meetings-leadershipperiod-{first.pk}")
    assert "Tess Trainer" in closed_trail and "end_date" in closed_trail  # closed the day before
