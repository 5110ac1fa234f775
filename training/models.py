"""Training: courses, completions, face-to-face events and Moodle imports.

People are ``partners.Person``; training adds only what it needs about them
(``TrainingProfile``). Statuses - Champion, trained facilitator, trainer - are
derived from completions and never typed in: a course says which status it
``awards``, and a completion of it is the evidence. Whether a completion made
someone a Champion depends on their employer being a partner on the day; the
service that records it works that out and stores the organisation in
``Completion.champion_organisation`` (``training_refresh_champions`` recomputes
it when agreements are entered late).
"""

from __future__ import annotations

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Organisation, Person, Site
from partners.validators import validate_uk_postcode

# Unambiguous capitals and digits for codes a person may type in (no 0/O, 1/I).
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _random_code(length: int) -> str:
    # One call to the system's random source per code (a 32-letter alphabet, so
    # the low five bits of each byte pick a letter without bias).
    return "".join(_CODE_ALPHABET[b & 31] for b in secrets.token_bytes(length))


def new_verification_code() -> str:
    return _random_code(12)


def new_certificate_number(completed_on: date) -> str:
    suffix = _random_code(8)
    return f"SR-{completed_on.year}-{suffix}"


class TrainingProfile(models.Model):
    """What training knows about a person beyond the directory.

    ``is_peer`` (a peer volunteer, someone in recovery) is health data under UK
    GDPR: only the roles in ``smartnet.roles.PEER_VIEW_ROLES`` see it.
    The postal address is used for materials only while ``consent_to_contact``.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="training_profile")
    is_peer = models.BooleanField(
        "peer (in recovery)", default=False, help_text="Health data: shown to training staff only."
    )
    consent_to_contact = models.BooleanField(default=False)
    consent_recorded_on = models.DateField(null=True, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    moodle_user_id = models.PositiveIntegerField(null=True, blank=True, unique=True)
    moodle_username = models.CharField(max_length=100, blank=True)
    moodle_idnumber = models.CharField("Moodle ID number", max_length=100, blank=True)
    # Set once, by a conditional update, when facilitator_trained is sent.
    facilitator_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The day they first became a Champion (their earliest Champion completion),
    # kept by ``training.services.champion_since_refresh`` whenever their
    # completions change; the Champion register is an indexed read of it.
    champion_since = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(
                models.F("champion_since").desc(),
                "person",
                name="profile_champion_since_idx",
                condition=Q(champion_since__isnull=False),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["moodle_idnumber"],
                condition=~Q(moodle_idnumber=""),
                name="profile_moodle_idnumber_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Training profile of {self.person}"


class Delivery(models.TextChoices):
    ONLINE = "online", "Online"
    FACE_TO_FACE = "face_to_face", "Face to face"
    TRAIN_THE_TRAINER = "train_the_trainer", "Training the trainer"


class Audience(models.TextChoices):
    ANYONE = "anyone", "Anyone"
    PROFESSIONALS = "professionals", "Professionals"
    FACILITATORS = "facilitators", "Facilitators (peers and professionals)"
    TRAINERS = "trainers", "Trainers"


class AccessRule(models.TextChoices):
    OPEN = "open", "Open to anyone"
    PARTNER_STAFF = "partner_staff", "Staff of a partner with an active agreement"
    PEERS_OR_PARTNER_STAFF = (
        "peers_or_partner_staff",
        "Free to peers; otherwise staff of a partner with an active agreement",
    )


class Award(models.TextChoices):
    NONE = "", "Nothing"
    CHAMPION = "champion", "Champion"
    FACILITATOR = "facilitator", "Trained facilitator"
    TRAINER = "trainer", "Trainer"


class Course(models.Model):
    """A course. ``access_rule`` says who may enrol or have a completion recorded;
    ``awards`` the status its completion is evidence of; ``validity_months`` when a
    refresher falls due (none: it never lapses)."""

    code = models.SlugField(max_length=30, unique=True)
    title = models.CharField(max_length=200)
    delivery = models.CharField(max_length=20, choices=Delivery.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    access_rule = models.CharField(max_length=30, choices=AccessRule.choices)
    awards = models.CharField(max_length=20, choices=Award.choices, blank=True, default="")
    validity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class MoodleCourse(models.Model):
    """Maps a Moodle course shortname to a course (several shortnames may map to
    one course, e.g. versions of it)."""

    shortname = models.CharField(max_length=100, unique=True)
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="moodle_courses")
    history = HistoricalRecords()

    class Meta:
        ordering = ["shortname"]

    def __str__(self) -> str:
        return f"{self.shortname} -> {self.course.code}"


class Enrolment(models.Model):
    """A person enrolled on a course (the access rule was checked on the day)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    enrolled_on = models.DateField()
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The partner whose agreement gave access, if any.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "course"], name="enrolment_once_per_course")
        ]

    def __str__(self) -> str:
        return f"{self.person} on {self.course}"


