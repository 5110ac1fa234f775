"""No portal page, PDF, export or htmx fragment shows another organisation's data.

Two partners (Alfa and Bravo) and two commissioners (Charlie covers area X,
Delta area Y) each get a full set of records whose every visible string is a
marker unique to its owner: organisation, agreement reference, sites and
towns, contacts and staff (names and e-mail addresses), invoice numbers,
certificate numbers and verification codes, site requests, meetings and
their facilitators, leadership proposals, a materials parcel. Alfa and Bravo
each have one site in area X and one in area Y.

Then, signed in as Alfa's partner contact and as Charlie's commissioner
contact, the test walks every URL pattern under /portal/ (read from the URL
resolver, so a new portal page is walked without being listed here):

- each page with the viewer's own object ids, plainly and as an htmx request
  (HX-Request), and with ``?organisation=`` set to every other
  organisation's id; PDFs are read back as text with pypdf and their
  metadata and headers (file name) checked too;
- each page with an object id, with every other organisation's object of
  that kind instead: 404, also as an htmx request and as a POST;
- each page POSTed with another organisation's id in the body;
- and fails if any response holds a marker the viewer must not see, or if
  any marker the viewer should see never appears (the data is really shown).

A partner contact sees only its own markers. A commissioner contact sees its
own, and the sites and meetings in the area it covers (with the partners'
names there), never who facilitates them, nor a partner's invoices, contacts,
staff, certificates or requests, nor anything in another area.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field

import pytest
import time_machine
from django.apps import apps
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from materials.models import Status
from meetings import services as meeting_services
from partners import services
from partners.models import AffiliationRole, AgreementPeriod, SiteCoverage, SiteType
from smartnet.roles import Role
from tests.access import patterns_under
from tests.factories import (
    AffiliationFactory,
    AreaFactory,
    CommissionerFactory,
    OrganisationFactory,
    PersonFactory,
    SiteFactory,
    UserFactory,
)
from tests.materials.factories import make_dispatch, make_item
from tests.meetings.factories import make_meeting
from tests.partners.factories import make_block, make_partner
from tests.training.factories import intro_course
from tests.trust.tried import TRIED
from training import services as training_services

D = datetime.date
TODAY = D(2025, 12, 10)
OWNERS = {"A": "Alfa", "B": "Bravo", "C": "Charlie", "D": "Delta"}

# Which object each id in a portal URL is; a portal URL with a keyword not
# listed here fails the test until it is added.
OBJECT_KIND = {
    "portal:invoice_pdf": "invoice",
    "portal:renewal_confirm": "renewal",
    "meetings_portal:detail": "meeting",
    "meetings_portal:head_count": "meeting",
    "meetings_portal:not_held": "meeting",
    "meetings_portal:change": "meeting",
    "meetings_portal:leadership": "meeting",
    "meetings_portal:people_search": "meeting",
    "training_portal:certificate": "completion",
}
# Portal URLs whose object no organisation owns, and why; not walked with ids.
SHARED = {
    "training_portal:event": "a training event is the charity's, open to every eligible person",
}
# The apps whose tables must not change when a refused request is made.
PROJECT_APPS = ("smartnet", "partners", "training", "meetings", "materials", "board")


@dataclass(frozen=True)
class Marker:
    text: str
    owner: str  # "A", "B", "C" or "D"
    # "X" or "Y": also visible to the commissioner of that area.
    area: str | None = None
    # Some portal page is expected to show it to whoever may see it.
    shown: bool = True


@dataclass
class Org:
    key: str
    organisation: object = None
    contact_user: object = None
    objects: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class LeakWorld:
    orgs: dict[str, Org]
    markers: list[Marker]
    area_of_meeting: dict[int, str]

    def add(self, text: str, owner: str, *, area: str | None = None, shown: bool = True) -> str:
        assert all(text.lower() not in m.text.lower() for m in self.markers), text
        assert all(m.text.lower() not in text.lower() for m in self.markers), text
        self.markers.append(Marker(text, owner, area, shown))
        return text


def _name(world: LeakWorld, owner: str, what: str, area: str | None = None, shown=True):
    return world.add(f"{OWNERS[owner]}{what}", owner, area=area, shown=shown)


def _person(world, owner, what, *, area=None, shown=True, user=None):

    first = _name(world, owner, f"{what}First", area, shown)
    last = _name(world, owner, f"{what}Last", area, shown)
    # Portal pages name a person; only the contacts page gives their e-mail.
    email = world.add(
        f"{OWNERS[owner].lower()}{what.lower()}mail@example.org",
        owner,
        shown=shown and what == "Contact",
    )
    return PersonFactory(first_name=first, last_name=last, email=email, user=user)


def build_leak_world() -> LeakWorld:

    world = LeakWorld(orgs={}, markers=[], area_of_meeting={})
    areas = {
        "X": AreaFactory(ons_code="E06009901", name="Xdale"),
        "Y": AreaFactory(ons_code="E06009902", name="Ywick"),
    }
    poster = make_item("poster", stock=100)
    start = D(2025, 1, 1)

    def contact(org: Org, kind_role: str) -> None:
        owner = org.key
        user = UserFactory(
            email=f"{OWNERS[owner].lower()}.portal@example.org",
            role=kind_role,
            full_name=f"{OWNERS[owner]} viewer",
        )
        person = _person(world, owner, "Contact", user=user)
        AffiliationFactory(
            person=person, organisation=org.organisation, role=AffiliationRole.MAIN_CONTACT
        )
        org.contact_user = user

    def staff_completion(org: Org) -> None:
        owner = org.key
        person = _person(world, owner, "Staff")
        AffiliationFactory(person=person, organisation=org.organisation, role="staff")
        completion = training_services.completion_record(
            person=person, course=intro_course(), completed_on=D(2025, 3, 1)
        )
        world.add(completion.certificate_number, owner, shown=True)
        world.add(completion.verification_code, owner, shown=True)
        org.objects["completion"] = [completion.pk]

    def invoices(org: Org, agreement) -> None:
        owner = org.key
        period = agreement.periods.get()
        invoice = services.invoice_draft(
            organisation=org.organisation,
            period=period,
            purpose="term",
            lines=services.period_lines(period),
        )
        services.invoice_issue(invoice=invoice, today=start)
        invoice.refresh_from_db()
        world.add(invoice.number, owner)
        services.payment_record(
            invoice=invoice,
            amount=invoice.total,
            received_on=D(2025, 1, 20),
            reference=_name(world, owner, "PayRef", shown=False),
        )
        renewal = services.renewal_draft(period=period, today=D(2025, 12, 1))
        org.objects["invoice"] = [invoice.pk]
        org.objects["renewal"] = [renewal.pk]

    # --- The partners: a site in each area, meetings there, staff, parcels.
    for key in ("A", "B"):
        org = Org(key)
        world.orgs[key] = org
        name = _name(world, key, "Org", area="X")
        org.organisation = OrganisationFactory(
            name=name, slug=name.lower(), charity_number=_name(world, key, "Charity")
        )
        agreement = make_partner(org.organisation, signed_on=start, start=start, sites=0)
        agreement.reference = _name(world, key, "AgrRef")
        agreement.save(update_fields=["reference"])
        period = agreement.periods.get()
        org.objects["meeting"] = []
        for area_key, area in areas.items():
            site = SiteFactory(
                organisation=org.organisation,
                area=area,
                name=_name(world, key, f"Site{area_key}", area=area_key),
                address_line_1=_name(world, key, f"Street{area_key}", area=area_key, shown=False),
                town=_name(world, key, f"Town{area_key}", area=area_key),
            )
            SiteCoverage.objects.create(period=period, site=site, joined_on=start)
            # Named only to the partner that has them: a commissioner never
            # sees who facilitates (health data), only that someone does.
            facilitator = _person(world, key, f"Facil{area_key}")
            AffiliationFactory(person=facilitator, organisation=org.organisation, role="staff")
            meeting = make_meeting(
                host=org.organisation,
                site=site,
                started_on=D(2025, 3, 4),
                facilitators=[facilitator],
                name=_name(world, key, f"Meeting{area_key}", area=area_key),
            )
            org.objects["meeting"].append(meeting.pk)
            world.area_of_meeting[meeting.pk] = area_key
            meeting_services.proposal_leadership_change(
                organisation=org.organisation,
                meeting=meeting,
                kind="professional",
                start_date=D(2026, 1, 6),
                facilitators=[facilitator],
                note=_name(world, key, f"Proposal{area_key}", shown=False),
            )
            make_dispatch(
                {poster: 5},
                status=Status.SUBMITTED,
                person=facilitator,
                meeting_id=meeting.pk,
                contact_name=_name(world, key, f"Parcel{area_key}", shown=False),
                contact_email=f"{OWNERS[key].lower()}parcel{area_key.lower()}@example.org",
            )
        contact(org, Role.PARTNER_CONTACT)
        staff_completion(org)
        invoices(org, agreement)
        services.site_request_create(
            organisation=org.organisation,
            person=None,
            name=_name(world, key, "SiteRequest"),
            address_line_1="1 New Road",
            address_line_2="",
            town="Newtown",
            postcode="M1 1AA",
            area_code=areas["X"].ons_code,
            site_type=SiteType.COMMUNITY,
            joins_on=D(2025, 12, 15),
        )

    # Alfa's contact used to be Bravo's main contact: that tie has ended.
    AffiliationFactory(
        person=world.orgs["A"].contact_user.person,
        organisation=world.orgs["B"].organisation,
        role=AffiliationRole.MAIN_CONTACT,
        start_date=D(2019, 1, 1),
        end_date=D(2023, 6, 30),
    )

    # --- The commissioners: a block agreement for one area each.
    for key, area_key in (("C", "X"), ("D", "Y")):
        org = Org(key)
        world.orgs[key] = org
        name = _name(world, key, "Council")
        org.organisation = CommissionerFactory(name=name, slug=name.lower())
        agreement = make_block(
            org.organisation, areas=[areas[area_key]], signed_on=start, start=start
        )
        agreement.reference = _name(world, key, "BlockRef")
        agreement.save(update_fields=["reference"])
        contact(org, Role.COMMISSIONER_CONTACT)
        staff_completion(org)
        invoices(org, agreement)
        org.objects["meeting"] = []
    return world


# --- The walk ------------------------------------------------------------------------


def response_text(response) -> str:
    """Everything a response shows: headers, and the body (PDF read back as text)."""
    parts = [f"{k}: {v}" for k, v in response.items()]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        reader = PdfReader(io.BytesIO(content))
        parts += [page.extract_text() for page in reader.pages]
        parts += [str(v) for v in (reader.metadata or {}).values()]
    else:  # HTML, htmx fragments, CSV, JSON, iCal
        parts.append(content.decode("utf-8", errors="replace"))
    return "\n".join(parts)


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for label in PROJECT_APPS
        for model in apps.get_app_config(label).get_models()
    }


@dataclass
class Walk:
    viewer: str
    client: Client
    may_see: set[str]
    must_not_see: list[Marker]
    problems: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    requests: int = 0
    pdfs: int = 0
    patterns: int = 0
    markers: int = 0
    not_theirs: int = 0  # URLs tried with another organisation's object id

    def check(self, label: str, response, expect: set[int]) -> str:
        self.requests += 1
        if response.status_code not in expect:
            self.problems.append(f"{label}: status {response.status_code}, expected {expect}")
        if response.get("Content-Type", "").startswith("application/pdf"):
            self.pdfs += 1
        text = response_text(response).lower()
        for marker in self.must_not_see:
            if marker.text.lower() in text:
                self.problems.append(
                    f"{label}: shows {OWNERS[marker.owner]}'s {marker.text!r} to {self.viewer}"
                )
        self.seen.update(t for t in self.may_see if t.lower() in text)
        return text


def _viewer_sets(world: LeakWorld, key: str) -> tuple[set[str], list[Marker], dict, dict]:
    """(markers it should see, markers it must not, own object ids, foreign ids)."""
    org = world.orgs[key]
    commissioner_area = {"C": "X", "D": "Y"}.get(key)

    def visible(m: Marker) -> bool:
        return m.owner == key or (commissioner_area is not None and m.area == commissioner_area)

    may_see = {m.text for m in world.markers if visible(m) and m.shown}
    must_not = [m for m in world.markers if not visible(m)]
    own: dict[str, list[int]] = {}
    foreign: dict[str, list[int]] = {}
    for kind in ("invoice", "renewal", "completion"):
        own[kind] = list(org.objects[kind])
        foreign[kind] = [pk for k, o in world.orgs.items() if k != key for pk in o.objects[kind]]
    meetings = [pk for o in world.orgs.values() for pk in o.objects["meeting"]]
    if commissioner_area:
        own["meeting"] = [pk for pk in meetings if world.area_of_meeting[pk] == commissioner_area]
    else:
        own["meeting"] = list(org.objects["meeting"])
    foreign["meeting"] = [pk for pk in meetings if pk not in own["meeting"]]
    return may_see, must_not, own, foreign


def walk_portal(world: LeakWorld, key: str, *, ok: set[int]) -> Walk:
    org = world.orgs[key]
    may_see, must_not, own, foreign = _viewer_sets(world, key)
    client = Client()
    client.force_login(org.contact_user)
    walk = Walk(OWNERS[key], client, may_see, must_not, markers=len(world.markers))
    other_orgs = [o.organisation.pk for k, o in world.orgs.items() if k != key]
    htmx = {"HTTP_HX_REQUEST": "true"}
    post_only: set[str] = set()  # pattern names that answer GET with 405

    def urls(name: str, kwargs: list[str], ids: dict) -> list[str]:
        if not kwargs:
            return [reverse(name)]
        if name in SHARED:
            return []
        kind = OBJECT_KIND.get(name)
        if kind is None or kwargs != ["pk"]:
            pytest.fail(
                f"the portal URL {name} takes {kwargs}: say which object it shows in "
                "OBJECT_KIND so the leak walk can fill it with each side's ids"
            )
        return [reverse(name, kwargs={"pk": pk}) for pk in ids[kind]]

    patterns = patterns_under("portal/")
    # 1. Every page with the viewer's own ids: plain, htmx, other organisation ids.
    for name, kwargs in patterns:
        for url in urls(name, kwargs, own):
            response = client.get(url)
            if response.status_code == 405:  # POST only: walked in step 4
                post_only.add(name)
                continue
            walk.check(f"GET {url}", response, ok)
            walk.check(f"GET {url} (htmx)", client.get(url, **htmx), ok)
            for other in other_orgs:
                walk.check(
                    f"GET {url}?organisation={other}",
                    client.get(url, {"organisation": other}),
                    ok | {404},
                )

    # 2. Every page with another organisation's object: 404, whatever the method.
    # 3. Every page POSTed with another organisation's id: refused, nothing written.
    before = table_counts()
    for name, kwargs in patterns:
        if kwargs:
            # A POST-only page refuses a GET (405) before it looks the object up.
            get_refused = {404, 405} if name in post_only else {404}
            for url in urls(name, kwargs, foreign):
                walk.not_theirs += 1
                walk.check(f"GET {url} (not theirs)", client.get(url), get_refused)
                walk.check(f"GET {url} (not theirs, htmx)", client.get(url, **htmx), get_refused)
                walk.check(f"POST {url} (not theirs)", client.post(url, {}, **htmx), {404})
        if name in post_only:
            continue
        for url in urls(name, kwargs, own):
            for other in other_orgs:
                response = client.post(url, {"organisation": other})
                walk.check(f"POST {url} organisation={other}", response, ok | {404})
    after = table_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    if changed:
        walk.problems.append(f"refused requests wrote rows: {changed}")

    # 4. POST-only pages with the viewer's own ids, and the page they lead to.
    for name, kwargs in patterns:
        if name in post_only:
            for url in urls(name, kwargs, own):
                walk.check(f"POST {url}", client.post(url, {}, follow=True), ok)

    walk.patterns = len(patterns)
    return walk


def _report(walk: Walk) -> None:
    unseen = sorted(walk.may_see - walk.seen)
    if unseen:
        walk.problems.append(
            f"never shown to {walk.viewer} although theirs to see (is the walk seeing the "
            f"data at all?): {unseen}"
        )
    TRIED[f"leak walk: portal requests as {walk.viewer}"] += walk.requests
    print(
        f"{walk.viewer}: {walk.patterns} portal URL patterns, {walk.requests} requests "
        f"({walk.pdfs} PDFs), {len(walk.must_not_see)} of {walk.markers} markers it must "
        f"not see checked in each, all {len(walk.seen)} it should see found; "
        f"{walk.not_theirs} URLs with another organisation's id answered 404"
    )
    assert not walk.problems, "\n".join(walk.problems)


@pytest.fixture
def leak_world(db):
    noon = datetime.datetime.combine(TODAY, datetime.time(12), tzinfo=datetime.UTC)
    with time_machine.travel(noon):
        yield build_leak_world()


def test_partner_contact_sees_nothing_of_another_organisation(leak_world):

    walk = walk_portal(leak_world, "A", ok={200})
    # Its own renewal was confirmed by the walk; nobody else's was touched.
    confirmed = set(
        AgreementPeriod.objects.filter(confirmed_on__isnull=False).values_list("pk", flat=True)
    )
    if confirmed != set(leak_world.orgs["A"].objects["renewal"]):
        walk.problems.append(f"renewals confirmed: {confirmed}, expected only Alfa's")
    _report(walk)


def test_commissioner_contact_sees_only_its_area(leak_world):
    # Partner-only pages (add a site, head counts, proposals) refuse a commissioner: 403.
    walk = walk_portal(leak_world, "C", ok={200, 403})
    _report(walk)
