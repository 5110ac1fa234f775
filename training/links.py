"""Signed booking links: one per person and event, in invitations, waiting-list
e-mails and offers. The signature (Django's signing, salted) is the proof: a
link altered in any way is refused, and says so; it names nobody in the URL."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "training.booking"


def booking_token(event_id: int, person_id: int) -> str:
    return signing.dumps([event_id, person_id], salt=SALT, compress=True)


def booking_url(event_id: int, person_id: int) -> str:
    return settings.SITE_URL + reverse("training:book", args=[booking_token(event_id, person_id)])


def read_token(token: str) -> tuple[int, int] | None:
    """(event id, person id), or None for a link that was altered."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) for v in value):
        return None
    return value[0], value[1]
