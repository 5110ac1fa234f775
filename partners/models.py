"""Partners: the base of the domain.

Organisations (treatment providers, commissioners, strategic partners), their
treatment sites, the local authority areas sites sit in, and the directory of
people: one Person per human and their Affiliations with organisations. No
other app keeps a list of people; they refer to Person.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partners.validators import validate_uk_postcode


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Area(models.Model):
    """A local authority area (ONS code), the unit commissioners cover."""

    ons_code = models.CharField("ONS code", max_length=9, unique=True)
    name = models.CharField(max_length=120)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    region = models.CharField(
        max_length=60, blank=True, help_text="English region, or the nation elsewhere."
    )
    population = models.PositiveIntegerField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationKind(models.TextChoices):
    TREATMENT_PROVIDER = "treatment_provider", "Treatment provider"
    RECOVERY_ORGANISATION = "recovery_organisation", "Recovery organisation"
    PRISON_JUSTICE = "prison_justice", "Prison / justice"
    NHS = "nhs", "NHS"
    STRATEGIC_PARTNER = "strategic_partner", "Strategic partner"
    COMMISSIONER = "commissioner", "Commissioner"


class Organisation(models.Model):
    """A care or treatment organisation, a strategic partner or a commissioner.

    It is a *partner* while it holds a partnership agreement; a commissioner
    (kind ``commissioner``) covers the areas in ``areas`` and may hold a block
    agreement for them.
    """

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    website = models.URLField(blank=True)
    billing_address = models.TextField(
        blank=True, help_text="Where invoices are addressed, one line per line."
    )
    # Invoices to this organisation need its purchase-order number (issue 17).
    requires_po_number = models.BooleanField(
        "needs a purchase-order number on invoices", default=False
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="commissioners",
        help_text="For a commissioner: the local authority areas it covers.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"], name="org_kind_name_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_commissioner(self) -> bool:
        return self.kind == OrganisationKind.COMMISSIONER


class SiteType(models.TextChoices):
    COMMUNITY = "community", "Community treatment service"
    RESIDENTIAL = "residential", "Residential rehabilitation"
    INPATIENT = "inpatient", "Inpatient detox"
    PRISON = "prison", "Prison"
    RECOVERY_HUB = "recovery_hub", "Recovery hub / community venue"
    HOSPITAL = "hospital", "Hospital"
    OTHER = "other", "Other"


class Site(models.Model):
    """A treatment site of an organisation: the unit the licence fee is charged on."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField(max_length=200)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8, validators=[validate_uk_postcode])
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="sites")
    site_type = models.CharField(max_length=20, choices=SiteType.choices)
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["organisation__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="site_closes_after_opening",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    @property
    def address(self) -> str:
        parts = [self.address_line_1, self.address_line_2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


class PersonSource(models.TextChoices):
    DIRECTORY = "directory", "Added by staff"
    MOODLE = "moodle", "New from Moodle"


class Person(models.Model):
    """One record per human. Every app refers to people through this model.

    E-mail is unique without regard to case (when present). ``user`` links the
    person who signs in; ``anonymised_at`` is set when their data is erased
    (the row stays so that counts and financial records keep their shape).
    """

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField("e-mail address", max_length=254, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="person",
    )
    created_at = models.DateTimeField(default=timezone.now)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    # Where the record came from: a learner new to the directory made by the
    # Moodle import waits for staff review (``reviewed_at``).
    source = models.CharField(
        max_length=20, choices=PersonSource.choices, default=PersonSource.DIRECTORY
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="person_email_unique_ci"
            )
        ]
        indexes = [models.Index(Lower("email"), name="person_email_lower_idx")]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_name(self) -> str:
        """First name and initial: what public pages may show of a facilitator."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"


class AffiliationRole(models.TextChoices):
    MAIN_CONTACT = "main_contact", "Main contact"
    BILLING_CONTACT = "billing_contact", "Billing contact"
    SIGNATORY = "signatory", "Signatory"
    STAFF = "staff", "Staff"
    VOLUNTEER = "volunteer", "Volunteer"


# Roles that make someone a contact of the organisation (and so a portal user).
CONTACT_ROLES = frozenset(
    {AffiliationRole.MAIN_CONTACT, AffiliationRole.BILLING_CONTACT, AffiliationRole.SIGNATORY}
)


class AffiliationQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)

    def contacts(self):
        return self.filter(role__in=CONTACT_ROLES)


class Affiliation(models.Model):
    """A person's tie to an organisation in one role, from one date to another.

    History is kept: a tie that ends gets an ``end_date`` and becomes former;
    it is never deleted. At most one current affiliation per person is
    primary; ``partners.services.affiliation_set_primary`` ends the old one.
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="affiliations"
    )
    role = models.CharField(max_length=20, choices=AffiliationRole.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    is_primary = models.BooleanField(default=False)

    objects = AffiliationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="affiliation_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_primary=True, end_date__isnull=True),
                name="affiliation_one_current_primary",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "role"], name="affiliation_org_role_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} - {self.get_role_display()} at {self.organisation}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


