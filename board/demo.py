"""Board demo data: a three-year plan of 20 objectives and 100 actions, board
meetings every quarter (one a few days ahead, so its report is due for
review) and one issued report.

The plan runs for three years from about two years before the demo's
``today`` (the meetings demo starts the network at about 40 meetings a week
four years back, like SMART Recovery UK in 2010), with targets such as "400
meetings a week".
Baselines are the figures the other apps' demo data give on the plan's first
day; targets are set from a fixed ambition per objective, so the lights show
a realistic spread (complete, green, amber, red) on the same data every time.
The board's plan does not grow with ``--scale``: it is the same 20 objectives
and 100 actions at every size (the benchmark's report size).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from board import metrics
from board.models import (
    Action,
    ActionStatus,
    BoardMeeting,
    BoardReport,
    Objective,
    ReportStatus,
)
from board.pdf import render_snapshot_pdf
from board.selectors import build_snapshot
from board.services import board_report_generate
from smartnet.demo import DemoContext
from smartnet.models import MailClaim, User
from smartnet.roles import Role

# (title, metric key, ambition) - ambition scales the change the current pace
# would reach by the target date: below 1 is ahead of plan (green), about 1.2
# amber, 1.5 and more red. A fixed target overrides it.
METRIC_OBJECTIVES = [
    ("Run over 400 SMART Recovery meetings a week", "meetings_per_week", None, 400),
    ("Half of all meetings peer led", "peer_led_share", Decimal("1.05"), None),
    ("Grow the Partnership Scheme", "active_partners", Decimal("0.95"), None),
    ("Treatment sites in the scheme", "active_sites", Decimal("1.15"), None),
    ("Sites under commissioner block agreements", "block_covered_sites", Decimal("1.6"), None),
    ("Population covered by block agreements", "block_population_covered", Decimal("1.3"), None),
    (
        "Scotland covered by block agreements",
        "block_population_share_scotland",
        Decimal("0.9"),
        None,
    ),
    ("Train over 3,000 professionals as Champions", "champions_trained", Decimal("1.1"), None),
    ("Trained peer facilitators", "facilitators_trained", Decimal("1.25"), None),
    ("Partners renewing year on year", "renewal_rate", Decimal("1.0"), None),
    ("Licence income this financial year", "licence_income_fy", Decimal("1.2"), None),
    (
        "Free materials reaching meetings this year",
        "materials_dispatched_items",
        Decimal("0.9"),
        None,
    ),
    ("No partner a year in without a peer-led meeting", "partners_behind_on_peer_led", None, 0),
    ("Wales covered by block agreements", "block_population_share_wales", Decimal("1.4"), None),
    # Figures the register holds, computed (they were typed in by hand).
    ("Online meetings each week", "online_meetings_per_week", Decimal("1.1"), None),
    ("Over 100 Family & Friends meetings each week", "family_friends_per_week", None, 100),
    ("Hybrid meetings each week", "hybrid_meetings_per_week", Decimal("1.0"), None),
    ("Average attendance per session", "average_attendance", Decimal("1.2"), None),
    ("Trained facilitators leading meetings", "trained_facilitators_active", Decimal("1.1"), None),
    ("Requests dispatched within days", "days_request_to_dispatch", Decimal("1.0"), None),
    ("No refresher training overdue", "refreshers_overdue", None, 0),
]
# Figures that restart every April are planned over the financial year, from zero.
FINANCIAL_YEAR_METRICS = {"licence_income_fy", "materials_dispatched_items"}
MANUAL_OBJECTIVES = [
    # title, baseline, target, value now, source, higher is better
    ("Participants rating meetings helpful (%)", 70, 90, 84, "Annual participant survey", True),
    ("Months of unrestricted reserves", 2, 6, 3, "Management accounts, finance", True),
    ("Visits to the meeting finder each month", 8000, 40000, 31000, "Web analytics export", True),
    # Spares, used when a metric objective has nothing to plan on this data.
    ("Trustees recruited with lived experience", 1, 4, 2, "Board skills audit", True),
    ("Prisons running the programme", 3, 20, 9, "Prisons programme lead", True),
    ("Volunteer hours each month", 300, 1200, 700, "Volunteer time sheets", True),
    ("Complaints upheld each year", 6, 1, 4, "Complaints log", False),
    ("Staff turnover (%)", 25, 12, 17, "HR report", False),
]
ACTION_VERBS = [
    "Agree a plan with",
    "Write to",
    "Hold a workshop for",
    "Publish a case study on",
    "Review progress with",
]
ACTION_OBJECTS = [
    "regional commissioners",
    "partner Champions",
    "peer facilitators",
    "the trustees' sub-committee",
    "treatment provider leads",
]
NOTES = [
    "On track; next step agreed.",
    "Waiting for the partner's reply.",
    "Slipped by a month: staff absence.",
    "First draft circulated.",
    "",
]


def _q(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _plan_dates(today: date) -> tuple[date, date]:
    """A three-year plan that began about two years before ``today``."""
    start = date(today.year - 2, today.month, 1)
    return start, date(start.year + 3, start.month, 1) - timedelta(days=1)


def _target(
    baseline: Decimal, now: Decimal, *, progress: Decimal, ambition: Decimal, higher: bool
) -> Decimal:
    """A target that the current pace reaches by the end times ``1 / ambition``."""
    change = (now - baseline) / progress if progress else now - baseline
    target = baseline + change * ambition
    step = Decimal(1) if abs(target) >= 10 else Decimal("0.1")
    if higher and target <= baseline:
        target = baseline + max(abs(baseline) * Decimal("0.5"), step * 10)
    if not higher and target >= baseline:
        target = max(Decimal(0), baseline - max(abs(baseline) * Decimal("0.3"), step))
    if target == baseline:
        target = baseline + (step if higher else -step)
    return _q(target)


def seed(ctx: DemoContext) -> None:
    today = ctx.today
    start, end = _plan_dates(today)
    owners = list(
        User.objects.filter(
            role__in=[Role.STAFF_ADMIN, Role.FINANCE, Role.TRAINING, Role.MATERIALS]
        ).order_by("pk")
    )
    objectives: list[Objective] = []
    still_objectives: list[Objective] = []
    fy_start = metrics.financial_year_start(today)
    fy_end = date(fy_start.year + 1, 3, 31)
    for title, key, ambition, fixed in METRIC_OBJECTIVES:
        metric = metrics.get(key)
        if key in FINANCIAL_YEAR_METRICS:
            plan = (fy_start, fy_end)
            baseline = Decimal(0)
        else:
            plan = (start, end)
            baseline = metric.value(start)
            baseline = Decimal(baseline if baseline is not None else 0)
        now = metric.value(today)
        now = Decimal(now if now is not None else 0)
        still = False
        if fixed is not None:
            # "400 meetings a week" at scale 1; the network is ``scale`` times bigger.
            target = Decimal(fixed * ctx.scale)
            title = title.replace(str(fixed), f"{fixed * ctx.scale:,}")
            if target == baseline or (target > baseline) != metric.higher_is_better:
                continue
        else:
            still = now == baseline  # nothing moved on this data: spares go first
            elapsed = Decimal((today - plan[0]).days) / Decimal((plan[1] - plan[0]).days)
            target = _target(
                baseline, now, progress=elapsed, ambition=ambition, higher=metric.higher_is_better
            )
        (still_objectives if still else objectives).append(
            Objective(
                title=title,
                metric_key=key,
                baseline_value=_q(baseline),
                baseline_date=plan[0],
                target_value=target,
                target_date=plan[1],
            )
        )
    for title, baseline, target, value, source, higher in MANUAL_OBJECTIVES:
        objectives.append(
            Objective(
                title=title,
                manual_value=Decimal(value),
                manual_source=source,
                manual_recorded_on=today - timedelta(days=ctx.rng.randint(5, 60)),
                higher_is_better=higher,
                baseline_value=Decimal(baseline),
                baseline_date=start,
                target_value=Decimal(target),
                target_date=end,
            )
        )
    objectives = (objectives + still_objectives)[:20]
    for position, objective in enumerate(objectives, start=1):
        objective.position = position
        objective.owner = owners[position % len(owners)] if owners else None
    bulk_create_with_history(objectives, Objective, default_user=owners[0] if owners else None)
    objectives = list(Objective.objects.order_by("position"))

    # One override, with its reason, so the report shows both lights.
    override = objectives[min(3, len(objectives) - 1)]
    override.rag_override = "amber"
    override.rag_override_reason = (
        "Three site agreements are signed but not yet activated; expected next month."
    )
    override.rag_override_by = owners[0] if owners else None
    override.rag_override_at = timezone.now()
    override.save()

    actions = []
    per_objective = max(1, 100 // max(1, len(objectives)))
    plan_days = (end - start).days
    for o_index, objective in enumerate(objectives):
        for a_index in range(per_objective):
            # Spread over the plan: the earlier ones mostly done, the later ones ahead.
            due = start + timedelta(days=plan_days * (2 * a_index + 1) // (2 * per_objective))
            due += timedelta(days=ctx.rng.randint(-30, 30) + o_index)
            roll = ctx.rng.random()
            if due < today - timedelta(days=30):
                status = ActionStatus.DONE if roll < 0.95 else ActionStatus.IN_PROGRESS
            elif due < today + timedelta(days=60):
                status = ActionStatus.IN_PROGRESS if roll < 0.7 else ActionStatus.NOT_STARTED
            else:
                status = ActionStatus.NOT_STARTED if roll < 0.8 else ActionStatus.IN_PROGRESS
            verb = ACTION_VERBS[(o_index + a_index) % len(ACTION_VERBS)]
            who = ACTION_OBJECTS[(o_index * 2 + a_index) % len(ACTION_OBJECTS)]
            actions.append(
                Action(
                    objective=objective,
                    title=f"{verb} {who}",
                    owner=owners[(o_index + a_index) % len(owners)] if owners else None,
                    due_date=due,
                    status=status,
                    completed_on=min(due, today) if status == ActionStatus.DONE else None,
                    at_risk=status != ActionStatus.DONE and roll > 0.9,
                    progress_note=NOTES[(o_index + a_index) % len(NOTES)],
                )
            )
    bulk_create_with_history(actions, Action, default_user=owners[0] if owners else None)

    # Board meetings every quarter; the last one issued, the next one days away.
    past = BoardMeeting.objects.create(date=today - timedelta(days=84), title="Autumn board")
    upcoming = BoardMeeting.objects.create(date=today + timedelta(days=5), title="Winter board")
    BoardMeeting.objects.create(date=today + timedelta(days=96), title="Spring board")
    as_of = past.date - timedelta(days=7)
    snapshot = build_snapshot(on=as_of, meeting_date=past.date, meeting_title=str(past))
    issued_at = timezone.now() - timedelta(days=86)
    admin = User.objects.filter(role=Role.STAFF_ADMIN).order_by("pk").first()
    report = BoardReport.objects.create(
        meeting=past,
        as_of=as_of,
        snapshot=snapshot,
        status=ReportStatus.ISSUED,
        generated_by=admin,
        reviewed_by=admin,
        reviewed_at=issued_at,
        issued_by=admin,
        issued_at=issued_at,
        pdf=render_snapshot_pdf(snapshot, status_label="ISSUED", issued_at=issued_at),
    )
    # The trustees were told at the time: no e-mail goes out from the demo.
    MailClaim.objects.create(
        kind="board.report_issued", key=str(report.pk), claimed_at=issued_at, sent_at=issued_at
    )
    # The next meeting is within a week: its report is drafted, waiting for review.
    board_report_generate(meeting=upcoming, today=today, by=admin)
    ctx.shared["board_upcoming_meeting_id"] = upcoming.pk
    ctx.log(
        f"board: {len(objectives)} objectives, {len(actions)} actions, 3 board meetings, "
        f"1 issued report, 1 drafted for review"
    )
