"""Meetings: the weekly meetings of the network, who leads them, and how many come.

A Meeting's lifecycle (proposed -> active -> paused -> closed) is kept as dated
``MeetingStatusChange`` rows, and its leadership as dated ``LeadershipPeriod``
rows, so every figure (meetings per week, peer-led share, ...) can be computed
for any past date from the history, never from a counter. Attendance is an
anonymous ``HeadCount`` per session: no attendee is ever named or stored.

Writes go through ``meetings.services``; reads that are more than a filter
live in ``meetings.selectors``.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.models import Organisation, Person, Site
from partners.validators import validate_uk_postcode


class Programme(models.TextChoices):
    SMART = "smart", "SMART Recovery"
    FAMILY_FRIENDS = "family_friends", "Family & Friends"
    PRISON = "prison", "Prisons programme"


class Format(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid (in person and online)"


class Weekday(models.IntegerChoices):
    """Python's numbering (Monday 0); the Meeting Guide feed converts to Sunday 0."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (Status.PROPOSED, Status.ACTIVE, Status.PAUSED)
IN_PERSON_FORMATS = (Format.IN_PERSON, Format.HYBRID)
ONLINE_FORMATS = (Format.ONLINE, Format.HYBRID)


class MeetingQuerySet(models.QuerySet):
    def listed(self):
        """What the public may see anywhere: public, active meetings."""
        return self.filter(is_public=True, status=Status.ACTIVE).exclude(programme=Programme.PRISON)


class Meeting(models.Model):
    """One weekly meeting.

    Guarantees (database constraints): the end time is after the start time; a
    prisons-programme meeting is never public; an online or hybrid meeting has
    a joining link or phone number; an in-person or hybrid meeting has a venue
    (a partner site, or a community venue with a postcode). ``status`` is the
    current state; its dated history is in ``status_changes``.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    programme = models.CharField(max_length=20, choices=Programme.choices, default=Programme.SMART)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    start_time = models.TimeField(help_text="Local time, Europe/London.")
    end_time = models.TimeField(help_text="Local time, Europe/London.")
    format = models.CharField(max_length=10, choices=Format.choices, default=Format.IN_PERSON)

    # Venue: a partner site, or a community venue described here.
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings"
    )
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address_line_1 = models.CharField(max_length=200, blank=True)
    venue_address_line_2 = models.CharField(max_length=200, blank=True)
    venue_town = models.CharField(max_length=100, blank=True)
    venue_postcode = models.CharField(max_length=8, blank=True, validators=[validate_uk_postcode])
    venue_latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    venue_longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    # Set when neither the postcode table nor the lookup service could place
    # the venue's postcode: it stays listed (in its town) and staff see it.
    venue_unplaced = models.BooleanField(default=False, editable=False)
    directions = models.TextField(
        blank=True, help_text="How to find the room, without a map: entrance, floor, buses."
    )
    wheelchair_access = models.BooleanField(default=False)

    # Online joining details.
    conference_url = models.URLField("joining link", blank=True)
    conference_phone = models.CharField("joining phone number", max_length=30, blank=True)
    conference_notes = models.CharField(
        "joining notes", max_length=200, blank=True, help_text="e.g. the meeting ID and passcode."
    )

    notes = models.TextField(blank=True, help_text="Shown to the public as plain text.")
    is_public = models.BooleanField(default=True)
    host = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hosted_meetings",
        help_text="The partner that hosts the meeting, if any.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    # Set once, by a conditional update, the first time the meeting becomes
    # active: the claim that makes ``meeting_started`` go out exactly once.
    first_active_on = models.DateField(null=True, blank=True, editable=False)
    closure_reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MeetingQuerySet.as_manager()
    # Who changed what and when, shown to staff on the meeting's page (issue 9).
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=models.F("start_time")),
                name="meeting_ends_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(programme=Programme.PRISON, is_public=True),
                name="meeting_prison_never_public",
            ),
            models.CheckConstraint(
                condition=Q(format=Format.IN_PERSON)
                | ~Q(conference_url="")
                | ~Q(conference_phone=""),
                name="meeting_online_has_joining_details",
            ),
            models.CheckConstraint(
                condition=Q(format=Format.ONLINE) | Q(site__isnull=False) | ~Q(venue_postcode=""),
                name="meeting_in_person_has_venue",
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="meeting_weekday_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "is_public"], name="meeting_status_public_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_online(self) -> bool:
        return self.format in ONLINE_FORMATS

    @property
    def is_in_person(self) -> bool:
        return self.format in IN_PERSON_FORMATS

    @property
    def venue_label(self) -> str:
        if self.site_id:
            return self.site.name
        return self.venue_name

    @property
    def address_lines(self) -> list[str]:
        if not self.is_in_person:
            return []
        if self.site_id:
            s = self.site
            parts = [s.address_line_1, s.address_line_2, s.town, s.postcode]
        else:
            parts = [
                self.venue_address_line_1,
                self.venue_address_line_2,
                self.venue_town,
                self.venue_postcode,
            ]
        return [p for p in parts if p]

    @property
    def town(self) -> str:
        if self.site_id:
            return self.site.town
        return self.venue_town

    @property
    def postcode(self) -> str:
        if self.site_id:
            return self.site.postcode
        return self.venue_postcode

    @property
    def latitude(self):
        if self.site_id and self.site.latitude is not None:
            return self.site.latitude
        return self.venue_latitude

    @property
    def longitude(self):
        if self.site_id and self.site.longitude is not None:
            return self.site.longitude
        return self.venue_longitude

    @property
    def partner_id(self) -> int | None:
        """The partner the meeting counts for: its host, else its site's organisation."""
        if self.host_id:
            return self.host_id
        return self.site.organisation_id if self.site_id else None


