"""The board's writes: objectives, actions, overrides, board meetings and reports.

Every function validates, runs in a transaction and raises
``django.core.exceptions.ValidationError`` with a message per field on bad
input, so nothing is saved by half. A report moves drafted -> reviewed ->
issued; an issued report never changes (``regenerate`` and ``review`` refuse
it, and ``BoardReport.save`` refuses it too).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from board import dashboard, metrics
from board.dashboard import invalidate
from board.models import (
    Action,
    ActionStatus,
    BoardMeeting,
    BoardReport,
    Objective,
    ReportStatus,
)
from board.pdf import render_snapshot_pdf
from board.rag import Colour
from board.selectors import build_snapshot
from smartnet import mail
from smartnet.models import User
from smartnet.queue import enqueue
from smartnet.roles import Role

logger = logging.getLogger(__name__)

OBJECTIVE_FIELDS = {
    "title",
    "description",
    "metric_key",
    "manual_value",
    "manual_source",
    "manual_recorded_on",
    "higher_is_better",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "tolerance_percent",
    "owner",
    "position",
    "archived",
}
ACTION_FIELDS = {"title", "owner", "due_date", "status", "progress_note", "at_risk"}


def _record_by(instance, by) -> None:
    """Who the audit trail (django-simple-history) names for the next save."""
    instance._history_user = by  # read by simple_history


def _board_changed() -> None:
    """The dashboard's objectives-by-RAG figure is stale once the transaction commits."""

    transaction.on_commit(invalidate)


# --- objectives ----------------------------------------------------------------------


def _validate_objective(objective: Objective) -> None:
    errors: dict[str, str] = {}
    if not (objective.title or "").strip():
        errors["title"] = "Give the objective a title."
    if objective.metric_key:
        if objective.metric_key not in metrics.REGISTRY:
            errors["metric_key"] = f"There is no metric called {objective.metric_key!r}."
    elif objective.manual_value is None:
        errors["manual_value"] = (
            "Choose a metric, or record a manual value and its source: "
            "an objective with neither has nothing to measure."
        )
    elif not (objective.manual_source or "").strip():
        errors["manual_source"] = "Say where the manual value comes from."
    for name in ("baseline_value", "target_value", "baseline_date", "target_date"):
        if getattr(objective, name) is None:
            errors[name] = "This is required."
    if not errors:
        if objective.target_value == objective.baseline_value:
            errors["target_value"] = (
                f"The target ({objective.target_value}) equals the baseline: "
                "there is no change to plan for."
            )
        if objective.target_date <= objective.baseline_date:
            errors["target_date"] = (
                f"The target date ({objective.target_date:%-d %b %Y}) must be after the "
                f"baseline date ({objective.baseline_date:%-d %b %Y})."
            )
        higher = (
            metrics.get(objective.metric_key).higher_is_better
            if objective.metric_key
            else objective.higher_is_better
        )
        if "target_value" not in errors and (objective.target_value > objective.baseline_value) != (
            higher
        ):
            direction = "above" if higher else "below"
            errors["target_value"] = (
                f"Higher is {'better' if higher else 'worse'} for this measure, so the target "
                f"must be {direction} the baseline ({objective.baseline_value})."
            )
    if objective.tolerance_percent is not None and objective.tolerance_percent < 0:
        errors["tolerance_percent"] = "The tolerance cannot be negative."
    if errors:
        raise ValidationError(errors)


def objective_create(*, by: User | None = None, **fields) -> Objective:
    """Create an objective after checking it can be measured and planned."""
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise TypeError(f"unknown objective fields: {sorted(unknown)}")
    objective = Objective(**fields)
    if objective.is_manual and objective.manual_value is not None:
        objective.manual_recorded_on = objective.manual_recorded_on or timezone.localdate()
    _validate_objective(objective)
    with transaction.atomic():
        _record_by(objective, by)
        objective.save()
        _board_changed()
    return objective


