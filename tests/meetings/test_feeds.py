"""The Meeting Guide feed (validated against the spec's README rules), iCal
across a clock change, the printable region list, caching and CORS."""

import datetime
import gzip
import io
import json
import re
from zoneinfo import ZoneInfo, available_timezones

import pytest
from dateutil.rrule import rrulestr
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.utils.text import slugify
from icalendar import Calendar
from pypdf import PdfReader

from meetings import feeds, feeds_cache, public_text, services, views_public
from meetings.models import Meeting
from tests.meetings.conftest import HIDDEN, LISTED
from tests.meetings.factories import make_meeting

pytestmark = pytest.mark.django_db

# The spec's 87 type codes (README "Meeting Types", current and proposed).
SPEC_TYPES = {
    "11",
    "12x12",
    "A",
    "ABSI",
    "AL",
    "AL-AN",
    "AM",
    "ASL",
    "B",
    "BA",
    "BE",
    "BI",
    "BRK",
    "C",
    "CAN",
    "CF",
    "D",
    "DA",
    "DB",
    "DD",
    "DE",
    "DR",
    "EL",
    "EN",
    "FA",
    "FF",
    "FR",
    "G",
    "GR",
    "H",
    "HE",
    "HI",
    "HR",
    "HU",
    "ITA",
    "JA",
    "KOR",
    "L",
    "LGBTQ",
    "LIT",
    "LS",
    "LT",
    "M",
    "MED",
    "ML",
    "N",
    "NB",
    "NDG",
    "NO",
    "O",
    "OUT",
    "P",
    "POA",
    "POC",
    "POL",
    "POR",
    "PUN",
    "RUS",
    "S",
    "SEN",
    "SK",
    "SM",
    "SP",
    "ST",
    "SV",
    "T",
    "TC",
    "TH",
    "TL",
    "TR",
    "UK",
    "W",
    "X",
    "XB",
    "XT",
    "Y",
    "BV-I",
    "D-HOH",
    "LO-I",
    "QSL",
    "RSL",
}
OUR_TYPES = {"SMART-REC", "SMART-FAM", "SMART-INP", "SMART-ONL", "SMART-HYB"}
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
SLUG = re.compile(r"^[a-z0-9_-]+$")
UPDATED = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


def validate_feed(feed) -> list[str]:
    """The Meeting Guide rules from the spec's README, as a finder applies them."""
    problems = []
    if not isinstance(feed, list):
        return ["the feed must be a JSON array"]
    slugs = set()
    for i, m in enumerate(feed):
        where = f"meeting {i} ({m.get('slug')!r})"
        if not m.get("name") or len(m["name"]) > 255:
            problems.append(f"{where}: name missing or over 255 characters")
        slug = m.get("slug")
        if not slug or not isinstance(slug, str) or not SLUG.match(slug) or len(slug) > 64:
            problems.append(f"{where}: slug missing, not URL-safe or over 64 characters")
        if slug in slugs:
            problems.append(f"{where}: slug not unique")
        slugs.add(slug)
        if not isinstance(m.get("day"), int) or not 0 <= m["day"] <= 6:
            problems.append(f"{where}: day must be an integer 0-6")
        if not TIME.match(m.get("time", "")):
            problems.append(f"{where}: time must be HH:MM")
        if "end_time" in m and (not TIME.match(m["end_time"]) or m["end_time"] <= m["time"]):
            problems.append(f"{where}: end_time must be HH:MM after time")
        if m.get("timezone") not in available_timezones():
            problems.append(f"{where}: timezone missing or not a tz database name")
        for code in m.get("types", []):
            if code not in SPEC_TYPES and code not in OUR_TYPES:
                problems.append(f"{where}: unknown type {code}")
        for field in ("notes", "location", "name"):
            if "<" in m.get(field, "") and re.search(r"<[a-zA-Z/]", m[field]):
                problems.append(f"{where}: {field} must be plain text")
        online = "conference_url" in m or "conference_phone" in m
        if "conference_url" in m and not re.match(r"^https?://\S+$", m["conference_url"]):
            problems.append(f"{where}: conference_url is not a URL")
        if "conference_phone" in m:
            phone = m["conference_phone"]
            if not re.match(r"^\+?[\d,*#]+$", phone) or len(re.sub(r"\D", "", phone)) < 10:
                problems.append(f"{where}: conference_phone needs 10+ digits")
        if m.get("approximate") not in ("yes", "no"):
            problems.append(f"{where}: approximate must be 'yes' or 'no'")
        in_person = m.get("approximate") == "no"
        if in_person:
            full = all(m.get(k) for k in ("address", "city", "postal_code", "country"))
            if not full and not m.get("formatted_address"):
                problems.append(f"{where}: an in-person meeting needs a full address")
        elif not online:
            problems.append(f"{where}: an online meeting needs a conference_url or phone")
        if not m.get("formatted_address") and not m.get("city"):
            problems.append(f"{where}: no geographic information")
        for coord in ("latitude", "longitude"):
            if coord in m:
                if not isinstance(m[coord], (int, float)):
                    problems.append(f"{where}: {coord} must be a number")
                elif len(repr(m[coord]).split(".")[-1]) > 5:
                    problems.append(f"{where}: {coord} over 5 decimal places")
        if "updated" in m and not UPDATED.match(m["updated"]):
            problems.append(f"{where}: updated must be YYYY-MM-DD HH:MM:SS")
    return problems


