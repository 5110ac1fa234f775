"""Partners' demo data: areas, ~300 partner organisations with ~500 sites, 40
commissioners with block agreements, four years of yearly terms (a few lapse,
nearly all renew), their invoices and payments, contacts, and a partner-contact
and a commissioner-contact login. Everything by bulk_create, deterministic from
``ctx.rng`` and ``ctx.today``.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, CharField, Value, When
from django.db.models.functions import Cast, Concat, Greatest, Length, LPad

from partners.defaults import ensure_defaults
from partners.management.commands.load_areas import SAMPLE
from partners.models import (
    Affiliation,
    AffiliationRole,
    Agreement,
    AgreementKind,
    AgreementPeriod,
    Area,
    Invoice,
    InvoiceCounter,
    InvoiceKind,
    InvoiceLine,
    InvoicePurpose,
    InvoiceStatus,
    Organisation,
    OrganisationKind,
    Payment,
    PeriodStatus,
    Person,
    Product,
    Site,
    SiteCoverage,
    SiteType,
)
from partners.services import areas_load, coverage_fee, one_year_from
from smartnet.demo import DemoContext, make_user
from smartnet.roles import Role

# Outward postcode and a point near the centre of each sample area.
AREA_PLACES = {
    "E08000001": ("BL1", 53.578, -2.429),
    "E08000002": ("BL9", 53.593, -2.298),
    "E08000003": ("M1", 53.479, -2.245),
    "E08000004": ("OL1", 53.541, -2.117),
    "E08000005": ("OL16", 53.616, -2.155),
    "E08000006": ("M5", 53.483, -2.293),
    "E08000007": ("SK1", 53.408, -2.149),
    "E08000008": ("OL6", 53.489, -2.098),
    "E08000009": ("M33", 53.425, -2.323),
    "E08000010": ("WN1", 53.545, -2.632),
    "E08000011": ("L36", 53.415, -2.845),
    "E08000012": ("L1", 53.405, -2.980),
    "E08000013": ("WA10", 53.453, -2.737),
    "E08000014": ("L20", 53.446, -2.993),
    "E08000015": ("CH41", 53.393, -3.014),
    "E08000016": ("S70", 53.553, -1.482),
    "E08000017": ("DN1", 53.523, -1.133),
    "E08000018": ("S60", 53.430, -1.357),
    "E08000019": ("S1", 53.381, -1.470),
    "E08000032": ("BD1", 53.795, -1.759),
    "E08000035": ("LS1", 53.797, -1.548),
    "E08000036": ("WF1", 53.683, -1.499),
    "E06000010": ("HU1", 53.744, -0.332),
    "E08000021": ("NE1", 54.973, -1.614),
    "E06000001": ("TS24", 54.686, -1.212),
    "E06000002": ("TS1", 54.576, -1.235),
    "E08000025": ("B1", 52.480, -1.903),
    "E08000026": ("CV1", 52.408, -1.511),
    "E06000015": ("DE1", 52.922, -1.477),
    "E06000016": ("LE1", 52.637, -1.135),
    "E06000018": ("NG1", 52.954, -1.158),
    "E09000001": ("EC2V", 51.515, -0.092),
    "E09000007": ("NW1", 51.539, -0.142),
    "E09000022": ("SW9", 51.466, -0.115),
    "E09000028": ("SE1", 51.503, -0.088),
    "E09000033": ("W1D", 51.513, -0.136),
    "E06000023": ("BS1", 51.455, -2.588),
    "E06000052": ("TR1", 50.263, -5.051),
    "E06000043": ("BN1", 50.822, -0.137),
    "E06000044": ("PO1", 50.799, -1.091),
    "E06000045": ("SO14", 50.904, -1.404),
    "S12000033": ("AB10", 57.145, -2.103),
    "S12000034": ("AB51", 57.284, -2.374),
    "S12000036": ("EH1", 55.953, -3.189),
    "S12000042": ("DD1", 56.462, -2.971),
    "S12000047": ("KY1", 56.111, -3.161),
    "S12000049": ("G1", 55.861, -4.250),
    "S12000017": ("IV1", 57.478, -4.224),
    "S12000050": ("ML1", 55.789, -3.991),
    "S12000029": ("ML3", 55.777, -4.057),
    "W06000001": ("LL77", 53.257, -4.310),
    "W06000002": ("LL55", 53.140, -4.273),
    "W06000006": ("LL11", 53.046, -2.993),
    "W06000011": ("SA1", 51.621, -3.944),
    "W06000015": ("CF10", 51.481, -3.179),
    "W06000016": ("CF37", 51.601, -3.342),
    "W06000022": ("NP20", 51.588, -2.998),
}
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
KINDS = [
    (OrganisationKind.TREATMENT_PROVIDER, 0.55),
    (OrganisationKind.RECOVERY_ORGANISATION, 0.2),
    (OrganisationKind.NHS, 0.15),
    (OrganisationKind.PRISON_JUSTICE, 0.08),
    (OrganisationKind.STRATEGIC_PARTNER, 0.02),
]
NAME_A = [
    "North",
    "South",
    "East",
    "West",
    "Central",
    "City",
    "County",
    "Coastal",
    "Valley",
    "Riverside",
]
NAME_B = [
    "Recovery",
    "Addiction",
    "Wellbeing",
    "Turning Point",
    "Horizons",
    "Pathways",
    "New Leaf",
    "Bridges",
    "Compass",
    "Lighthouse",
]
NAME_C = ["Services", "Trust", "Project", "Partnership", "Network", "Foundation", "CIC", "Alliance"]
FIRST = [
    "Sam",
    "Alex",
    "Jo",
    "Chris",
    "Pat",
    "Morgan",
    "Jamie",
    "Robin",
    "Kim",
    "Lee",
    "Ali",
    "Nia",
    "Rhys",
    "Eilidh",
    "Callum",
]
LAST = [
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
    "Campbell",
    "Stewart",
    "Patel",
    "Khan",
    "Hughes",
]
STREETS = ["High Street", "Station Road", "Church Lane", "Market Street", "Park Road"]
LAPSE_RATE = 0.06  # "nearly all partners renewed year on year"
BLOCK_LAPSE_RATE = 0.3


def _postcode(ctx: DemoContext, outward: str) -> str:
    letters = ctx.rng.choice(INWARD_LETTERS) + ctx.rng.choice(INWARD_LETTERS)
    return f"{outward} {ctx.rng.randrange(1, 10)}{letters}"


def _term(period) -> str:
    return f"{period.start_date:%d/%m/%Y}-{period.end_date:%d/%m/%Y}"


def _pick_kind(ctx: DemoContext) -> str:
    roll, total = ctx.rng.random(), 0.0
    for kind, share in KINDS:
        total += share
        if roll < total:
            return kind
    return KINDS[0][0]


def _terms(ctx: DemoContext, start: datetime.date, today: datetime.date, lapse_rate=LAPSE_RATE):
    """Yearly terms from ``start`` up to the one covering today; maybe a lapse."""
    terms = []
    while start <= today:
        end = one_year_from(start)
        terms.append((start, end))
        if end < today - datetime.timedelta(days=60) and ctx.rng.random() < lapse_rate:
            return terms, True
        start = end + datetime.timedelta(days=1)
    return terms, False


def seed(ctx: DemoContext) -> None:
    ensure_defaults()
    areas_load(text=SAMPLE.read_text(encoding="utf-8"))
    today = ctx.today
    rng = ctx.rng
    areas = list(Area.objects.order_by("ons_code"))
    first_day = today - datetime.timedelta(days=4 * 365)
    products = {p.code: p for p in Product.objects.all()}
    site_fee = Decimal("500.00")

    # --- Organisations ------------------------------------------------------------------
    n_partners, n_commissioners = ctx.count(300), ctx.count(40)
    orgs = []
    for i in range(n_partners):
        name = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)} {rng.choice(NAME_C)} {i + 1}"
        orgs.append(
            Organisation(
                name=name,
                slug=f"partner-{i + 1}",
                kind=_pick_kind(ctx),
                charity_number=str(1_050_000 + i) if rng.random() < 0.7 else "",
                company_number=f"{7_000_000 + i:08d}" if rng.random() < 0.5 else "",
            )
        )
    for i in range(n_commissioners):
        area = areas[i % len(areas)]
        orgs.append(
            Organisation(
                name=f"{area.name} Council commissioning {i + 1}"
                if area.nation != "scotland"
                else f"{area.name} Alcohol and Drug Partnership {i + 1}",
                slug=f"commissioner-{i + 1}",
                kind=OrganisationKind.COMMISSIONER,
            )
        )
    Organisation.objects.bulk_create(orgs)
    orgs = list(Organisation.objects.order_by("pk"))
    partners = [o for o in orgs if o.kind != OrganisationKind.COMMISSIONER]
    commissioners = [o for o in orgs if o.kind == OrganisationKind.COMMISSIONER]
    area_links = []
    commissioner_areas: dict[int, list[Area]] = {}
    for i, org in enumerate(commissioners):
        covered = [areas[i % len(areas)]]
        if rng.random() < 0.3:
            covered.append(areas[(i + 17) % len(areas)])
        commissioner_areas[org.pk] = covered
        area_links += [
            Organisation.areas.through(organisation_id=org.pk, area_id=a.pk) for a in covered
        ]
    Organisation.areas.through.objects.bulk_create(area_links, ignore_conflicts=True)

    # --- Sites: every partner has one, the rest spread (500 in all at scale 1) -------------
    n_sites = ctx.count(500)
    owners = partners + [rng.choice(partners) for _ in range(n_sites - len(partners))]
    sites = []
    for i, org in enumerate(owners):
        area = rng.choice(areas)
        outward, lat, lon = AREA_PLACES.get(area.ons_code, ("M1", 53.48, -2.24))
        sites.append(
            Site(
                organisation=org,
                name=f"{org.name.rsplit(' ', 1)[0]} - {area.name.split(',')[0]} {i + 1}",
                address_line_1=f"{rng.randrange(1, 300)} {rng.choice(STREETS)}",
                town=area.name.split(",")[0],
                postcode=_postcode(ctx, outward),
                area=area,
                site_type=rng.choice(SiteType.values),
                latitude=Decimal(str(round(lat + rng.uniform(-0.03, 0.03), 5))),
                longitude=Decimal(str(round(lon + rng.uniform(-0.03, 0.03), 5))),
            )
        )
    Site.objects.bulk_create(sites)
    sites_by_org: dict[int, list[Site]] = defaultdict(list)
    for site in Site.objects.order_by("pk"):
        sites_by_org[site.organisation_id].append(site)

    # --- Agreements and their terms ---------------------------------------------------------
    plans = []  # (org, kind, signed_on, terms, lapsed, annual_amount)
    for org in commissioners:
        start = first_day + datetime.timedelta(days=rng.randrange(0, 3 * 365))
        # Commissioners' budgets come and go: block agreements lapse more often.
        terms, lapsed = _terms(ctx, start, today, lapse_rate=BLOCK_LAPSE_RATE)
        amount = Decimal(rng.choice([6000, 8000, 10000, 12500, 15000]))
        plans.append(
            (
                org,
                AgreementKind.BLOCK,
                start - datetime.timedelta(days=rng.randrange(5, 40)),
                terms,
                lapsed,
                amount,
            )
        )
    for i, org in enumerate(partners):
        # Growth: the first ~15% were partners four years ago, the rest joined since.
        if i < len(partners) * 0.15:
            start = first_day - datetime.timedelta(days=rng.randrange(0, 200))
        else:
            start = first_day + datetime.timedelta(
                days=int((today - first_day).days * rng.random() ** 0.8)
            )
        start = min(start, today - datetime.timedelta(days=10))
        terms, lapsed = _terms(ctx, start, today)
        plans.append(
            (
                org,
                AgreementKind.SITE_LICENCE,
                start - datetime.timedelta(days=rng.randrange(5, 40)),
                terms,
                lapsed,
                None,
            )
        )
    agreements = [
        Agreement(kind=kind, organisation=org, reference=f"TMP-{n}", signed_on=signed)
        for n, (org, kind, signed, *_rest) in enumerate(plans)
    ]
    Agreement.objects.bulk_create(agreements)
    # References from the ids, in one UPDATE (bulk_update's CASE over every row
    # grows with the square of the rows: minutes at scale 100).
    number = Cast("pk", CharField())
    Agreement.objects.update(
        reference=Concat(
            Case(When(kind=AgreementKind.BLOCK, then=Value("BA-")), default=Value("SL-")),
            LPad(number, Greatest(Value(6), Length(number)), Value("0")),
        )
    )
    agreements = list(Agreement.objects.order_by("pk"))

    grace = datetime.timedelta(days=30)
    periods = []
    for agreement, (_org, kind, signed, terms, lapsed, amount) in zip(
        agreements, plans, strict=True
    ):
        for n, (start, end) in enumerate(terms):
            last = n == len(terms) - 1
            if not last:
                status = PeriodStatus.RENEWED
            elif lapsed or end + grace < today:
                status = PeriodStatus.LAPSED
            elif end - datetime.timedelta(days=30) <= today:
                status = PeriodStatus.RENEWAL_DUE
            else:
                status = PeriodStatus.ACTIVE
            drafted = (start - datetime.timedelta(days=30)) if n else signed
            periods.append(
                AgreementPeriod(
                    agreement=agreement,
                    start_date=start,
                    end_date=end,
                    status=status,
                    drafted_on=drafted,
                    sent_on=drafted,
                    activated_on=max(drafted, signed)
                    + datetime.timedelta(days=rng.randrange(0, 20)),
                    renewal_due_on=end - datetime.timedelta(days=30)
                    if status
                    in (PeriodStatus.RENEWED, PeriodStatus.RENEWAL_DUE, PeriodStatus.LAPSED)
                    else None,
                    renewed_on=end - datetime.timedelta(days=rng.randrange(1, 25))
                    if status == PeriodStatus.RENEWED
                    else None,
                    lapsed_on=end + grace + datetime.timedelta(days=1)
                    if status == PeriodStatus.LAPSED
                    else None,
                    site_fee=None if kind == AgreementKind.BLOCK else site_fee,
                    annual_amount=amount,
                )
            )
    AgreementPeriod.objects.bulk_create(periods)
    periods = list(
        AgreementPeriod.objects.select_related("agreement").order_by("agreement_id", "start_date")
    )
    previous_links = []
    for before, after in zip(periods, periods[1:], strict=False):
        if before.agreement_id == after.agreement_id:
            after.previous_id = before.pk
            previous_links.append(after)
    AgreementPeriod.objects.bulk_update(previous_links, ["previous"], batch_size=500)

    # Block windows by area, for the per-site exemption.
    windows: dict[int, list[tuple[datetime.date, datetime.date]]] = defaultdict(list)
    for period in periods:
        if period.agreement.kind == AgreementKind.BLOCK:
            for area in commissioner_areas[period.agreement.organisation_id]:
                windows[area.pk].append((period.start_date, period.end_date))

    # --- Coverage, invoices, lines, payments ---------------------------------------------------
    coverage, invoices, lines_for = [], [], []
    for period in periods:
        agreement = period.agreement
        issue = (
            period.drafted_on
            if period.previous_id is None
            else period.start_date - datetime.timedelta(days=30)
        )
        issue = min(issue, today)
        if agreement.kind == AgreementKind.BLOCK:
            product = products[Product.BLOCK_AGREEMENT]
            lines = [
                (
                    product,
                    f"Block agreement {agreement.reference}, {_term(period)}",
                    period.annual_amount,
                )
            ]
        else:
            product = products[Product.SITE_LICENCE]
            lines = []
            for site in sites_by_org[agreement.organisation_id]:
                coverage.append(SiteCoverage(period=period, site=site, joined_on=period.start_date))
                amount, _, block_days = coverage_fee(
                    site_fee=site_fee,
                    term_start=period.start_date,
                    term_end=period.end_date,
                    joined_on=period.start_date,
                    windows=windows.get(site.area_id, []),
                    charging="pro_rata",
                )
                text = f"Site licence: {site.name}, {_term(period)}"
                if block_days:
                    text += f" ({block_days} days paid by a block agreement)"
                lines.append((product, text, amount))
        total = sum((amount for _, _, amount in lines), Decimal(0))
        invoices.append(
            Invoice(
                organisation_id=agreement.organisation_id,
                period=period,
                purpose=InvoicePurpose.TERM,
                kind=InvoiceKind.INVOICE,
                issue_date=issue,
                due_date=issue + datetime.timedelta(days=30),
                net_total=total,
                total=total,
            )
        )
        lines_for.append(lines)
    SiteCoverage.objects.bulk_create(coverage, batch_size=2000)
    # Numbers in issue order, from the series counter, with no gaps.
    order = sorted(range(len(invoices)), key=lambda i: (invoices[i].issue_date, i))
    for number, i in enumerate(order, start=1):
        invoices[i].number = f"INV-{number:06d}"
    payments = []
    for invoice in invoices:
        days_since_due = (today - invoice.due_date).days
        roll = rng.random()
        if invoice.total == 0:
            invoice.status = InvoiceStatus.PAID
        elif days_since_due > 60 or (days_since_due > 0 and roll < 0.75):
            invoice.status, invoice.amount_paid = InvoiceStatus.PAID, invoice.total
        elif days_since_due > -20 and roll < 0.85:
            invoice.status = InvoiceStatus.PART_PAID
            invoice.amount_paid = (invoice.total / 2).quantize(Decimal("0.01"))
        else:
            invoice.status = InvoiceStatus.ISSUED
    Invoice.objects.bulk_create(invoices, batch_size=1000)
    InvoiceCounter.objects.filter(series="INV").update(next_number=len(invoices) + 1)
    invoices = list(Invoice.objects.order_by("pk"))
    line_rows = []
    for invoice, lines in zip(invoices, lines_for, strict=True):
        for product, text, amount in lines:
            line_rows.append(
                InvoiceLine(
                    invoice=invoice,
                    product=product,
                    description=text[:300],
                    quantity=1,
                    unit_amount=amount,
                    net_amount=amount,
                    vat_treatment=product.vat_treatment,
                    vat_rate=product.vat_rate,
                    vat_amount=Decimal("0.00"),
                )
            )
        if invoice.amount_paid:
            received = min(
                invoice.due_date + datetime.timedelta(days=rng.randrange(-25, 40)), today
            )
            payments.append(
                Payment(
                    invoice=invoice,
                    amount=invoice.amount_paid,
                    received_on=max(received, invoice.issue_date),
                    reference=f"BACS {invoice.number}",
                )
            )
    InvoiceLine.objects.bulk_create(line_rows, batch_size=2000)
    Payment.objects.bulk_create(payments, batch_size=2000)

    # --- Contacts ---------------------------------------------------------------------------
    people = []
    for org in orgs:
        first, last = rng.choice(FIRST), rng.choice(LAST)
        people.append(
            Person(
                first_name=first,
                last_name=last,
                email=f"{first}.{last}.{org.slug}@partner.example".lower(),
            )
        )
    Person.objects.bulk_create(people)
    people = list(Person.objects.filter(email__endswith="@partner.example").order_by("pk"))
    ties = []
    for org, person in zip(orgs, people, strict=True):  # both in creation order
        ties.append(
            Affiliation(
                person=person,
                organisation=org,
                role=AffiliationRole.MAIN_CONTACT,
                start_date=first_day - datetime.timedelta(days=30),
                is_primary=True,
            )
        )
    Affiliation.objects.bulk_create(ties)

    # --- Demo logins: a partner with an agreement in force, and a commissioner --------------
    live = {
        p.agreement.organisation_id
        for p in periods
        if p.status in (PeriodStatus.ACTIVE, PeriodStatus.RENEWAL_DUE)
    }
    partner = next(o for o in partners if o.pk in live)
    commissioner = next(o for o in commissioners if o.pk in live)
    for org, email, name, role in (
        (partner, "partner@smartnet.example", "Parveen Partner", Role.PARTNER_CONTACT),
        (
            commissioner,
            "commissioner@smartnet.example",
            "Connor Commissioner",
            Role.COMMISSIONER_CONTACT,
        ),
    ):
        user = make_user(ctx, email=email, full_name=name, role=role)
        first, last = name.split(" ")
        person = Person.objects.create(first_name=first, last_name=last, email=email, user=user)
        Affiliation.objects.create(
            person=person, organisation=org, role=AffiliationRole.MAIN_CONTACT, start_date=first_day
        )
    ctx.shared["partners_partner_org_id"] = partner.pk
    ctx.shared["partners_commissioner_org_id"] = commissioner.pk
    ctx.log(
        f"partners: {len(partners)} partners, {len(sites)} sites, "
        f"{len(commissioners)} commissioners, "
        f"{len(periods)} terms, {len(invoices)} invoices, {len(payments)} payments"
    )
