"""Logs that answer "what happened": one line per request and per task.

``RequestLogMiddleware`` (first in ``MIDDLEWARE``) gives each request an id,
returns it in the ``X-Request-ID`` header (a proxy's own id is kept when it
sends a sane one), shows it on the error pages (``request_id`` in their
context) and writes one line when the response leaves: request id, user id
(never the e-mail), method, path, status and duration. The path carries no
secrets: the value of every query parameter outside ``SAFE_QUERY_KEYS`` is
replaced (sign-in links' ``sesame`` tokens, searches for a person's name),
and so is every URL argument named in ``SECRET_URL_KWARGS`` (reset tokens,
certificate codes). Tasks get one line each from ``smartnet.jobs`` (task id,
job, outcome, duration).

Lines are plain text by default and one JSON object each with
``LOG_FORMAT=json`` (``JsonFormatter``); both carry the same fields.
"""

import contextvars
import json
import logging
import re
import time
import uuid
from urllib.parse import parse_qsl, urlencode

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("smartnet.requests")

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
REDACTED = "[redacted]"
# Query parameters whose values are harmless to log; any other value is replaced.
SAFE_QUERY_KEYS = frozenset(
    {"page", "sort", "order", "status", "rag", "area", "kind", "year", "month", "format", "tab"}
)
# URL arguments that are secrets or name someone.
SECRET_URL_KWARGS = frozenset({"token", "uidb64", "code", "key", "sesame"})
# The fields each line may carry, in the order the plain format prints them.
FIELDS = (
    "request_id",
    "user_id",
    "method",
    "path",
    "status",
    "task_id",
    "job",
    "outcome",
    "duration_ms",
)


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
PG_DETAIL = re.compile(r"=\([^)]*\)")
SCRUBBED = "[scrubbed]"


def scrub_text(text: str) -> str:
    """E-mail addresses, quoted values (where error messages put the value
    that failed: a name, an address) and PostgreSQL's ``(column)=(value)``
    details replaced; used on every exception text a log or report carries."""
    text = EMAIL.sub("[email]", text)
    text = PG_DETAIL.sub(f"=({SCRUBBED})", text)
    return QUOTED.sub(f"'{SCRUBBED}'", text)


def current_request_id() -> str:
    return REQUEST_ID.get()


def safe_path(request: HttpRequest) -> str:
    """The request's path and query with every secret value replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if name in SECRET_URL_KWARGS and str(value):
                path = path.replace(f"/{value}", f"/{REDACTED}")
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return path
    pairs = [
        (key, value if key in SAFE_QUERY_KEYS else REDACTED)
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{path}?{urlencode(pairs, safe='[]')}"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if _INCOMING_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = REQUEST_ID.set(request_id)
        began = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            fields = {
                "request_id": request_id,
                "user_id": _user_id(request),
                "method": request.method,
                "path": safe_path(request),
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - began) * 1000),
            }
            request_logger.info(line("request", fields), extra=fields)
            return response
        finally:
            REQUEST_ID.reset(token)


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    try:
        return user.pk if user is not None and user.is_authenticated else None
    except DatabaseError:
        # The session lives in the database: while it is down nobody is known.
        return None


def line(kind: str, fields: dict) -> str:
    """The plain text of one line: ``request id=... user=... method=GET ...``."""
    parts = [kind]
    for name in FIELDS:
        if name in fields:
            value = fields[name]
            parts.append(f"{name}={'-' if value is None else value}")
    return " ".join(parts)


class RequestIdFilter(logging.Filter):
    """Every record carries the id of the request it was written during."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get() or None
        return True


class PlainFormatter(logging.Formatter):
    """The default line format; an exception's text is scrubbed (``scrub_text``)."""

    def formatException(self, ei) -> str:
        return scrub_text(super().formatException(ei))


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message and the fields."""

    def format(self, record: logging.LogRecord) -> str:
        body: dict = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                body[name] = value
        if record.exc_info:
            body["exception"] = scrub_text(self.formatException(record.exc_info))
        return json.dumps(body, default=str)
