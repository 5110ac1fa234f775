"""Partners: the base of the domain.

Organisations (treatment providers, commissioners, strategic partners), their
treatment sites, the local authority areas sites sit in, and the directory of
people: one Person per human and their Affiliations with organisations. No
other app keeps a list of people; they refer to Person.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

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
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="commissioners",
        help_text="For a commissioner: the local authority areas it covers.",
    )
    created_at = models.DateTimeField(default=timezone.now)

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
