"""No facilitator's surname, e-mail address or phone number in any public output.

Meetings are built whose name, venue, directions, notes and joining notes name
their facilitators in full and give an e-mail address and UK phone numbers;
then every URL pattern of the public meetings app is fetched (the patterns are
enumerated, so a new public output is checked without being listed here):
pages, the finder's results, the feed, the calendars and the region PDFs (read
back as text). First names may appear; nothing else may.
"""

import datetime
import html
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from meetings import feeds, public_text, services
from meetings import urls as public_urls
from meetings.models import Format
from tests.factories import AreaFactory, OrganisationFactory, PersonFactory, SiteFactory
from tests.meetings.factories import make_meeting
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db

SURNAMES = ["Pemberton", "Wolstenholme", "Okonkwo-Reyes"]
CONTACTS = [
    "kirsty.pemberton@example.org",
    "aisha_w+smart@mail.example.co.uk",
    "07700 900123",
    "07700900123",
    "+44 (0)161 496 0000",
    "0161-496-0999",
    "(0113) 496 0123",
]


@pytest.fixture
def named(db, postcodes):
    kirsty = PersonFactory(first_name="Kirsty", last_name="Pemberton")
    aisha = PersonFactory(first_name="Aisha", last_name="Wolstenholme")
    dev = PersonFactory(first_name="Dev", last_name="Okonkwo-Reyes")
    org = OrganisationFactory(name="Northern Recovery")
    area = AreaFactory(name="Manchester", region="North West")
    site = SiteFactory(
        organisation=org, area=area, postcode="M1 1AA", latitude=Decimal("53.48076"),
        longitude=Decimal("-2.24263"), name="Manchester Recovery Hub",
    )  # fmt: skip
    start = datetime.date(2024, 1, 8)
    at_venue = make_meeting(
        host=org,
        started_on=start,
        site=None,
        slug="tuesday-venue",
        facilitators=[kirsty, aisha],
        name="Kirsty Pemberton's Tuesday group",
        venue_name="Aisha Wolstenholme's church hall",
        venue_address_line_1="1 Chapel Street, ask for Kirsty PEMBERTON",
        venue_town="Manchester",
        venue_postcode="M1 1AA",
        venue_latitude=Decimal("53.48"),
        venue_longitude=Decimal("-2.24"),
        directions="Ring Aisha Wolstenholme on 07700 900123 or (0113) 496 0123 at the side door.",
        notes=(
            "Facilitated by Kirsty Pemberton and Aisha Wolstenholme. "
            "Questions: kirsty.pemberton@example.org, 07700900123 or +44 (0)161 496 0000."
        ),
    )
    online = make_meeting(
        host=org,
        started_on=start,
        slug="online-sunday",
        facilitators=[aisha],
        name="Sunday online with Aisha Wolstenholme",
        format=Format.ONLINE,
        conference_url="https://meet.example.org/sunday",
        conference_notes="Passcode 1234. Host: aisha_w+smart@mail.example.co.uk, 0161-496-0999",
        notes="Aisha Wolstenholme hosts; text 07700 900123 if the link fails.",
    )
    hybrid = make_meeting(
        host=org,
        started_on=start,
        site=site,
        slug="hybrid-thursday",
        name="Thursday hybrid",
        format=Format.HYBRID,
        conference_url="https://meet.example.org/thursday",
        directions="Second floor; Dev Okonkwo-Reyes meets newcomers at reception.",
        notes="<p>Led by <b>Dev Okonkwo-Reyes</b> (dev@example.org).</p>",
    )
    # Dev is named on a proposal only: proposed facilitators count too.
    make_trained_facilitator(dev, completed_on=datetime.date(2024, 6, 3))
    services.proposal_leadership_change(
        organisation=org,
        meeting=hybrid,
        kind="peer_led",
        start_date=datetime.date(2025, 3, 3),
        facilitators=[dev],
    )
    return [at_venue, online, hybrid]