class Source(models.TextChoices):
    MOODLE = "moodle", "Moodle import"
    EVENT = "event", "Face-to-face event"
    MANUAL = "manual", "Entered by staff"


class Completion(models.Model):
    """A person completed a course on a day.

    ``(source, source_id)`` is unique, so importing the same Moodle row twice, or
    recording the same event attendance twice, adds nothing; ``(person, course,
    completed_on)`` is unique too, so two sources cannot count one completion twice.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="completions")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField()
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    source_id = models.CharField(max_length=200)
    event = models.ForeignKey(
        "TrainingEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="completions"
    )
    import_job = models.ForeignKey(
        "ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="completions"
    )
    # Derived by the service, never typed: the partner the person was staff of
    # on completed_on, for a course that awards Champion status.
    champion_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="champion_completions",
        editable=False,
    )
    valid_until = models.DateField(null=True, blank=True, editable=False)
    certificate_number = models.CharField(max_length=20, unique=True, editable=False)
    verification_code = models.CharField(max_length=12, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="completion_source_once"),
            models.UniqueConstraint(
                fields=["person", "course", "completed_on"], name="completion_person_course_day"
            ),
        ]
        indexes = [
            models.Index(fields=["course", "completed_on"], name="completion_course_day_idx"),
            models.Index(
                fields=["champion_organisation", "completed_on"],
                name="completion_champion_idx",
                condition=Q(champion_organisation__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} completed {self.course} on {self.completed_on}"

    def save(self, *args, **kwargs):
        if not self.verification_code:
            self.verification_code = new_verification_code()
        if not self.certificate_number:
            self.certificate_number = new_certificate_number(self.completed_on)
        super().save(*args, **kwargs)

    @property
    def refresher_due(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()


class TrainingEvent(models.Model):
    """A face-to-face course or training-the-trainer session on one day."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="events")
    held_on = models.DateField()
    venue = models.CharField(max_length=200)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True)
    capacity = models.PositiveSmallIntegerField()
    trainers = models.ManyToManyField(Person, blank=True, related_name="training_events_led")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-held_on"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="event_capacity_positive")
        ]

    def __str__(self) -> str:
        return f"{self.course} at {self.venue} on {self.held_on:%d %b %Y}"


