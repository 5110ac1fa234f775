"""The core's own models: the user who signs in, their second-factor events, and the job outbox.

The core knows no domain app. Which organisations a portal user speaks for is
recorded in ``partners`` (a Person linked to the user, and that Person's
affiliations), not here.
"""

from typing import ClassVar, cast

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from smartnet.roles import STAFF_ROLES, Role


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("email: an e-mail address is required")
        user = cast("User", self.model(email=self.normalize_email(email).lower(), **extra))
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("role", Role.STAFF_ADMIN)
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Logs in by e-mail; holds exactly one role.

    ``is_staff`` (entry to the Django admin) is derived from the role on save:
    staff roles have it, nobody else does.
    """

    # Stored lower-cased (save() sees to it), so a plain unique index is case-insensitive.
    email = models.EmailField("e-mail address", max_length=254, unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, editable=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Who changed the role or (de)activated the account, and when; never the
    # password or sign-in times.
    history = HistoricalRecords(excluded_fields=["password", "last_login", "date_joined"])

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        self.is_staff = self.role in STAFF_ROLES
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def has_known_role(self) -> bool:
        return self.role in Role.values

    @property
    def is_staff_role(self) -> bool:
        return self.role in STAFF_ROLES


class OutboxTask(models.Model):
    """A Celery task that was committed but not yet handed to the broker.

    ``smartnet.queue.enqueue`` writes one in the same transaction as the change
    that needs it, then hands it to the broker after commit. If the broker is
    down the row stays pending and ``flush_outbox`` sends it later, so a job is
    never lost because Redis was away. The task's service is idempotent, so the
    rare resend after a crash between send and mark does nothing twice.
    """

    task_name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"


class JobRun(models.Model):
    """One run of a scheduled job for one key (usually a date).

    The unique (job, key) pair is what makes a daily job run once per day even
    when two workers start it together: the second insert fails and that
    worker stops. ``summary`` is what the run did, for the staff report.
    """

    job = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="jobrun_once")]
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.job} {self.key}"


class TwoFactorEvent(models.Model):
    """A second factor added, or reset by a staff admin: who, by whom, when.

    The staff two-factor screen lists these as the audit of each account's
    second factor; the account holder gets exactly one notice for each
    (smartnet.emails, claimed by ``smartnet.mail``).
    """

    class Kind(models.TextChoices):
        ADDED = "added", "Authenticator app added"
        RESET = "reset", "Reset by a staff admin"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="two_factor_events")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # Who did it: the user themself for ADDED, the staff admin for RESET.
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class MailClaim(models.Model):
    """One e-mail that is to be sent once: the claim on ``(kind, key)``.

    ``smartnet.mail.send_once`` creates the row (committed) before handing the
    message to the mail server and stamps ``sent_at`` after the server took
    it, so an e-mail is sent at most once whatever retries or second workers
    do. A send that fails deletes the row again (the claim is given back, so a
    retry sends it); a row left without ``sent_at`` means a worker stopped
    between the two steps: its outcome is unknown and staff are shown it.
    """

    kind = models.CharField(max_length=60)
    key = models.CharField(max_length=120)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=250, blank=True)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="mailclaim_once")]
        indexes = [
            models.Index(
                fields=["claimed_at"],
                name="mailclaim_unsent_idx",
                condition=models.Q(sent_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