def objective_update(*, objective: Objective, by: User | None = None, **fields) -> Objective:
    """Change an objective; a new manual value records the day it was recorded."""
    unknown = set(fields) - OBJECTIVE_FIELDS
    if unknown:
        raise TypeError(f"unknown objective fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Objective.objects.select_for_update().get(pk=objective.pk)
        manual_changed = "manual_value" in fields and fields["manual_value"] != current.manual_value
        for name, value in fields.items():
            setattr(current, name, value)
        if current.metric_key:
            current.manual_value = None
            current.manual_source = ""
            current.manual_recorded_on = None
        elif manual_changed and "manual_recorded_on" not in fields:
            current.manual_recorded_on = timezone.localdate()
        _validate_objective(current)
        _record_by(current, by)
        current.save()
        _board_changed()
    return current


def objective_set_archived(*, objective: Objective, archived: bool, by: User | None) -> Objective:
    """Archive an objective (out of the lists and future reports; history kept), or restore it."""
    with transaction.atomic():
        objective = Objective.objects.select_for_update().get(pk=objective.pk)
        objective.archived = archived
        _record_by(objective, by)
        objective.save()
        _board_changed()
    return objective


def _validate_override(colour: str, reason: str) -> None:
    errors = {}
    if colour not in Colour.values:
        errors["colour"] = f"Choose one of: {', '.join(Colour.labels)}."
    if not (reason or "").strip():
        errors["reason"] = "An override needs a written reason; the report shows it."
    if errors:
        raise ValidationError(errors)


def _set_override(model, pk: int, *, colour: str, reason: str, by: User | None, clear=False):
    """Set (or ``clear``) a light by hand on an objective or action.

    Setting needs a known colour and a written reason; the report shows the
    light, the computed one and the reason. Locked so two staff cannot interleave.
    """
    if not clear:
        _validate_override(colour, reason)
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=pk)
        obj.rag_override = colour
        obj.rag_override_reason = reason.strip() if colour else ""
        obj.rag_override_by = by if colour else None
        obj.rag_override_at = timezone.now() if colour else None
        _record_by(obj, by)
        obj.save()
        _board_changed()
    return obj


def objective_override_rag(
    *, objective: Objective, colour: str, reason: str, by: User | None
) -> Objective:
    """Set the objective's light by hand, with the reason (the report shows both)."""
    return _set_override(Objective, objective.pk, colour=colour, reason=reason, by=by)


def objective_clear_override(*, objective: Objective, by: User | None) -> Objective:
    return _set_override(Objective, objective.pk, colour="", reason="", by=by, clear=True)


# --- actions --------------------------------------------------------------------------


def _validate_action(action: Action) -> None:
    errors = {}
    if not (action.title or "").strip():
        errors["title"] = "Give the action a title."
    if action.due_date is None:
        errors["due_date"] = "Give the action a due date."
    if action.status not in ActionStatus.values:
        errors["status"] = f"Choose one of: {', '.join(ActionStatus.labels)}."
    if errors:
        raise ValidationError(errors)


def action_create(*, objective: Objective, by: User | None = None, **fields) -> Action:
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    action = Action(objective=objective, **fields)
    if action.status == ActionStatus.DONE:
        action.completed_on = timezone.localdate()
    _validate_action(action)
    with transaction.atomic():
        _record_by(action, by)
        action.save()
        _board_changed()
    return action


def action_update(*, action: Action, by: User | None = None, **fields) -> Action:
    """Change an action; marking it done records the day (and clears 'at risk')."""
    unknown = set(fields) - ACTION_FIELDS
    if unknown:
        raise TypeError(f"unknown action fields: {sorted(unknown)}")
    with transaction.atomic():
        current = Action.objects.select_for_update().get(pk=action.pk)
        was_done = current.is_done
        for name, value in fields.items():
            setattr(current, name, value)
        if current.is_done and not was_done:
            current.completed_on = timezone.localdate()
            current.at_risk = False
        elif not current.is_done:
            current.completed_on = None
        _validate_action(current)
        _record_by(current, by)
        current.save()
        _board_changed()
    return current


def action_delete(*, action: Action, by: User | None) -> None:
    """Remove an action entered by mistake; its history keeps a record of the deletion.
    Reports already generated keep it in their snapshot."""
    with transaction.atomic():
        action = Action.objects.select_for_update().get(pk=action.pk)
        _record_by(action, by)
        action.delete()
        _board_changed()