class EventPlace(models.Model):
    """A person booked on an event; ``attended`` is marked on the day.

    Capacity is held by the database twice over: bookings take the event row's
    lock (``select_for_update``) before counting, and each place has a seat
    number, unique per event and never above the capacity the service read
    under that lock, so two bookings can never share the last seat.
    """

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="places")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="event_places")
    seat = models.PositiveSmallIntegerField()
    attended = models.BooleanField(null=True, blank=True)
    booked_at = models.DateTimeField(default=timezone.now, editable=False)
    # Staff who booked on the person's behalf; empty when they booked themselves.
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["seat"]
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="event_place_once"),
            models.UniqueConstraint(fields=["event", "seat"], name="event_place_seat_once"),
            models.CheckConstraint(condition=Q(seat__gte=1), name="event_place_seat_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.event}"


class WaitStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a place"
    ACCEPTED = "accepted", "Took the place"
    EXPIRED = "expired", "Offer expired"
    LEFT = "left", "Left the list"


OPEN_WAIT_STATUSES = (WaitStatus.WAITING, WaitStatus.OFFERED)


class WaitingListEntry(models.Model):
    """A person waiting for a place on a full event, first come first served.

    When a place frees, the first ``waiting`` entry is ``offered`` it until
    ``offer_expires_on`` (``TRAINING_WAITING_OFFER_DAYS``); the place is held
    for them (counted against capacity) until they accept, decline or the
    offer expires, when it goes to the next in line. At most one open entry
    per person and event (a partial unique constraint).
    """

    event = models.ForeignKey(TrainingEvent, on_delete=models.CASCADE, related_name="waiting")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="event_waits")
    status = models.CharField(max_length=10, choices=WaitStatus.choices, default=WaitStatus.WAITING)
    joined_at = models.DateTimeField(default=timezone.now)
    offered_on = models.DateField(null=True, blank=True)
    offer_expires_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["joined_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=Q(status__in=["waiting", "offered"]),
                name="waiting_open_once",
            )
        ]
        verbose_name_plural = "waiting list entries"

    def __str__(self) -> str:
        return f"{self.person} waiting for {self.event} ({self.status})"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "Waiting to start"
    RUNNING = "running", "Importing"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


class ImportJob(models.Model):
    """One uploaded Moodle export and what became of it.

    Rows are committed in batches as they are checked: good rows stay even when
    others are rejected, and every rejected row is an ``ImportRejection`` with
    its line number and reason. Progress is ``processed_rows`` of ``total_rows``.
    """

    file = models.FileField(upload_to="training/imports/")
    original_name = models.CharField(max_length=255)
    size_bytes = models.PositiveBigIntegerField(default=0)
    layout = models.CharField(max_length=10, blank=True)
    course = models.ForeignKey(
        Course,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="For the wide course completion report, which is for one course.",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    status = models.CharField(
        max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    # Learners new to the directory the import added (marked new from Moodle).
    new_people_count = models.PositiveIntegerField(default=0)
    already_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    skipped_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.original_name}"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))

    @property
    def is_finished(self) -> bool:
        return self.status in {ImportStatus.DONE, ImportStatus.FAILED}


class ImportRejection(models.Model):
    """A row of an import that was not recorded, and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejections")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=500)
    excerpt = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["line"]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class MatchDecision(models.TextChoices):
    PENDING = "", "Waiting for staff"
    DIFFERENT = "different", "Different people"
    MERGED = "merged", "Merged"


class PossibleMatch(models.Model):
    """A learner the Moodle import added to the directory whose name matches
    someone already there with another e-mail: listed for staff to confirm
    (different people) or merge, never guessed. One row per pair."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    import_job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decision = models.CharField(
        max_length=10, choices=MatchDecision.choices, blank=True, default=""
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Merging two people drops a match of the merged-away one (it is decided).
    merge_deletes = True

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "candidate"], name="possible_match_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} may be {self.candidate}"


class RefresherReminder(models.Model):
    """A reminder that a status is about to lapse, sent (or claimed) once.

    Unique per (person, completion, days_before): the daily job claims the row
    (committed) before it e-mails, so running the job twice, or two at once,
    reminds nobody twice. ``sent_at`` is stamped when the mail server took it;
    a refused send deletes the row again so the next run retries it.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="refresher_reminders")
    completion = models.ForeignKey(
        Completion, on_delete=models.CASCADE, related_name="refresher_reminders"
    )
    days_before = models.PositiveSmallIntegerField()
    due_on = models.DateField(help_text="The day the status lapses (the completion's valid_until).")
    claimed_on = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-claimed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "completion", "days_before"], name="refresher_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} reminded {self.days_before} days before {self.due_on}"
