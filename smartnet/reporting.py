"""Unhandled errors reported, without personal data (this is health data).

Two reporters, one scrubber:

* by e-mail to ``ADMINS``: ``AdminEmailHandler`` below replaces Django's own
  (which would send the request's POST body, cookies and headers). It sends
  through ``smartnet.mail.send``, the one sender, and carries the request id,
  method, safe path (``smartnet.logs.safe_path``), user id and the traceback's
  frames (file, line, function, code: no local variables) with the exception
  message scrubbed. One e-mail per error and place per ``ERROR_MAIL_QUIET_SECONDS``.
* to Sentry when ``SENTRY_DSN`` is set: ``init_sentry`` with
  ``send_default_pii=False``, no request bodies, no local variables, and
  ``before_send`` dropping cookies, request data, headers outside a short
  list and the user (but for its id), then scrubbing every string left.

``scrub`` replaces e-mail addresses, quoted values (where error messages put
the value that failed: a name, an address) and the ``(column)=(value)``
details PostgreSQL adds to constraint errors.
"""

import logging
import traceback

import sentry_sdk
from django.conf import settings
from django.core.cache import cache
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration

from smartnet.logs import SCRUBBED, current_request_id, safe_path, scrub_text

# Request headers Sentry may keep; every other one (Cookie, Authorization, ...) goes.
SAFE_HEADERS = frozenset({"user-agent", "content-type", "content-length", "x-request-id", "host"})


def scrub(value):
    """Every string in ``value`` (dicts, lists, tuples) scrubbed."""
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {key: scrub(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    return value


# --- Sentry ---------------------------------------------------------------------------


def before_send(event: dict, hint: dict | None = None) -> dict:
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in SAFE_HEADERS}
        if request.get("query_string"):
            request["query_string"] = SCRUBBED
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)
    event.pop("extra", None)
    return scrub(event)


def before_breadcrumb(crumb: dict, hint: dict | None = None) -> dict:
    return scrub(crumb)


def init_sentry(dsn: str, *, environment: str = "production", release: str = "") -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,  # type: ignore[arg-type]
        before_breadcrumb=before_breadcrumb,
        traces_sample_rate=0,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            # Unhandled errors come from the integrations; log lines are crumbs only.
            LoggingIntegration(level=logging.INFO, event_level=None),
        ],
    )
    sentry_sdk.set_tag("service", "smartnet")


# --- e-mail to ADMINS -----------------------------------------------------------------


def _traceback_text(exc: BaseException) -> str:
    """Frames (file, line, function, code) and the scrubbed message of each
    exception in the chain; never a local variable or request field."""
    parts = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        text = "".join(traceback.format_list(frames))
        message = scrub_text(str(current))
        parts.append(f"Traceback:\n{text}{type(current).__name__}: {message}\n")
        current = current.__cause__ or current.__context__
    return "\nWhile handling that, this happened first:\n\n".join(parts)


class AdminEmailHandler(logging.Handler):
    """Errors (unhandled in a request or a task) by e-mail to ``ADMINS``."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if not settings.ADMINS:
                return
            exc = record.exc_info[1] if record.exc_info else None
            where = f"{record.pathname}:{record.lineno}"
            if exc is not None and exc.__traceback__ is not None:
                last = traceback.extract_tb(exc.__traceback__)[-1]
                where = f"{last.filename}:{last.lineno}"
            kind = type(exc).__name__ if exc is not None else record.levelname
            quiet = getattr(settings, "ERROR_MAIL_QUIET_SECONDS", 600)
            if quiet and not cache.add(f"smartnet:error-mail:{kind}:{where}", 1, quiet):
                return
            request = getattr(record, "request", None)
            lines = [f"Logger: {record.name}", f"Where: {where}"]
            request_id = getattr(record, "request_id", None) or current_request_id()
            if request_id:
                lines.append(f"Request id: {request_id}")
            if request is not None and hasattr(request, "method"):
                user = getattr(request, "user", None)
                user_id = user.pk if user is not None and user.is_authenticated else "-"
                lines += [f"Request: {request.method} {safe_path(request)}", f"User id: {user_id}"]
            for name in ("task_id", "job"):
                if getattr(record, name, None):
                    lines.append(f"{name}: {getattr(record, name)}")
            lines.append(f"Message: {scrub_text(record.getMessage())}")
            if exc is not None:
                lines += ["", _traceback_text(exc)]
            subject = f"{settings.EMAIL_SUBJECT_PREFIX}Error: {kind} at {where.rsplit('/', 1)[-1]}"
            # Imported here: logging is configured before the apps (and the
            # models smartnet.mail needs) are loaded.
            from smartnet import mail  # noqa: PLC0415

            message = mail.Message(
                subject=subject[:200],
                text="\n".join(lines),
                html=None,
                to=[address for _name, address in settings.ADMINS],
            )
            mail.send(message)
        except Exception:
            self.handleError(record)