def action_override_rag(*, action: Action, colour: str, reason: str, by: User | None) -> Action:
    return _set_override(Action, action.pk, colour=colour, reason=reason, by=by)


def action_clear_override(*, action: Action, by: User | None) -> Action:
    return _set_override(Action, action.pk, colour="", reason="", by=by, clear=True)


# --- board meetings and reports ----------------------------------------------------------


def board_meeting_create(*, on: date, title: str = "", today: date | None = None) -> BoardMeeting:
    """Schedule a board meeting; it must be today or later, one per day."""
    today = today or timezone.localdate()
    if on is None:
        raise ValidationError({"date": "Give the date of the board meeting."})
    if on < today:
        raise ValidationError(
            {"date": f"{on:%-d %B %Y} is in the past: a board meeting is scheduled ahead."}
        )
    if BoardMeeting.objects.filter(date=on).exists():
        raise ValidationError({"date": f"There is already a board meeting on {on:%-d %B %Y}."})
    try:
        with transaction.atomic():
            return BoardMeeting.objects.create(date=on, title=title.strip())
    except IntegrityError:
        raise ValidationError(
            {"date": f"There is already a board meeting on {on:%-d %B %Y}."}
        ) from None


def _snapshot_for(meeting: BoardMeeting, on: date) -> dict:
    return build_snapshot(on=on, meeting_date=meeting.date, meeting_title=str(meeting))


def board_report_generate(
    *, meeting: BoardMeeting, today: date | None = None, by: User | None = None
) -> tuple[BoardReport, bool]:
    """Draft the report for ``meeting`` (or regenerate its draft); (report, created).

    Takes the snapshot as of ``today``. A reviewed report regenerated goes back
    to drafted. An issued report is refused: it is frozen for good.
    """
    today = today or timezone.localdate()
    existing = BoardReport.objects.filter(meeting=meeting).first()
    if existing is not None and existing.is_issued:
        raise ValidationError(
            f"The report for {meeting} was issued on {existing.issued_at:%-d %B %Y} and "
            "cannot be regenerated: an issued report never changes."
        )
    snapshot = _snapshot_for(meeting, today)
    if existing is None:
        try:
            with transaction.atomic():
                report = BoardReport.objects.create(
                    meeting=meeting, as_of=today, snapshot=snapshot, generated_by=by
                )
        except IntegrityError:
            # Another run drafted it first: the unique key keeps one per meeting.
            return BoardReport.objects.get(meeting=meeting), False
        return report, True
    changed = BoardReport.objects.filter(
        pk=existing.pk, status__in=[ReportStatus.DRAFTED, ReportStatus.REVIEWED]
    ).update(
        snapshot=snapshot,
        as_of=today,
        generated_at=timezone.now(),
        generated_by=by,
        status=ReportStatus.DRAFTED,
        reviewed_at=None,
        reviewed_by=None,
    )
    if changed != 1:
        raise ValidationError(
            f"The report for {meeting} was issued meanwhile and cannot be regenerated."
        )
    return BoardReport.objects.get(pk=existing.pk), False


def board_report_review(*, report: BoardReport, by: User, note: str = "") -> BoardReport:
    """Mark a drafted report reviewed (ready to issue)."""
    changed = BoardReport.objects.filter(pk=report.pk, status=ReportStatus.DRAFTED).update(
        status=ReportStatus.REVIEWED, reviewed_at=timezone.now(), reviewed_by=by, review_note=note
    )
    if changed != 1:
        current = BoardReport.objects.get(pk=report.pk)
        raise ValidationError(
            f"Only a drafted report can be marked reviewed; this one is {current.status}."
        )
    return BoardReport.objects.get(pk=report.pk)