class MeetingStatusChange(models.Model):
    """One dated step of a meeting's lifecycle; never edited or deleted."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(max_length=10, choices=Status.choices)
    on = models.DateField()
    reason = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "on", "pk"]
        indexes = [models.Index(fields=["on"], name="meeting_status_on_idx")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_status_display()} from {self.on}"


class Leadership(models.TextChoices):
    PROFESSIONAL = "professional", "Professionally led"
    CO_FACILITATED = "co_facilitated", "Co-facilitated"
    PEER_LED = "peer_led", "Peer led"


class LeadershipPeriodQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Periods that had begun by ``on`` (default today) and not yet ended: a
        period dated in the future is *planned* and counts only from its date."""
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class LeadershipPeriod(models.Model):
    """A stretch of time a meeting was led one way, by these facilitators.

    Periods of one meeting never overlap; a new period closes the previous one
    the day before it starts (``end_date``), and nothing is overwritten.
    "Transitioned" is the ``start_date`` of the first peer-led period.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="leadership")
    kind = models.CharField(max_length=20, choices=Leadership.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    facilitators = models.ManyToManyField(Person, blank=True, related_name="facilitated_periods")
    note = models.CharField(max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords(m2m_fields=[facilitators])
    objects = LeadershipPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["meeting", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "start_date"], name="leadership_one_start_per_day"
            ),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(end_date__isnull=True),
                name="leadership_one_open_period",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="leadership_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["kind", "start_date"], name="leadership_kind_start_idx")]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_kind_display()} from {self.start_date}"

    @property
    def is_planned(self) -> bool:
        """Recorded ahead of its start: shown as planned, counted from its date."""
        return self.start_date > timezone.localdate()


class HeadCount(models.Model):
    """How many came to one session, anonymously. Never a name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="head_counts")
    held_on = models.DateField("session date")
    attendance = models.PositiveSmallIntegerField()
    new_attendees = models.PositiveSmallIntegerField("of whom new", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "-held_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "held_on"], name="headcount_one_per_session"
            ),
            models.CheckConstraint(
                condition=Q(new_attendees__isnull=True)
                | Q(new_attendees__lte=models.F("attendance")),
                name="headcount_new_within_attendance",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} on {self.held_on}: {self.attendance}"


class NotHeldReason(models.TextChoices):
    HOLIDAY = "holiday", "Holiday (bank holiday, Christmas)"
    VENUE_CLOSED = "venue_closed", "Venue closed"
    NO_FACILITATOR = "no_facilitator", "No facilitator available"
    OTHER = "other", "Another reason"


class SessionNotHeld(models.Model):
    """A week the meeting did not run (a holiday, the venue closed): that
    session is not missing a head count, and none can be recorded for it.

    One record per meeting per session date (a database constraint); a week
    with a head count cannot be marked not held, nor the reverse (checked by
    ``meetings.services`` with the meeting's row locked). A reason from a
    list, no free text: nothing here can name anyone.
    """

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="sessions_not_held")
    held_on = models.DateField("session date")
    reason = models.CharField(max_length=20, choices=NotHeldReason.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "-held_on"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "held_on"], name="notheld_one_per_session"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} on {self.held_on}: not held ({self.get_reason_display()})"


class ProposalKind(models.TextChoices):
    NEW_MEETING = "new_meeting", "New meeting"
    LEADERSHIP = "leadership", "Leadership change"
    CHANGE = "change", "Change of day, time, venue or joining link"


class ProposalStatus(models.TextChoices):
    PENDING = "pending", "Waiting for staff"
    CONFIRMED = "confirmed", "Confirmed"
    DECLINED = "declined", "Declined"


class Proposal(models.Model):
    """A request from a partner (the portal) or a facilitator, for staff to confirm.

    A new meeting is created at once as a *proposed* meeting (not public);
    a leadership change, or a change of the meeting's details (``changes``:
    the proposed values of ``meetings.services.CHANGE_FIELDS``, as text),
    waits here until staff confirm it. ``organisation`` is the partner it came
    through; a facilitator's proposal for a meeting with no host has none.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meeting_proposals",
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=20, choices=ProposalKind.choices)
    leadership_kind = models.CharField(max_length=20, choices=Leadership.choices, blank=True)
    start_date = models.DateField(null=True, blank=True)
    facilitators = models.ManyToManyField(Person, blank=True, related_name="+")
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.meeting}"


class PostcodeCentroid(models.Model):
    """The centre of a UK postcode or postcode district, for distance search.

    ``postcode`` is stored compact and upper case ("M11AA", or the district
    "M1"). Loaded by ``python manage.py load_postcodes FILE``.
    """

    postcode = models.CharField(max_length=8, unique=True)
    is_district = models.BooleanField(default=False)
    place = models.CharField(max_length=100, blank=True, db_index=True)
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    # The local authority's ONS code (ONSPD's ``oslaua``), when the file has it:
    # the site set-up finds a new site's area from it.
    area_code = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