# --- The Partnership Scheme: agreements, periods, fees --------------------------------------


class SiteFlag(models.Model):
    """Something about a site that needs a human (e.g. its licence lapsed)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="flags")
    reason = models.CharField(max_length=200)
    raised_on = models.DateField()
    cleared_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_on"]

    def __str__(self) -> str:
        return f"{self.site}: {self.reason}"


class AgreementKind(models.TextChoices):
    SITE_LICENCE = "site_licence", "Site licence"
    BLOCK = "block", "Block agreement"


class Agreement(models.Model):
    """A partnership agreement: a site licence for a partner, or a block
    agreement for a commissioner.

    The agreement is the contract (who, which kind, when signed); its terms are
    ``AgreementPeriod`` rows, one per year, never overwritten at renewal.
    ``signed_on`` is the date the partner took on the duty to encourage peer-led
    meetings, which the meetings app reports against.
    """

    kind = models.CharField(max_length=20, choices=AgreementKind.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements"
    )
    reference = models.CharField(max_length=30, unique=True)
    signed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "-created_at"]
        indexes = [models.Index(fields=["organisation", "kind"], name="agreement_org_kind_idx")]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} - {self.organisation}"

    @property
    def is_block(self) -> bool:
        return self.kind == AgreementKind.BLOCK

    def current_period(self, on=None):
        """The latest period that was ever activated and has started by ``on``."""
        on = on or timezone.localdate()
        return (
            self.periods.filter(activated_on__isnull=False, start_date__lte=on)
            .order_by("-start_date")
            .first()
        )


class PeriodStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACTIVE = "active", "Active"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    RENEWED = "renewed", "Renewed"
    LAPSED = "lapsed", "Lapsed"
    TERMINATED = "terminated", "Terminated"


# Statuses of a period that has been in force (activated at some point).
IN_FORCE_STATUSES = (PeriodStatus.ACTIVE, PeriodStatus.RENEWAL_DUE)
PENDING_STATUSES = (PeriodStatus.DRAFT, PeriodStatus.SENT)


class Standing(models.TextChoices):
    """Where a period stands on a date, by ordered rules on its dates (CiviCRM-style)."""

    PENDING = "pending", "Pending"
    CURRENT = "current", "Current"
    RENEWAL_DUE = "renewal_due", "Renewal due"
    GRACE = "grace", "Grace"
    LAPSED = "lapsed", "Lapsed"
    ENDED = "ended", "Ended"


def _standing_windows(
    renewal_due_days: int | None, grace_days: int | None
) -> tuple[datetime.timedelta, datetime.timedelta]:
    """The two windows of the standing rules: renewal due from this many days
    before the end (the first reminder's day, ``PARTNERS_RENEWAL_DUE_DAYS``),
    grace for this many after it (``PARTNERS_GRACE_DAYS``)."""
    due = settings.PARTNERS_RENEWAL_DUE_DAYS if renewal_due_days is None else renewal_due_days
    grace = settings.PARTNERS_GRACE_DAYS if grace_days is None else grace_days
    return datetime.timedelta(days=due), datetime.timedelta(days=grace)


class AgreementPeriodQuerySet(models.QuerySet):
    def with_standing(self, on: datetime.date) -> "AgreementPeriodQuerySet":
        """Annotate ``standing_then``, the standing on ``on``:
        ``AgreementPeriod.standing`` in SQL,
        rule for rule, so lists filter and count by the same definition."""
        due, grace = _standing_windows(None, None)
        rules = models.Case(
            models.When(terminated_on__lte=on, then=models.Value(Standing.ENDED)),
            models.When(
                Q(activated_on__isnull=True) | Q(start_date__gt=on),
                then=models.Value(Standing.PENDING),
            ),
            models.When(
                status=PeriodStatus.RENEWED, end_date__lt=on, then=models.Value(Standing.ENDED)
            ),
            models.When(status=PeriodStatus.RENEWED, then=models.Value(Standing.CURRENT)),
            models.When(end_date__gt=on + due, then=models.Value(Standing.CURRENT)),
            models.When(end_date__gte=on, then=models.Value(Standing.RENEWAL_DUE)),
            models.When(end_date__gte=on - grace, then=models.Value(Standing.GRACE)),
            default=models.Value(Standing.LAPSED),
            output_field=models.CharField(max_length=20),
        )
        return self.annotate(standing_then=rules)


class AgreementPeriod(models.Model):
    """One term of an agreement: an append-only record (a renewal is a new row).

    Lifecycle: draft -> sent -> active -> renewal due -> renewed | lapsed |
    terminated, with the date of every step kept. A renewal period points at
    the one it follows (``previous``, unique: a period is renewed at most once)
    and stays pending until paid or accepted by staff; the period it follows
    keeps its status until then. A gap between terms stays visible as a gap
    between ``end_date`` and the next ``start_date``.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="periods")
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewal"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=20, choices=PeriodStatus.choices, default=PeriodStatus.DRAFT
    )
    # Block agreements: the negotiated annual amount. Site licences: the fee
    # per site per year in force when the period was drafted (a snapshot, so a
    # later price change never rewrites this term).
    annual_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    site_fee = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    drafted_on = models.DateField()
    sent_on = models.DateField(null=True, blank=True)
    activated_on = models.DateField(null=True, blank=True)
    renewal_due_on = models.DateField(null=True, blank=True)
    renewed_on = models.DateField(null=True, blank=True)
    lapsed_on = models.DateField(null=True, blank=True)
    terminated_on = models.DateField(null=True, blank=True)
    termination_reason = models.CharField(max_length=200, blank=True)
    # The partner confirmed the renewal in the portal; staff accept it.
    confirmed_on = models.DateField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = AgreementPeriodQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="period_ends_after_start"
            ),
            models.UniqueConstraint(fields=["agreement", "start_date"], name="period_unique_start"),
        ]
        indexes = [
            models.Index(fields=["status", "end_date"], name="period_status_end_idx"),
            models.Index(fields=["end_date"], name="period_end_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} {self.start_date:%d %b %Y}-{self.end_date:%d %b %Y}"

    @property
    def licence_fee(self) -> Decimal:
        """The fee per site per year of a site-licence term (copied when drafted)."""
        if self.site_fee is None:
            raise ValueError(f"{self} is a block agreement term: it has no fee per site")
        return self.site_fee

    @property
    def block_amount(self) -> Decimal:
        """The annual amount of a block-agreement term."""
        if self.annual_amount is None:
            raise ValueError(f"{self} is a site-licence term: it has no block amount")
        return self.annual_amount

    @property
    def term_days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def standing(self, on, *, renewal_due_days: int | None = None, grace_days: int | None = None):
        """Where this term stands on ``on``: the first rule that matches.
        ``AgreementPeriod.objects.with_standing(on)`` is the same rules in SQL;
        a test holds the two together at every boundary."""
        due, grace = _standing_windows(renewal_due_days, grace_days)
        if self.terminated_on and self.terminated_on <= on:
            return Standing.ENDED
        if self.activated_on is None or on < self.start_date:
            return Standing.PENDING
        if self.status == PeriodStatus.RENEWED:
            # Its successor is in force: nothing is due, whatever the date.
            return Standing.ENDED if on > self.end_date else Standing.CURRENT
        if self.end_date > on + due:
            return Standing.CURRENT
        if self.end_date >= on:
            return Standing.RENEWAL_DUE
        if self.end_date >= on - grace:
            return Standing.GRACE
        return Standing.LAPSED


class SiteCoverage(models.Model):
    """A site covered by a site-licence period, from ``joined_on`` to ``left_on``
    (the last day covered; open while the site stays)."""

    period = models.ForeignKey(AgreementPeriod, on_delete=models.PROTECT, related_name="coverage")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="coverage")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["period", "site__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="coverage_leaves_after_joining",
            ),
            models.UniqueConstraint(fields=["period", "site"], name="coverage_site_once"),
        ]

    def __str__(self) -> str:
        return f"{self.site} in {self.period}"


