"""Where a postcode is: the one lookup the site set-up asks.

The postcode table belongs to a higher app (meetings' centroids), so that
app registers its lookup here in its ``ready()``, as ``personal_data`` does;
with none registered every postcode is unknown.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class PostcodeInfo:
    latitude: Decimal
    longitude: Decimal
    area_code: str  # the local authority's ONS code; "" when the table does not say


_lookups: list[Callable[[str], PostcodeInfo | None]] = []


def register(lookup: Callable[[str], PostcodeInfo | None]) -> None:
    if lookup not in _lookups:
        _lookups.append(lookup)


def lookup(postcode: str) -> PostcodeInfo | None:
    """The full postcode's centre and area, or None when no table knows it."""
    for find in _lookups:
        found = find(postcode)
        if found is not None:
            return found
    return None
