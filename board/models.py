"""Board: objectives, their work-plan actions, board meetings and frozen reports.

An Objective follows a named metric (``board.metrics``) or, where the system
holds no such figure, a manual value with its source. Its traffic light is
computed by ``board.rag`` and may be overridden by staff only with a written
reason. A BoardReport is the snapshot taken for one BoardMeeting: every value,
light, note and chart point frozen in ``snapshot`` when it is generated; once
issued it never changes (the services refuse, ``save()`` refuses and the
queryset's ``update()``/``delete()`` leave issued rows alone).

Writes go through ``board.services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from board.rag import Colour


class Objective(models.Model):
    """A three-year objective: a metric (or manual value) from baseline to target.

    Guarantees (services, and constraints where the database can say it): the
    target differs from the baseline, the target date is after the baseline
    date, and it has either a metric or a manual value with its source.
    """

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    metric_key = models.CharField(
        "metric",
        max_length=60,
        blank=True,
        help_text="A figure the system computes; leave empty to record a manual value.",
    )
    manual_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    manual_source = models.CharField(
        max_length=300, blank=True, help_text="Where the manual value comes from."
    )
    manual_recorded_on = models.DateField(null=True, blank=True)
    # Only for manual objectives: a metric says its own direction.
    higher_is_better = models.BooleanField(default=True)
    baseline_value = models.DecimalField(max_digits=14, decimal_places=2)
    baseline_date = models.DateField()
    target_value = models.DecimalField(max_digits=14, decimal_places=2)
    target_date = models.DateField()
    tolerance_percent = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text="Green within this % of the planned change below the line (empty: default).",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="board_objectives",
        null=True,
        blank=True,
    )
    position = models.PositiveIntegerField(default=0)
    rag_override = models.CharField(max_length=10, choices=Colour.choices, blank=True)
    rag_override_reason = models.TextField(blank=True)
    rag_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rag_override_at = models.DateTimeField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__gt=models.F("baseline_date")),
                name="objective_target_after_baseline",
            ),
            models.CheckConstraint(
                condition=~Q(target_value=models.F("baseline_value")),
                name="objective_target_differs",
            ),
            models.CheckConstraint(
                condition=~Q(metric_key="") | Q(manual_value__isnull=False),
                name="objective_metric_or_manual",
            ),
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_override_reason=""),
                name="objective_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_manual(self) -> bool:
        return not self.metric_key


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class Action(models.Model):
    """A work-plan action under an objective, with an owner and a due date."""

    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="board_actions",
        null=True,
        blank=True,
    )
    due_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    progress_note = models.TextField(blank=True)
    at_risk = models.BooleanField(default=False)
    completed_on = models.DateField(null=True, blank=True)
    rag_override = models.CharField(max_length=10, choices=Colour.choices, blank=True)
    rag_override_reason = models.TextField(blank=True)
    rag_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    rag_override_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rag_override="") | ~Q(rag_override_reason=""),
                name="action_override_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["objective", "due_date"], name="action_objective_due_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.status == ActionStatus.DONE


class BoardMeeting(models.Model):
    """A meeting of the trustees: the report is drafted before it."""

    date = models.DateField(unique=True)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date"]

    def __str__(self) -> str:
        return self.title or f"Board meeting {self.date:%-d %B %Y}"


class ReportStatus(models.TextChoices):
    DRAFTED = "drafted", "Drafted"
    REVIEWED = "reviewed", "Reviewed"
    ISSUED = "issued", "Issued"


class ImmutableReportError(Exception):
    """Raised when code tries to change an issued board report."""


class BoardReportQuerySet(models.QuerySet):
    """Bulk writes never touch an issued report."""

    def update(self, **kwargs):
        return super(BoardReportQuerySet, self.exclude(status=ReportStatus.ISSUED)).update(**kwargs)

    def delete(self):
        return super(BoardReportQuerySet, self.exclude(status=ReportStatus.ISSUED)).delete()

    def issued(self):
        return self.filter(status=ReportStatus.ISSUED)


class BoardReport(models.Model):
    """The snapshot of every objective, action and light, for one board meeting.

    Exactly one per meeting (a unique key, which is also what makes the
    drafting job safe to run twice). ``snapshot`` is the frozen data the pages
    and the PDF are drawn from; ``pdf`` is the document as issued.
    """

    meeting = models.OneToOneField(BoardMeeting, on_delete=models.PROTECT, related_name="report")
    status = models.CharField(
        max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFTED
    )
    as_of = models.DateField(help_text="The day the figures were taken.")
    snapshot = models.JSONField()
    generated_at = models.DateTimeField(default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    review_note = models.TextField(blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.BinaryField(null=True, blank=True, editable=False)

    objects = BoardReportQuerySet.as_manager()

    class Meta:
        ordering = ["-meeting__date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReportStatus.ISSUED)
                | Q(issued_at__isnull=False, pdf__isnull=False),
                name="issued_report_has_pdf",
            ),
        ]

    def __str__(self) -> str:
        return f"Board report for {self.meeting}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = type(self).objects.filter(pk=self.pk).values_list("status", flat=True).first()
            if stored == ReportStatus.ISSUED:
                raise ImmutableReportError(f"{self} was issued and can no longer change.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.is_issued:
            raise ImmutableReportError(f"{self} was issued and cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_issued(self) -> bool:
        return self.status == ReportStatus.ISSUED


class DailyFigure(models.Model):
    """One dashboard figure (a metric of ``board.metrics``) on one day, as the
    live computation gave it: the daily roll-up the staff dashboard reads
    (``board.rollups``). One row per day and figure (a unique constraint: the
    nightly rebuild and a page filling a gap write the same row, never two).
    Rows are dropped when the data under them changes and written again by the
    next reader or the nightly job. No person's data is held here."""

    day = models.DateField()
    key = models.CharField(max_length=60)  # a metric key
    value = models.DecimalField(max_digits=20, decimal_places=6, null=True)  # None: no data
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "key"], name="board_dailyfigure_one_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.key} on {self.day}: {self.value}"