def _public_urls(meetings) -> list[str]:
    """Every URL of the public meetings app, for the meetings and regions there are."""
    slugs = [m.slug for m in meetings]
    regions = [slug for slug, _name, _count in feeds.regions()]
    by_kwargs = {
        (): lambda name: [reverse(f"meetings:{name}")],
        ("slug",): lambda name: [reverse(f"meetings:{name}", args=[s]) for s in slugs],
        ("region",): lambda name: [reverse(f"meetings:{name}", args=[r]) for r in regions],
    }
    urls = []
    for pattern in public_urls.urlpatterns:
        kwargs = tuple(sorted(pattern.pattern.converters))
        assert kwargs in by_kwargs, f"add {pattern.name} ({kwargs}) to this test"
        urls += by_kwargs[kwargs](pattern.name)
    finder = reverse("meetings:finder")
    urls += [f"{finder}?where=M1+1AA", f"{finder}?where=Manchester&format=online"]
    return urls


def _text(response) -> str:
    """What a person (or a program) reads in the response, whitespace collapsed."""
    kind = response["Content-Type"]
    body = response.getvalue()  # a feed is streamed when it is built
    if kind == "application/pdf":
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    elif kind.startswith("application/json"):
        text = json.dumps(json.loads(body), ensure_ascii=False)
    elif kind.startswith("text/calendar"):
        # Unfold iCal's 75-octet lines and undo its escapes before reading.
        text = body.decode().replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    else:
        text = html.unescape(body.decode())
    return " ".join(text.split())


def test_no_surname_email_or_phone_in_any_public_output(client, named):
    urls = _public_urls(named)
    assert any(u.endswith(".pdf") for u in urls) and any(u.endswith(".ics") for u in urls)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(response)
        for surname in SURNAMES:
            assert not re.search(rf"\b{re.escape(surname)}\b", text, re.IGNORECASE), (
                f"{surname} in {url}"
            )
        for contact in CONTACTS:
            assert contact not in text, f"{contact} in {url}"
        assert "@example.org" not in text and "dev@" not in text, url


def test_first_names_and_what_the_public_needs_are_kept(client, named):
    page = _text(client.get(reverse("meetings:detail", args=["tuesday-venue"])))
    assert "Kirsty P.'s Tuesday group" in page
    assert "Facilitated by Kirsty P. and Aisha W." in page
    assert public_text.CONTACT_REMOVED in page
    feed = {m["slug"]: m for m in json.loads(client.get(reverse("meetings:feed")).getvalue())}
    assert feed["online-sunday"]["conference_url"] == "https://meet.example.org/sunday"
    assert feed["online-sunday"]["conference_url_notes"].startswith("Passcode 1234.")
    assert feed["hybrid-thursday"]["notes"].startswith("Led by Dev O.")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Meeting ID 812 3456 7890, passcode 012345", True),
        ("Every Tuesday 18:30 to 20:00, room 0161", True),
        ("Call 020 7946 0000", False),
        ("Call +447700900123", False),
        ("Call 0044 7700 900 123", False),
        ("Write to someone@nhs.net", False),
    ],
)
def test_the_cleaner_keeps_meeting_ids_and_times(typed, kept):
    assert (public_text.clean(typed) == typed) is kept


@pytest.mark.parametrize(
    ("typed", "surnames", "shown"),
    [
        ("Led by sam LEE and Ann Leeson", {"Lee", "Leeson"}, "Led by sam L. and Ann L."),
        ("Leeway for Lee", {"Lee"}, "Leeway for L."),
        ("O'Neil's group, ask O'NEIL", {"O'Neil"}, "O.'s group, ask O."),
        ("Kirsty Patel-Smith", {"Patel-Smith", "Smith"}, "Kirsty P."),
        ("", {"Lee"}, ""),
        ("  <b>Lee</b> on 0161 496 0000 or lee@example.org ", {"Lee"}, "L. on "),
    ],
)
def test_surnames_cut_to_an_initial_wherever_and_however_typed(typed, surnames, shown):
    """One pattern a meeting: the longest name first, any case, whole words only."""
    cleaned = public_text.clean(typed, surnames=surnames)
    assert cleaned.startswith(shown)
    assert "lee@" not in cleaned and "0161" not in cleaned