def get_feed(client):
    response = client.get("/meetings/feed.json")
    assert response.status_code == 200
    return response, json.loads(response.getvalue())


def test_feed_is_valid_meeting_guide(client, network):
    response, feed = get_feed(client)
    assert validate_feed(feed) == []
    assert sorted(m["name"] for m in feed) == sorted(network[k].name for k in LISTED)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")


def test_validator_catches_bad_meetings():
    bad = [
        {
            "name": "x",
            "slug": "a b",
            "day": 7,
            "time": "25:00",
            "timezone": "Mars/Base",
            "types": ["FF", "ZZZ"],
            "approximate": "no",
            "latitude": 53.123456,
        },
        {
            "name": "y",
            "slug": "a b",
            "day": 1,
            "time": "10:00",
            "timezone": "Europe/London",
            "approximate": "yes",
            "formatted_address": "Leeds, UK",
            "conference_phone": "0800 1",
        },
        {
            "name": "z",
            "slug": "z",
            "day": 1,
            "time": "10:00",
            "timezone": "Europe/London",
            "approximate": "yes",
            "formatted_address": "Leeds, UK",
        },
    ]
    problems = "\n".join(validate_feed(bad))
    for words in (
        "not URL-safe",
        "not unique",
        "day must",
        "time must",
        "timezone",
        "unknown type ZZZ",
        "full address",
        "5 decimal places",
        "10+ digits",
        "needs a conference_url",
    ):
        assert words in problems


def test_feed_fields(client, network):
    _, feed = get_feed(client)
    by_slug = {m["slug"]: m for m in feed}
    manchester = by_slug[network["manchester"].slug]
    assert manchester["day"] == 2  # Tuesday, Sunday = 0
    assert (manchester["time"], manchester["end_time"]) == ("18:30", "20:00")
    assert manchester["timezone"] == "Europe/London"
    assert manchester["types"] == ["A", "SMART-REC", "SMART-INP", "X"]
    assert manchester["postal_code"] == "M1 1AA" and manchester["country"] == "UK"
    assert manchester["latitude"] == 53.48076 and manchester["longitude"] == -2.24263
    assert manchester["region"] == "North West"
    assert manchester["notes"] == "Ask for Sam W. at reception."
    online = by_slug[network["online"].slug]
    assert online["day"] == 0
    assert online["conference_url"] == "https://meet.example.org/sunday"
    assert online["conference_phone"] == "+442079460000"
    assert "latitude" not in online and online["approximate"] == "yes"
    assert by_slug[network["edinburgh"].slug]["types"][:2] == ["A", "SMART-FAM"]
    assert by_slug[network["leeds"].slug]["conference_url_notes"] == "Passcode 1234"
    updated = datetime.datetime.strptime(manchester["updated"] + "+0000", "%Y-%m-%d %H:%M:%S%z")
    assert abs(updated - datetime.datetime.now(tz=datetime.UTC)) < datetime.timedelta(minutes=5)


def test_no_facilitator_surname_anywhere_in_the_feed(client, network):
    response, _ = get_feed(client)
    assert "Wolstenholme" not in response.getvalue().decode()


def test_feed_ignores_odd_query_strings(client, network):
    for query in ("?day=abc", "?%ff=%ff", "?callback=alert(1)", "?" + "a" * 2000):
        response = client.get("/meetings/feed.json" + query)
        assert response.status_code == 200
        assert validate_feed(json.loads(response.getvalue())) == []


