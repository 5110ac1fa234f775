"""Reads of the board: objectives with their live lights, and the report snapshot.

``objective_statuses(on)`` computes every objective's value (through the
metric registry, each metric once per day however many objectives share it),
its expected value on the straight line, its light and its actions' lights.
``build_snapshot`` turns that into the plain JSON a BoardReport freezes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Prefetch

from board import metrics, rag
from board.models import Action, ActionStatus, BoardReport, Objective, ReportStatus

SNAPSHOT_VERSION = 1
CHART_POINTS = 12


class MetricCache:
    """Each (metric, day) computed once while building a page or a snapshot."""

    def __init__(self):
        self._values: dict[tuple[str, date], metrics.Value] = {}
        self._shared: dict = {}  # reads several metrics derive from (metrics.shared_reads)

    def preload(self, on: date, values: dict[str, metrics.Value]) -> None:
        """Figures already known for ``on`` (the daily roll-ups)."""
        for key, value in values.items():
            self._values[(key, on)] = value

    def value(self, key: str, on: date) -> metrics.Value:
        if (key, on) not in self._values:
            with metrics.shared_reads(self._shared):
                self._values[(key, on)] = metrics.get(key).value(on)
        return self._values[(key, on)]

    def series(self, key: str, dates: list[date]) -> list[metrics.Value]:
        missing = [d for d in dates if (key, d) not in self._values]
        if missing:
            with metrics.shared_reads(self._shared):
                values = metrics.get(key).series(missing)
            for d, v in zip(missing, values, strict=True):
                self._values[(key, d)] = v
        return [self._values[(key, d)] for d in dates]


@dataclass
class ActionStatusView:
    action: Action
    computed: rag.Colour
    colour: rag.Colour


@dataclass
class ObjectiveStatus:
    objective: Objective
    value: Decimal | None
    expected: Decimal
    unit: str
    higher_is_better: bool
    label: str
    computed: rag.Colour
    colour: rag.Colour  # after any override
    actions: list[ActionStatusView] = field(default_factory=list)
    actions_rollup: rag.RollUp | None = None
    overall: rag.RollUp | None = None  # the objective's light and its actions' lights

    @property
    def value_display(self) -> str:
        return metrics.format_value(self.value, self.unit)

    @property
    def target_display(self) -> str:
        return metrics.format_value(self.objective.target_value, self.unit)

    @property
    def expected_display(self) -> str:
        return metrics.format_value(self.expected, self.unit)


def objective_direction(objective: Objective) -> tuple[str, bool, str]:
    """(unit, higher_is_better, label of what is measured) for an objective."""
    if objective.metric_key:
        metric = metrics.get(objective.metric_key)
        return metric.unit, metric.higher_is_better, metric.label
    return metrics.Unit.COUNT, objective.higher_is_better, "Manual figure"


def objective_value(
    objective: Objective, on: date, cache: MetricCache | None = None
) -> Decimal | None:
    if objective.metric_key:
        cache = cache or MetricCache()
        value = cache.value(objective.metric_key, on)
    else:
        value = objective.manual_value
    return None if value is None else Decimal(value)


def objective_status(
    objective: Objective,
    on: date,
    *,
    cache: MetricCache | None = None,
    thresholds: rag.Thresholds | None = None,
    actions: list[Action] | None = None,
) -> ObjectiveStatus:
    thresholds = thresholds or rag.Thresholds.from_settings()
    unit, higher, label = objective_direction(objective)
    value = objective_value(objective, on, cache)
    computed = rag.objective_colour(
        value=value,
        baseline=objective.baseline_value,
        baseline_date=objective.baseline_date,
        target=objective.target_value,
        target_date=objective.target_date,
        on=on,
        higher_is_better=higher,
        tolerance_percent=objective.tolerance_percent,
        thresholds=thresholds,
    )
    status = ObjectiveStatus(
        objective=objective,
        value=value,
        expected=rag.expected_value(
            baseline=objective.baseline_value,
            baseline_date=objective.baseline_date,
            target=objective.target_value,
            target_date=objective.target_date,
            on=on,
        ),
        unit=unit,
        higher_is_better=higher,
        label=label,
        computed=computed,
        colour=rag.effective(computed, objective.rag_override),
    )
    for action in objective.actions.all() if actions is None else actions:
        computed_action = rag.action_colour(
            done=action.is_done,
            due_date=action.due_date,
            at_risk=action.at_risk,
            on=on,
            thresholds=thresholds,
        )
        status.actions.append(
            ActionStatusView(
                action=action,
                computed=computed_action,
                colour=rag.effective(computed_action, action.rag_override),
            )
        )
    status.actions_rollup = rag.roll_up(a.colour for a in status.actions)
    status.overall = rag.roll_up([status.colour, *(a.colour for a in status.actions)])
    return status


def objectives_queryset(*, archived: bool | None = False):
    """Objectives with owners and actions; current ones by default (None: all)."""
    queryset = (
        Objective.objects.all() if archived is None else Objective.objects.filter(archived=archived)
    )
    return queryset.select_related("owner", "rag_override_by").prefetch_related(
        Prefetch(
            "actions",
            queryset=Action.objects.select_related("owner", "rag_override_by").order_by(
                "due_date", "pk"
            ),
        )
    )


def objective_statuses(
    on: date, *, cache: MetricCache | None = None, queryset=None
) -> list[ObjectiveStatus]:
    cache = cache or MetricCache()
    thresholds = rag.Thresholds.from_settings()
    objectives = objectives_queryset() if queryset is None else queryset
    return [objective_status(o, on, cache=cache, thresholds=thresholds) for o in objectives]


def summary(statuses: list[ObjectiveStatus]) -> rag.RollUp:
    """The summary over objectives: each objective counts by its overall (worst) light."""
    return rag.roll_up(s.overall.colour for s in statuses if s.overall and s.overall.colour)


# --- charts -----------------------------------------------------------------------------


def chart_dates(start: date, end: date, points: int = CHART_POINTS) -> list[date]:
    """Up to ``points`` evenly spaced days from ``start`` to ``end`` (both included)."""
    if end <= start:
        return [end]
    span = (end - start).days
    count = min(points, span + 1)
    days = sorted({start + timedelta(days=round(i * span / (count - 1))) for i in range(count)})
    return days


def objective_chart_data(objective: Objective, on: date, cache: MetricCache) -> dict:
    """The actual series (baseline date to ``on``) and the target line, as JSON."""
    end = min(on, objective.target_date) if on > objective.baseline_date else on
    if objective.metric_key:
        dates = chart_dates(objective.baseline_date, end)
        values = cache.series(objective.metric_key, dates)
        actual = [[d.isoformat(), _json_number(v)] for d, v in zip(dates, values, strict=True)]
        if on > objective.target_date:
            actual.append([on.isoformat(), _json_number(cache.value(objective.metric_key, on))])
    else:
        actual = [[objective.baseline_date.isoformat(), _json_number(objective.baseline_value)]]
        if objective.manual_value is not None:
            recorded = objective.manual_recorded_on or on
            actual.append([recorded.isoformat(), _json_number(objective.manual_value)])
    return {
        "actual": actual,
        "line": [
            [objective.baseline_date.isoformat(), _json_number(objective.baseline_value)],
            [objective.target_date.isoformat(), _json_number(objective.target_value)],
        ],
    }


def _json_number(value) -> str | None:
    return None if value is None else str(value)


# --- the snapshot ------------------------------------------------------------------------


def _user_name(user) -> str:
    return (user.full_name or user.email) if user else ""


def _override(obj) -> dict | None:
    if not obj.rag_override:
        return None
    return {
        "colour": obj.rag_override,
        "reason": obj.rag_override_reason,
        "by": _user_name(obj.rag_override_by),
        "at": obj.rag_override_at.isoformat() if obj.rag_override_at else None,
    }


def build_snapshot(*, on: date, meeting_date: date | None, meeting_title: str = "") -> dict:
    """Every objective, action, value, light, note and chart point, as plain JSON.

    ``changes`` compares with the last issued report before this meeting.
    """
    cache = MetricCache()
    thresholds = rag.Thresholds.from_settings()
    statuses = objective_statuses(on, cache=cache)
    objectives = []
    for s in statuses:
        o = s.objective
        objectives.append(
            {
                "id": o.pk,
                "title": o.title,
                "description": o.description,
                "metric_key": o.metric_key,
                "measure": s.label,
                "unit": s.unit,
                "higher_is_better": s.higher_is_better,
                "manual_source": o.manual_source if o.is_manual else "",
                "manual_recorded_on": (
                    o.manual_recorded_on.isoformat()
                    if o.is_manual and o.manual_recorded_on
                    else None
                ),
                "owner": _user_name(o.owner),
                "value": _json_number(s.value),
                "expected": str(s.expected.quantize(Decimal("0.01"))),
                "baseline": {"value": str(o.baseline_value), "date": o.baseline_date.isoformat()},
                "target": {"value": str(o.target_value), "date": o.target_date.isoformat()},
                "tolerance_percent": str(
                    thresholds.tolerance_percent
                    if o.tolerance_percent is None
                    else o.tolerance_percent
                ),
                "rag": {
                    "computed": s.computed.value,
                    "override": _override(o),
                    "colour": s.colour.value,
                },
                "actions_rollup": s.actions_rollup.as_dict() if s.actions_rollup else None,
                "overall": s.overall.as_dict() if s.overall else None,
                "chart": objective_chart_data(o, on, cache),
                "actions": [
                    {
                        "id": a.action.pk,
                        "title": a.action.title,
                        "owner": _user_name(a.action.owner),
                        "due_date": a.action.due_date.isoformat(),
                        "status": a.action.status,
                        "status_label": ActionStatus(a.action.status).label,
                        "progress_note": a.action.progress_note,
                        "at_risk": a.action.at_risk,
                        "rag": {
                            "computed": a.computed.value,
                            "override": _override(a.action),
                            "colour": a.colour.value,
                        },
                    }
                    for a in s.actions
                ],
            }
        )
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "as_of": on.isoformat(),
        "meeting": {
            "date": meeting_date.isoformat() if meeting_date else None,
            "title": meeting_title,
        },
        "thresholds": {
            "tolerance_percent": str(thresholds.tolerance_percent),
            "amber_band_percent": str(thresholds.amber_band_percent),
            "due_soon_days": thresholds.due_soon_days,
        },
        "summary": summary(statuses).as_dict(),
        "objectives": objectives,
    }
    previous = None
    if meeting_date is not None:
        previous = (
            BoardReport.objects.filter(status=ReportStatus.ISSUED, meeting__date__lt=meeting_date)
            .select_related("meeting")
            .order_by("-meeting__date")
            .first()
        )
    snapshot["changes"] = changes_since(previous.snapshot if previous else None, snapshot)
    if previous:
        snapshot["previous"] = {
            "meeting_date": previous.meeting.date.isoformat(),
            "as_of": previous.as_of.isoformat(),
        }
    return snapshot


def changes_since(previous: dict | None, current: dict) -> list[dict]:
    """What changed since the last issued report: lights, values, actions done, new/removed."""
    if previous is None:
        return []
    changes: list[dict] = []
    before = {o["id"]: o for o in previous.get("objectives", [])}
    after = {o["id"]: o for o in current["objectives"]}
    for oid, obj in after.items():
        old = before.get(oid)
        if old is None:
            changes.append({"objective": obj["title"], "kind": "new", "text": "New objective."})
            continue
        if old["rag"]["colour"] != obj["rag"]["colour"]:
            changes.append(
                {
                    "objective": obj["title"],
                    "kind": "rag",
                    "text": (
                        f"Light changed from {rag.word(old['rag']['colour'])} "
                        f"to {rag.word(obj['rag']['colour'])}."
                    ),
                }
            )
        if old["value"] != obj["value"]:
            changes.append(
                {
                    "objective": obj["title"],
                    "kind": "value",
                    "text": (
                        f"Value moved from {metrics.format_value(old['value'], obj['unit'])} "
                        f"to {metrics.format_value(obj['value'], obj['unit'])}."
                    ),
                }
            )
        old_actions = {a["id"]: a for a in old.get("actions", [])}
        for action in obj["actions"]:
            prior = old_actions.get(action["id"])
            if prior is None:
                changes.append(
                    {
                        "objective": obj["title"],
                        "kind": "action",
                        "text": f"New action: {action['title']}.",
                    }
                )
            elif prior["status"] != action["status"] and action["status"] == ActionStatus.DONE:
                changes.append(
                    {
                        "objective": obj["title"],
                        "kind": "action",
                        "text": f"Action done: {action['title']}.",
                    }
                )
            elif prior["rag"]["colour"] != action["rag"]["colour"]:
                changes.append(
                    {
                        "objective": obj["title"],
                        "kind": "action",
                        "text": (
                            f"Action {action['title']}: {rag.word(prior['rag']['colour'])} "
                            f"to {rag.word(action['rag']['colour'])}."
                        ),
                    }
                )
    for oid, old in before.items():
        if oid not in after:
            changes.append(
                {"objective": old["title"], "kind": "removed", "text": "No longer reported."}
            )
    return changes
