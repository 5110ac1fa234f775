"""What signing in leaves behind, how long it is kept, and its erasure.

django-axes writes a row for every sign-in (``AccessLog``, sign-in links
included), every failed one (``AccessAttempt``) and, when enabled, every
failure (``AccessFailureLog``): e-mail address, IP address, browser. Knowing
that someone signs in here says they are in the SMART Recovery network, so
these rows are kept ``SIGN_IN_LOG_RETENTION_DAYS`` (the nightly
``purge_sign_in_logs`` job) and removed at once when the person is erased,
with their sessions (signed in elsewhere, they are signed out) and their
second-factor devices.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_otp import devices_for_user

from smartnet.models import User

logger = logging.getLogger(__name__)

LOGS = {
    "sign-in log": AccessLog,
    "failed sign-ins": AccessAttempt,
    "sign-in failure log": AccessFailureLog,
}


def sign_in_records_erase(*, user: User | None, emails: Iterable[str]) -> dict[str, int]:
    """Remove every sign-in record of these addresses and this account, end its
    sessions and remove its second-factor devices; returns rows removed per place."""
    addresses = {e.strip().lower() for e in emails if e and e.strip()}
    if user is not None:
        addresses.add(user.email.lower())
    removed: dict[str, int] = {}
    if addresses:
        matches = Q()
        for address in addresses:
            matches |= Q(username__iexact=address)
        for place, model in LOGS.items():
            removed[place] = model.objects.filter(matches).delete()[1].get(model._meta.label, 0)
    if user is not None:
        removed["sessions"] = _end_sessions(user)
        devices = 0
        for device in devices_for_user(user, confirmed=None):
            device.delete()
            devices += 1
        removed["second-factor devices"] = devices
    return removed


def _end_sessions(user: User) -> int:
    """Delete the user's sessions. Sessions are not indexed by user, so the live
    ones are decoded (erasure is rare; the table holds only unexpired sign-ins
    once ``clearsessions`` has run)."""
    mine = [
        s.pk
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    return Session.objects.filter(pk__in=mine).delete()[0]


def sign_in_logs_purge(*, now: datetime | None = None) -> int:
    """Delete sign-in records older than ``SIGN_IN_LOG_RETENTION_DAYS``, and
    expired sessions; idempotent (a second run finds nothing)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SIGN_IN_LOG_RETENTION_DAYS)
    removed = 0
    with transaction.atomic():
        for model in LOGS.values():
            removed += (
                model.objects.filter(attempt_time__lt=cutoff).delete()[1].get(model._meta.label, 0)
            )
        removed += Session.objects.filter(expire_date__lt=now or timezone.now()).delete()[0]
    logger.info("sign-in records: removed %d older than %s", removed, cutoff.date())
    return removed