class FeeRate(models.Model):
    """The site-licence fee per site per year, from ``effective_from``.

    Price is data: a change is a new row with a later date, so terms drafted
    before it keep the old price (each period snapshots its ``site_fee``).
    """

    effective_from = models.DateField(unique=True)
    site_fee = models.DecimalField(max_digits=10, decimal_places=2)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"£{self.site_fee} per site from {self.effective_from}"


# --- Invoices ----------------------------------------------------------------------------


class VatTreatment(models.TextChoices):
    STANDARD = "standard", "Standard rated"
    EXEMPT = "exempt", "Exempt"
    OUTSIDE_SCOPE = "outside_scope", "Outside the scope of VAT"


class Product(models.Model):
    """What an invoice line sells, with its VAT treatment and ledger code (data,
    because the charity's adviser decides the treatment)."""

    SITE_LICENCE = "site_licence"
    BLOCK_AGREEMENT = "block_agreement"

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    vat_treatment = models.CharField(max_length=20, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Percent, e.g. 20.00."
    )
    account_code = models.CharField(max_length=20, help_text="Ledger account for Xero.")
    xero_tax_type = models.CharField(max_length=40, help_text="e.g. OUTPUT2, EXEMPTOUTPUT, NONE")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoicePurpose(models.TextChoices):
    TERM = "term", "Term fee"
    SITE_ADDITION = "site_addition", "Site added mid-term"
    CORRECTION = "correction", "Correction"
    OTHER = "other", "Other"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"
    PART_PAID = "part_paid", "Part paid"
    PAID = "paid", "Paid"
    VOID = "void", "Void"


