"""Validation shared by every app that takes a UK address."""

import re

from django.core.exceptions import ValidationError

# The shape of a UK postcode (outward code, space, inward code), plus GIR 0AA.
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_uk_postcode(value: str) -> str:
    """Upper-case with one space before the inward code; ValidationError if not a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if not _POSTCODE.match(compact):
        raise ValidationError(
            "Enter a UK postcode such as SW1A 1AA.",
            code="invalid_postcode",
            params={"value": value},
        )
    return f"{compact[:-3]} {compact[-3:]}"


def validate_uk_postcode(value: str) -> None:
    normalise_uk_postcode(value)
