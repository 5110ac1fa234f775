"""The objective page shows staff who changed the objective and each action, and what."""

from datetime import date

import pytest
import time_machine

from board.models import Action
from smartnet.roles import Role
from tests.board.factories import make_objective
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def trail(page: str, dom_id: str) -> str:
    """The audit section with this heading id (fails if the page has none)."""
    start = page.index(f'aria-labelledby="{dom_id}"')
    return page[start : page.index("</section>", start)]


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(date(2014, 3, 3), tick=True):  # distinct change times
        yield


def test_the_objective_page_shows_who_changed_the_objective_and_its_actions(client):
    objective = make_objective(title="Grow the network")  # by the system (no user)
    editor = UserFactory(role=Role.STAFF_ADMIN, full_name="Priya Planner")
    client.force_login(editor)
    response = client.post(
        f"/staff/board/objectives/{objective.pk}/override/",
        {"colour": "amber", "reason": "Survey due next month"},
    )
    assert response.status_code == 302
    client.post(
        f"/staff/board/objectives/{objective.pk}/actions/new/",
        {"title": "Open Wales hub", "due_date": "2014-04-01", "status": "in_progress"},
    )
    action = Action.objects.get()
    other = UserFactory(role=Role.STAFF_ADMIN, full_name="Omar Owner")
    client.force_login(other)
    client.post(
        f"/staff/board/actions/{action.pk}/edit/",
        {"title": "Open Wales hub", "due_date": "2014-04-01", "status": "done"},
    )

    page = client.get(f"/staff/board/objectives/{objective.pk}/").content.decode()
    objective_trail = trail(page, f"audit-board-objective-{objective.pk}")
    assert "Priya Planner" in objective_trail and "Changed" in objective_trail
    assert "Survey due next month" in objective_trail  # the field's new value
    action_trail = trail(page, f"audit-board-action-{action.pk}")
    assert "Priya Planner" in action_trail and "Created" in action_trail
    assert "Omar Owner" in action_trail and "done" in action_trail
    assert "Omar Owner" not in objective_trail