OPEN_INVOICE_STATUSES = (InvoiceStatus.ISSUED, InvoiceStatus.PART_PAID)


class InvoiceCounter(models.Model):
    """The next number of a series, in one row locked while an invoice is issued,
    so numbers have no gaps and no duplicates."""

    series = models.CharField(max_length=20, unique=True)
    next_number = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.series} next {self.next_number}"


class Invoice(models.Model):
    """An invoice or credit note. Numbered when issued; once issued never edited
    or deleted (a credit note corrects it). Kept at least six years."""

    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, default="invoice")
    purpose = models.CharField(max_length=20, choices=InvoicePurpose.choices, default="term")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invoices"
    )
    period = models.ForeignKey(
        AgreementPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    credits = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        help_text="For a credit note: the invoice it corrects.",
    )
    number = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    issue_date = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    net_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    vat_total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_paid = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    amount_credited = models.DecimalField(
        max_digits=12, decimal_places=2, default=0, help_text="Total of credit notes against it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-issue_date", "-created_at"]
        constraints = [
            # The renewals job drafts a term's invoice once, however often it runs.
            models.UniqueConstraint(
                fields=["period"],
                condition=Q(kind="invoice", purpose="term") & ~Q(status="void"),
                name="invoice_one_per_term",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=models.F("total")), name="invoice_not_overpaid"
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__lte=models.F("total") - models.F("amount_credited")),
                name="invoice_paid_within_balance",
            ),
            models.CheckConstraint(
                condition=Q(amount_paid__gte=0), name="invoice_paid_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"], name="invoice_status_due_idx")]

    def __str__(self) -> str:
        return self.number or f"Draft {self.get_kind_display().lower()} #{self.pk}"

    @property
    def balance(self):
        """What is still owed: total less payments and credit notes."""
        return self.total - self.amount_paid - self.amount_credited

    @property
    def is_editable(self) -> bool:
        return self.status == InvoiceStatus.DRAFT


class InvoiceLine(models.Model):
    """One line; the product's VAT treatment and rate are copied at drafting."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=10, decimal_places=4, default=1)
    unit_amount = models.DecimalField(max_digits=10, decimal_places=2)
    net_amount = models.DecimalField(max_digits=12, decimal_places=2)
    vat_treatment = models.CharField(max_length=20, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    vat_amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["invoice", "pk"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    """Money received against an invoice; never more than its balance."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    received_on = models.DateField()
    reference = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"£{self.amount} on {self.received_on} for {self.invoice}"