def board_report_issue(*, report: BoardReport, by: User) -> BoardReport:
    """Issue a reviewed report: freeze its PDF and e-mail the trustees a link.

    The claim is a conditional update from reviewed to issued, so two clicks
    issue it (and e-mail the trustees) once.
    """

    report = BoardReport.objects.select_related("meeting").get(pk=report.pk)
    if report.status != ReportStatus.REVIEWED:
        raise ValidationError(
            "Only a reviewed report can be issued; "
            f"this one is {report.get_status_display().lower()}."
        )
    issued_at = timezone.now()
    pdf = render_snapshot_pdf(report.snapshot, status_label="ISSUED", issued_at=issued_at)
    with transaction.atomic():
        changed = BoardReport.objects.filter(pk=report.pk, status=ReportStatus.REVIEWED).update(
            status=ReportStatus.ISSUED, issued_at=issued_at, issued_by=by, pdf=pdf
        )
        if changed != 1:
            raise ValidationError("This report was issued or changed meanwhile; nothing was done.")

        enqueue("board.tasks.notify_report_issued", report.pk)
    return BoardReport.objects.get(pk=report.pk)


def _staff_reviewers() -> list[str]:
    return list(
        User.objects.filter(role=Role.STAFF_ADMIN, is_active=True).values_list("email", flat=True)
    )


def _trustees() -> list[str]:
    return list(
        User.objects.filter(role=Role.TRUSTEE, is_active=True).values_list("email", flat=True)
    )


def report_drafted_notify(*, report_id: int) -> bool:
    """E-mail staff admins to review a drafted report (once per report)."""
    report = BoardReport.objects.select_related("meeting").get(pk=report_id)
    link = settings.SITE_URL + reverse("board_staff:report_detail", args=[report.pk])
    message = mail.render(
        "board/email/report_drafted", {"report": report, "link": link}, to=_staff_reviewers()
    )
    return mail.send_once(message, kind="board.report_drafted", key=str(report_id))


def report_issued_notify(*, report_id: int) -> bool:
    """E-mail the trustees a link to an issued report (once per report)."""
    report = BoardReport.objects.select_related("meeting").get(pk=report_id)
    if not report.is_issued:
        return False
    link = settings.SITE_URL + reverse("board:report_detail", args=[report.pk])
    message = mail.render(
        "board/email/report_issued", {"report": report, "link": link}, to=_trustees()
    )
    return mail.send_once(message, kind="board.report_issued", key=str(report_id))


def lead_days() -> int:
    return settings.BOARD_REPORT_LEAD_DAYS


def reports_due(*, today: date) -> list[BoardMeeting]:
    """Meetings from today up to the lead time ahead that have no report yet."""
    lead = timedelta(days=settings.BOARD_REPORT_LEAD_DAYS)
    return list(
        BoardMeeting.objects.filter(date__gte=today, date__lte=today + lead, report__isnull=True)
    )


def draft_board_reports(*, today: date | None = None) -> list[BoardReport]:
    """The scheduled job: draft the report of each board meeting due within the
    lead time (7 days by default) and e-mail staff to review it.

    Exactly one report per meeting (a unique key): running it twice, or two at
    once, drafts and e-mails once.
    """

    today = today or timezone.localdate()
    drafted = []
    for meeting in reports_due(today=today):
        report, created = board_report_generate(meeting=meeting, today=today)
        if created:
            with transaction.atomic():
                enqueue("board.tasks.notify_report_drafted", report.pk)
            drafted.append(report)
            logger.info("drafted %s", report)
    return drafted


def next_meeting(*, today: date) -> BoardMeeting | None:
    return BoardMeeting.objects.filter(date__gte=today).order_by("date").first()


def preview_snapshot(*, on: date) -> dict:
    """A snapshot that belongs to no meeting (``board_report --out`` with none ahead)."""
    return build_snapshot(on=on, meeting_date=None, meeting_title="Preview (no board meeting)")


# --- Personal data (registered with partners.personal_data) -------------------------

# Issued reports' pages are drawn once and cached under this key (board.views).
ISSUED_PAGE_CACHE_KEY = "board:issued-report:{pk}:page"


def personal_data_erase(person_id: int) -> dict[str, int]:
    """The board keeps no one's data, but its caches hold what other apps said
    (the dashboard's lists, issued reports' pages drawn from their snapshots,
    which the erasure's text sweep cleans): drop them once the erasure commits."""

    def drop() -> None:
        dashboard.invalidate()
        issued = BoardReport.objects.values_list("pk", flat=True)
        cache.delete_many([ISSUED_PAGE_CACHE_KEY.format(pk=pk) for pk in issued])

    transaction.on_commit(drop)
    return {}