def test_feed_is_cached_in_fixed_queries_and_invalidated(
    client, network, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(2):
        client.get("/meetings/feed.json").getvalue()  # built while it streams
    with django_assert_num_queries(0):
        _, feed = get_feed(client)
    assert len(feed) == len(LISTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pause(meeting=network["bolton"], on=datetime.date(2014, 9, 1))
    _, feed = get_feed(client)
    assert network["bolton"].slug not in {m["slug"] for m in feed}
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=network["leeds"], name="Leeds Hybrid Group")
    _, feed = get_feed(client)
    assert "Leeds Hybrid Group" in {m["name"] for m in feed}


def test_feed_query_count_does_not_grow(client, network, django_assert_num_queries):

    for n in range(5):
        make_meeting(
            host=network["manchester"].host,
            started_on=datetime.date(2014, 2, 3),
            name=f"More {n}",
            facilitators=[network["manchester"].leadership.get().facilitators.get()],
        )
    with django_assert_num_queries(2):
        client.get("/meetings/feed.json").getvalue()  # built while it streams


def test_ical_weekly_event_across_the_clock_change(client, network):
    response = client.get(f"/meetings/{network['manchester'].slug}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    (event,) = cal.walk("VEVENT")
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["TU"]
    start = event.decoded("DTSTART")
    assert start.tzinfo.key == "Europe/London" if hasattr(start.tzinfo, "key") else True
    assert str(event["DTSTART"].params["TZID"]) == "Europe/London"
    # Expand the recurrence over the spring clock change (30 March 2014): the
    # meeting stays at 18:30 London time, so its UTC time moves by an hour.

    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
    london = ZoneInfo("Europe/London")
    before = rule.after(datetime.datetime(2014, 3, 20, tzinfo=london))
    after = rule.after(datetime.datetime(2014, 4, 1, tzinfo=london))
    assert (before.date(), after.date()) == (datetime.date(2014, 3, 25), datetime.date(2014, 4, 1))
    assert before.astimezone(london).strftime("%H:%M") == "18:30"
    assert after.astimezone(london).strftime("%H:%M") == "18:30"
    assert before.astimezone(datetime.UTC).hour == 18
    assert after.astimezone(datetime.UTC).hour == 17
    duration = event.decoded("DTEND") - start
    assert duration == datetime.timedelta(minutes=90)


def test_calendar_lists_only_listed_meetings(client, network):
    cal = Calendar.from_ical(client.get("/meetings/calendar.ics").content)
    summaries = sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    assert summaries == sorted(network[k].name for k in LISTED)
    for key in HIDDEN:
        assert client.get(f"/meetings/{network[key].slug}.ics").status_code == 404


def test_region_pdf(client, network):
    response = client.get("/meetings/regions/north-west.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "SMART Recovery meetings: North West" in text
    assert "Manchester Tuesday" in text and "Bolton Morning" in text
    assert "Leeds Hybrid" not in text and "HMP Manchester" not in text
    assert client.get("/meetings/regions/nowhere.pdf").status_code == 404


def test_feed_is_sent_gzipped_to_clients_that_accept_it(client, network):

    plain = client.get("/meetings/feed.json").getvalue()
    response = client.get("/meetings/feed.json", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(response.getvalue()) == plain


def test_a_site_address_change_refreshes_the_cached_feed(
    client, network, django_capture_on_commit_callbacks
):
    get_feed(client)  # cached now
    site = network["bolton"].site
    site.address_line_1 = "2 New Road"
    with django_capture_on_commit_callbacks(execute=True):
        site.save()
    _, feed = get_feed(client)
    bolton = next(m for m in feed if m["slug"] == network["bolton"].slug)
    assert bolton["address"] == "2 New Road"


def test_region_pdf_is_drawn_once_until_a_meeting_changes(
    client, network, monkeypatch, django_capture_on_commit_callbacks
):

    drawn = []
    draw = views_public.render_pdf

    def counting(*args, **kwargs):
        drawn.append(args[0])
        return draw(*args, **kwargs)

    monkeypatch.setattr(views_public, "render_pdf", counting)
    first = client.get("/meetings/regions/north-west.pdf")
    second = client.get("/meetings/regions/north-west.pdf")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(drawn) == 1
    client.get("/meetings/regions/online.pdf")
    assert len(drawn) == 2  # each region has its own copy
    assert client.get("/meetings/regions/nowhere.pdf").status_code == 404
    assert len(drawn) == 2  # an unknown region is refused without drawing

    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(meeting=network["bolton"], name="Bolton Breakfast")
    third = client.get("/meetings/regions/north-west.pdf")
    assert len(drawn) == 3
    reader = PdfReader(io.BytesIO(third.content))
    assert "Bolton Breakfast" in " ".join(page.extract_text() for page in reader.pages)


# --- Per-region feeds and the streamed national feed ---------------------------


def _body(response) -> bytes:
    return response.getvalue()


def test_each_region_feed_is_its_part_of_the_national_feed(client, network):
    _, national = get_feed(client)
    regions = {slugify(m["region"]) for m in national}
    assert regions == {"north-west", "yorkshire-and-the-humber", "scotland", "online"}
    for region in regions:
        response = client.get(f"/meetings/feed/{region}.json")
        assert response.status_code == 200, region
        assert response["Access-Control-Allow-Origin"] == "*"
        feed = json.loads(_body(response))
        assert validate_feed(feed) == []
        assert feed == [m for m in national if slugify(m["region"]) == region]
    north_west = json.loads(_body(client.get("/meetings/feed/north-west.json")))
    assert {m["name"] for m in north_west} == {"Manchester Tuesday", "Bolton Morning"}
    assert "Wolstenholme" not in json.dumps(north_west)


def test_a_venue_town_and_other_are_regions_too(client, network):
    host = network["manchester"].host
    start = datetime.date(2014, 2, 3)
    for name, town in (("Hall", "Wigan"), ("Nowhere", "")):
        meeting = make_meeting(host=host, started_on=start, name=name)
        # At a venue of its own, not a site (a queryset update: no invalidation).
        Meeting.objects.filter(pk=meeting.pk).update(
            site=None, venue_town=town, venue_postcode="WN1 1AA"
        )
    cache.clear()
    assert [m["name"] for m in json.loads(_body(client.get("/meetings/feed/wigan.json")))] == [
        "Hall"
    ]
    assert [m["name"] for m in json.loads(_body(client.get("/meetings/feed/other.json")))] == [
        "Nowhere"
    ]


def test_an_unknown_region_feed_is_404(client, network):
    assert client.get("/meetings/feed/nowhere.json").status_code == 404
    # A region whose meetings are all hidden (the prison meeting) is unknown too.
    assert client.get("/meetings/feed/hmp-manchester.json").status_code == 404


def test_region_feed_is_cached_and_invalidated_with_the_national_one(
    client, network, django_assert_num_queries, django_capture_on_commit_callbacks
):
    url = "/meetings/feed/north-west.json"
    with django_assert_num_queries(3):  # the region list, the rows, the surnames
        _body(client.get(url))
    with django_assert_num_queries(0):  # the region list and the feed are cached
        cached = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
        assert cached["Content-Encoding"] == "gzip"
        names = {m["name"] for m in json.loads(gzip.decompress(_body(cached)))}
    assert names == {"Manchester Tuesday", "Bolton Morning"}
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_pause(meeting=network["bolton"], on=datetime.date(2014, 9, 1))
    assert {m["name"] for m in json.loads(_body(client.get(url)))} == {"Manchester Tuesday"}


def _old_feed_json() -> bytes:
    """The feed as it was built before streaming: every row, then one list."""
    rows = list(Meeting.objects.listed().order_by("slug").values(*feeds.FEED_COLUMNS))
    surnames = public_text.surnames_by_meeting(Meeting.objects.listed().values("pk"))
    template = feeds._detail_url_template()
    entries = [
        feeds.feed_entry(
            public_text.clean_row(row, surnames=surnames.get(row["pk"], ())),
            url_template=template,
        )
        for row in rows
    ]
    return json.dumps(entries, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("chunk", [feeds.FEED_CHUNK, 2, 1])
def test_the_streamed_feed_is_the_old_feed(client, network, monkeypatch, chunk):
    monkeypatch.setattr(feeds, "FEED_CHUNK", chunk)
    response = client.get("/meetings/feed.json")
    assert isinstance(response, StreamingHttpResponse)
    streamed = _body(response)
    assert streamed == _old_feed_json()
    assert json.loads(streamed)  # valid JSON
    # The compressed copy stored while streaming answers the next request.
    again = client.get("/meetings/feed.json", HTTP_ACCEPT_ENCODING="gzip")
    assert not isinstance(again, StreamingHttpResponse)
    assert gzip.decompress(again.content) == streamed


def test_the_stream_can_be_sent_gzipped(client, network):
    response = client.get("/meetings/feed.json", HTTP_ACCEPT_ENCODING="gzip")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Encoding"] == "gzip" and "Accept-Encoding" in response["Vary"]
    assert gzip.decompress(_body(response)) == _old_feed_json()


def test_a_stream_cut_short_is_not_cached(client, network):
    response = client.get("/meetings/feed.json")
    stream = response.streaming_content
    assert next(stream) == b"["
    # The client has the first piece and goes away: nothing half-made is stored.
    assert cache.get(feeds_cache.key("feed.json")) is None
    rest = b"".join(stream)
    assert json.loads(b"[" + rest) and cache.get(feeds_cache.key("feed.json")) is not None


def test_the_stream_reads_in_chunks_with_surnames_per_chunk(
    client, network, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(feeds, "FEED_CHUNK", 2)
    listed = Meeting.objects.listed().count()
    with django_assert_num_queries(1 + -(-listed // 2)):
        feed = json.loads(_body(client.get("/meetings/feed.json")))
    assert len(feed) == listed
    assert "Wolstenholme" not in json.dumps(feed)
