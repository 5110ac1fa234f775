"""Board test data, made through board.services (as the screens make it)."""

from datetime import date
from decimal import Decimal

from board import services
from board.models import Action, BoardMeeting, Objective


def make_objective(
    title: str = "Grow the network",
    *,
    metric_key: str = "",
    manual_value: Decimal | int | None = 100,
    manual_source: str = "Annual survey",
    baseline_value: Decimal | int = 40,
    baseline_date: date = date(2012, 1, 1),
    target_value: Decimal | int = 400,
    target_date: date = date(2015, 1, 1),
    **fields,
) -> Objective:
    if metric_key:
        manual_value = None
        manual_source = ""
    return services.objective_create(
        title=title,
        metric_key=metric_key,
        manual_value=None if manual_value is None else Decimal(manual_value),
        manual_source=manual_source,
        baseline_value=Decimal(baseline_value),
        baseline_date=baseline_date,
        target_value=Decimal(target_value),
        target_date=target_date,
        **fields,
    )


def make_action(
    objective: Objective,
    title: str = "Recruit regional champions",
    *,
    due_date: date = date(2014, 6, 1),
    **fields,
) -> Action:
    return services.action_create(objective=objective, title=title, due_date=due_date, **fields)


def make_board_meeting(on: date, title: str = "") -> BoardMeeting:
    return BoardMeeting.objects.create(date=on, title=title)
