"""Validation shared by every app that takes a UK address."""

import re

from django.core.exceptions import ValidationError

# The shape of a UK postcode (outward code, space, inward code), plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def compact_postcode(value: str) -> str:
    """Upper case, no spaces: the form postcodes are stored and compared in."""
    return re.sub(r"\s+", "", (value or "").upper())


def format_postcode(compact: str) -> str:
    """One space before the three-character inward code ("SW1A1AA" -> "SW1A 1AA");
    anything too short to have one (a district, "M1") is returned as it is."""
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 4 else compact


def normalise_uk_postcode(value: str) -> str:
    """Upper-case with one space before the inward code; ValidationError if not a UK postcode."""
    compact = compact_postcode(value)
    if not _POSTCODE.match(compact):
        raise ValidationError(
            "Enter a UK postcode such as SW1A 1AA.",
            code="invalid_postcode",
            params={"value": value},
        )
    return format_postcode(compact)


def validate_uk_postcode(value: str) -> None:
    normalise_uk_postcode(value)
