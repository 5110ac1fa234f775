"""The public meeting finder, meeting pages and feeds. Open to everyone; only
public, active meetings are ever shown."""

import gzip
import zlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import condition

from meetings import feeds, feeds_cache, finder, public_text
from meetings.forms import FinderForm
from meetings.models import Meeting
from smartnet.access import public
from smartnet.pdf import pdf_response, render_pdf
from smartnet.ratelimit import rate_limited


def _cached_gzip(name: str, build) -> bytes:
    """The feed, gzip-compressed, from the cache (built and stored on a miss).

    Stored compressed because a 5,000-meeting feed is 3 MB of JSON, and
    reading that from Redis alone takes longer than serving it should; the
    compressed copy is a tenth of the size.
    """
    key = feeds_cache.key(name)
    body = cache.get(key)
    if body is None:
        body = gzip.compress(build(), compresslevel=6, mtime=0)
        cache.set(key, body, settings.MEETINGS_FEED_CACHE_SECONDS)
    return body


def _serve_gzip(request: HttpRequest, compressed: bytes, content_type: str) -> HttpResponse:
    """Send the compressed body as is to clients that accept gzip, else unpacked."""
    if _wants_gzip(request):
        response = HttpResponse(compressed, content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed), content_type=content_type)
    patch_vary_headers(response, ["Accept-Encoding"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
def finder_page(request: HttpRequest) -> HttpResponse:
    form = FinderForm(request.GET or None)
    results = None
    searched = bool(request.GET)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        results = finder.search(
            where=data["where"],
            day=data["day"],
            time_of_day=data["time_of_day"],
            meeting_format=data["format"],
            programme=data["programme"],
            radius=data["radius"] or 25,
        )
    elif not form.is_bound:
        results = finder.search()
    page = online_page = None
    result_count = 0
    params = request.GET.copy()
    params.pop("page", None)
    online_params = request.GET.copy()
    online_params.pop("online_page", None)
    if results is not None:
        size = settings.MEETINGS_PAGE_SIZE
        page = Paginator(results.nearby, size).get_page(request.GET.get("page"))
        online_page = Paginator(results.online, size).get_page(request.GET.get("online_page"))
        # Both pages' meetings go through the public cleaner together (one query).
        nearby, online = list(page.object_list), list(online_page.object_list)
        shown = public_text.public_meetings([m for m, _miles in nearby] + online)
        page.object_list = [(m, miles) for m, (_raw, miles) in zip(shown, nearby, strict=False)]
        online_page.object_list = shown[len(nearby) :]
        result_count = page.paginator.count + online_page.paginator.count
    # The search as typed (no page numbers), carried to each meeting page so
    # that its "back to the finder" link returns to these results.
    search_params = request.GET.copy()
    for name in ("page", "online_page"):
        search_params.pop(name, None)
    # A suggested place keeps the other choices of the search.
    suggestion_params = search_params.copy()
    suggestion_params.pop("where", None)
    suggestion_query = suggestion_params.urlencode() + ("&" if suggestion_params else "") + "where="
    filters_in_use = sum(
        1 for name in ("day", "time_of_day", "format", "programme") if request.GET.get(name)
    )
    return render(
        request,
        "meetings/finder.html",
        {
            "form": form,
            "results": results,
            "page_obj": page,
            "online_page": online_page,
            "searched": searched,
            "result_count": result_count,
            "search_string": search_params.urlencode(),
            "filters_in_use": filters_in_use,
            "suggestion_query": suggestion_query,
            "map_tiles": map_tiles(),
            "map_points": map_points(m for m, _miles in page.object_list) if page else [],
            "query_string": params.urlencode(),
            "online_query_string": online_params.urlencode(),
            "regions": feeds.cached_regions(),
        },
    )


def map_tiles() -> dict | None:
    """The tile server for maps, or None (no map) when MAP_TILE_URL is unset."""
    if not settings.MAP_TILE_URL:
        return None
    return {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def map_points(meetings) -> list[dict]:
    """The meetings that have a map point, for the map's JSON (no query)."""
    points = []
    for meeting in meetings:
        if meeting.is_in_person and meeting.latitude is not None and meeting.longitude is not None:
            points.append(
                {
                    "name": meeting.name,
                    "url": reverse("meetings:detail", args=[meeting.slug]),
                    "lat": float(meeting.latitude),
                    "lon": float(meeting.longitude),
                }
            )
    return points


def _listed(slug: str) -> Meeting:
    return get_object_or_404(finder.listed_meetings().select_related("host"), slug=slug)


def finder_return_url(search: str) -> str:
    """The finder with the search a visitor came from, rebuilt from the known
    finder fields only (nothing else of the parameter reaches the link)."""
    given = QueryDict(search[:500])
    kept = QueryDict(mutable=True)
    for name in FinderForm.base_fields:
        if given.get(name):
            kept[name] = given[name][:60]
    url = reverse("meetings:finder")
    return f"{url}?{kept.urlencode()}" if kept else url


def directions_url(postcode: str) -> str:
    """A map search for the venue's postcode (OpenStreetMap: no key, no tracking)."""
    return "https://www.openstreetmap.org/search?" + urlencode({"query": postcode})


@public
def meeting_page(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = public_text.public_meeting(_listed(slug))
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "finder_url": finder_return_url(request.GET.get("search", "")),
            "map_tiles": map_tiles(),
            "map_points": map_points([meeting]),
            "directions_url": directions_url(meeting.postcode) if meeting.postcode else "",
            "region": finder.region_of(meeting),
            "feedback_email": settings.MEETINGS_FEEDBACK_EMAIL,
        },
    )


feed_condition = condition(etag_func=feeds_cache.etag, last_modified_func=feeds_cache.last_modified)


def _wants_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "")


def _feed_response(request: HttpRequest, name: str, chunks) -> HttpResponseBase:
    """A JSON feed from the cache (gzip-compressed, as ``_cached_gzip`` keeps
    it) or, on a miss, streamed as ``chunks()`` writes it: the client gets each
    piece as it is made (compressed if it accepts gzip), and the compressed copy
    (a tenth of the size) is stored once the last piece is out. A stream cut
    short stores nothing."""
    content_type = "application/json; charset=utf-8"
    key = feeds_cache.key(name)
    body = cache.get(key)
    if body is not None:
        response: HttpResponseBase = _serve_gzip(request, body, content_type)
    else:
        gzipped = _wants_gzip(request)

        def stream():
            compressor = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: a gzip member
            packed = []
            for chunk in chunks():
                piece = compressor.compress(chunk)
                if piece:
                    packed.append(piece)
                    if gzipped:
                        yield piece
                if not gzipped:
                    yield chunk
            packed.append(compressor.flush())
            if gzipped:
                yield packed[-1]
            cache.set(key, b"".join(packed), settings.MEETINGS_FEED_CACHE_SECONDS)

        response = StreamingHttpResponse(stream(), content_type=content_type)
        if gzipped:
            response["Content-Encoding"] = "gzip"
        patch_vary_headers(response, ["Accept-Encoding"])
        response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@feed_condition
def feed_json(request: HttpRequest) -> HttpResponseBase:
    """The Meeting Guide feed. Takes no parameters (any query string is ignored),
    open to other finders (CORS), cached until a meeting changes, streamed when
    it is built."""
    return _feed_response(request, "feed.json", feeds.feed_chunks)


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@feed_condition
def region_feed_json(request: HttpRequest, region: str) -> HttpResponseBase:
    """One region's Meeting Guide feed (the regions of the printable lists),
    cached and invalidated with the national feed; an unknown region is
    refused from the cached region list."""
    meetings = feeds.region_feed_meetings(region)
    if meetings is None:
        raise Http404("No meetings are listed in that region.")
    return _feed_response(request, f"feed:{region}.json", lambda: feeds.feed_chunks(meetings))


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@feed_condition
def calendar_ics(request: HttpRequest) -> HttpResponse:
    response = _serve_gzip(
        request, _cached_gzip("calendar.ics", feeds.calendar_all), "text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="smart-recovery-meetings.ics"'
    return response


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
@feed_condition
def meeting_ics(request: HttpRequest, slug: str) -> HttpResponse:
    meeting = _listed(slug)
    return _ics(feeds.meeting_calendar(meeting), f"{meeting.slug}.ics")


def _draw_region_pdf(region: str) -> bytes | None:
    """The region's printable list (None if no listed meeting is there)."""
    found = feeds.region_meetings(region)
    if found is None:
        return None
    name, meetings = found
    return render_pdf(
        "meetings/region_pdf.html",
        {
            "region": name,
            "meetings": public_text.public_meetings(meetings),
            "printed_on": timezone.localdate(),
            "site_url": settings.SITE_URL,
        },
    )


@public
@rate_limited("meetings-public", lambda: settings.PUBLIC_RATE_LIMIT_PER_MINUTE)
def region_pdf(request: HttpRequest, region: str) -> HttpResponse:
    """A printable list of a region's meetings, for noticeboards and clinics.

    Drawing one takes 0.3-1.5 s, so it is cached with the feeds (dropped when
    any meeting or site changes) and per day (it prints the date); a region
    with no listed meeting is refused from the cached region list, unread.
    """
    if region not in {slug for slug, _name, _count in feeds.cached_regions()}:
        raise Http404("No meetings are listed in that region.")
    key = feeds_cache.key(f"region-pdf:{region}:{timezone.localdate().isoformat()}")
    pdf = cache.get(key)
    if pdf is None:
        pdf = _draw_region_pdf(region)
        if pdf is None:
            raise Http404("No meetings are listed in that region.")
        cache.set(key, pdf, settings.MEETINGS_FEED_CACHE_SECONDS)
    return pdf_response(pdf, f"meetings-{region}.pdf")
