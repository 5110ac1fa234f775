"""Sections that other apps add to a person's staff training page.

Training sits below meetings and materials (they read training; training
never imports them), yet its person page shows the meetings a person
facilitates and the parcels sent to them. So those apps register a section
here from their ``AppConfig.ready()``, as they register their part of a
person's data with ``partners.personal_data``.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    title: str
    items: Callable[[int], list[str]]  # person id -> one line per thing
    empty: str
    order: int


_SECTIONS: dict[str, Section] = {}


def register(
    name: str, *, title: str, items: Callable[[int], list[str]], empty: str, order: int = 50
) -> None:
    """Add a section (idempotent by name); lower ``order`` comes first."""
    _SECTIONS[name] = Section(title=title, items=items, empty=empty, order=order)


def sections_for(person_id: int) -> list[dict]:
    """Every registered section, filled in for one person."""
    return [
        {"title": s.title, "items": s.items(person_id), "empty": s.empty}
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.title))
    ]