# --- The renewals job --------------------------------------------------------------------


class ReminderKind(models.TextChoices):
    DAYS_60 = "60", "60 days before the end"
    DAYS_30 = "30", "30 days before the end"
    DAYS_7 = "7", "7 days before the end"
    LAPSED = "lapsed", "Lapsed"


class Reminder(models.Model):
    """An e-mail about a period; unique per (period, kind) so it goes at most once.

    The row is the claim: it is committed before the e-mail is handed to the
    mail server, and ``sent_at`` is set once the server has taken it. A row
    with recipients and no ``sent_at`` is a reminder whose sending was cut
    short (a worker killed in between): no run sends it again, and staff see
    it on the renewals page to check by hand."""

    period = models.ForeignKey(AgreementPeriod, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    for_date = models.DateField()
    recipients = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind"], name="reminder_once_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.period}"


class SiteRequestStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SiteRequest(models.Model):
    """A partner's request (from the portal) to add a site: a pending change
    that staff approve, which creates the site, its coverage and an invoice."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="site_requests"
    )
    period = models.ForeignKey(AgreementPeriod, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200)
    address_line_1 = models.CharField(max_length=200)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8, validators=[validate_uk_postcode])
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    site_type = models.CharField(max_length=20, choices=SiteType.choices)
    joins_on = models.DateField()
    quoted_fee = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(
        max_length=20, choices=SiteRequestStatus.choices, default=SiteRequestStatus.PENDING
    )
    requested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    decided_on = models.DateField(null=True, blank=True)
    site = models.ForeignKey(
        Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} for {self.organisation} ({self.get_status_display()})"


class PendingContactStatus(models.TextChoices):
    PENDING = "pending", "Waiting for confirmation"
    LINKED = "linked", "Linked to a person in the directory"
    CREATED = "created", "Added as a new person"
    REJECTED = "rejected", "Rejected"
    SUPERSEDED = "superseded", "Replaced by a later request"


class PendingContact(models.Model):
    """A contact a partner or commissioner named in the portal, waiting for staff.

    The portal never ties a person it cannot already see to the organisation:
    what the partner typed is kept here, apart from the directory, and staff
    decide (link to the person who has that e-mail, add a new person, or
    reject). Until then the portal shows only these typed details, whether or
    not the e-mail is known, so the form is no e-mail-to-name lookup.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pending_contacts"
    )
    role = models.CharField(max_length=20, choices=AffiliationRole.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField("e-mail address", max_length=254)
    phone = models.CharField(max_length=30, blank=True)
    status = models.CharField(
        max_length=20, choices=PendingContactStatus.choices, default=PendingContactStatus.PENDING
    )
    requested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The affiliation the decision made (linked or created), for the record.
    affiliation = models.ForeignKey(
        Affiliation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The main contact asked for the person to be invited to the portal once
    # staff confirm them.
    invite = models.BooleanField("invite them to the portal", default=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # A later request for the same role replaces the earlier one.
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=Q(status="pending"),
                name="pending_contact_one_per_role",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.first_name} {self.last_name} as {self.get_role_display()} "
            f"of {self.organisation} ({self.get_status_display()})"
        )


class Invitation(models.Model):
    """An invitation to sign in to the portal (or, for staff, to smartnet).

    One row per person and account (``invitation_once``), so nobody is invited
    twice however often the bulk invite runs; its e-mail and its one reminder
    are each claimed once (``smartnet.mail``). The link carries a signed,
    expiring token naming this row; it works once (``accepted_at``, set by a
    conditional update when the password is chosen).
    """

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations"
    )
    # The organisation whose affiliation gave the role (none for staff).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["person", "user"], name="invitation_once"),
            # A staff account (no person in the directory) is invited once too.
            models.UniqueConstraint(
                fields=["user"], condition=Q(person__isnull=True), name="invitation_once_staff"
            ),
        ]
        indexes = [
            models.Index(
                fields=["sent_at"],
                name="invitation_unaccepted_idx",
                condition=Q(accepted_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.user}"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "Accepted"
        if self.sent_at:
            return "Sent, not used yet"
        return "Not sent yet"
