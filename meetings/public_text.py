"""What the public may read of a meeting: the one cleaner for every public output.

The meeting page, the finder's results, the Meeting Guide feed, the iCal
calendars and the printable region lists all print text that staff and
partners typed (the name, the venue, directions, notes, joining notes). Each of
them reads a meeting through this module, never the raw fields, so:

- HTML is stripped (the feed and calendars are plain text; pages escape anyway);
- the surname of anyone who leads or led the meeting, or was proposed to, is
  cut to an initial ("Sam Wolstenholme" -> "Sam W."): the public may see a
  facilitator's first name, never a surname (README "Who sees what");
- e-mail addresses and UK phone numbers typed into free text are replaced by a
  neutral marker: a person in recovery's contact details must not reach a
  noticeboard. A meeting's joining number has its own field
  (``conference_phone``) and is not free text, so it is left as it is.

People who were erased are not looked up here: erasure itself replaces their
name in every stored text (``partners.personal_data``).
"""

from __future__ import annotations

import copy
import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db.models import QuerySet
from django.utils.html import strip_tags

from meetings.models import LeadershipPeriod, Meeting, Proposal

# Every free-text field of a meeting that a public output may print.
PUBLIC_TEXT_FIELDS = (
    "name",
    "venue_name",
    "venue_address_line_1",
    "venue_address_line_2",
    "venue_town",
    "directions",
    "notes",
    "conference_notes",
)
CONTACT_REMOVED = "[contact details removed]"

EMAIL = re.compile(r"[\w.+'%-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# A UK number: +44 / 0044 (optionally "(0)") or a leading 0, then 10 digits
# (9 after a +44), with spaces, dots, hyphens or brackets between them. Meeting
# IDs and passcodes (no leading 0, or too short) are not caught.
UK_PHONE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)\s?44[\s.-]{0,2}(?:\(0\)[\s.-]{0,2})?|\(?0)"
    r"\d(?:[\s().-]{0,2}\d){8,9}"
    r"(?![\w])"
)


# Only a text with a digit can hold a phone number (a cheap test before UK_PHONE).
_DIGIT = re.compile(r"\d")


@functools.lru_cache(maxsize=4096)
def _surnames_pattern(surnames: tuple[str, ...]) -> tuple[re.Pattern, dict[str, str]]:
    """One pattern for a meeting's surnames (longest first) and each one's
    replacement by its lower-cased form: compiled once, not once per field and
    surname (the feed cleans eight fields of some 5,000 meetings)."""
    ordered = sorted(surnames, key=lambda name: (-len(name), name))
    initials: dict[str, str] = {}
    for name in ordered:
        initials.setdefault(name.lower(), name[0] + ".")
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(name) for name in ordered) + r")\b", re.IGNORECASE
    )
    return pattern, initials


def clean(value: str | None, *, surnames: Iterable[str] = ()) -> str:
    """``value`` as the public may read it (see the module docstring)."""
    text = (value or "").strip()
    if not text:
        return text
    if "<" in text:
        text = strip_tags(text).strip()
    if "@" in text:
        text = EMAIL.sub(CONTACT_REMOVED, text)
    if _DIGIT.search(text):
        text = UK_PHONE.sub(CONTACT_REMOVED, text)
    if surnames:
        pattern, initials = _surnames_pattern(tuple(sorted(surnames)))
        text = pattern.sub(
            lambda found: initials.get(found.group(0).lower(), found.group(0)[0] + "."), text
        )
    return text


def typed_text_problem(value: str | None) -> str:
    """Why text typed for a public field is refused at the door ("" when it is
    fine): what ``clean`` would strip or hide from the public - markup, e-mail
    addresses, phone numbers - is refused with the reason instead, so the
    person who typed it knows."""
    text = value or ""
    if "<" in text and strip_tags(text) != text:
        return "Leave out markup (such as <tags>): plain words only."
    if EMAIL.search(text) or UK_PHONE.search(text):
        return (
            "Leave out e-mail addresses and phone numbers: the public reads this text. "
            "A joining phone number has its own box."
        )
    return ""


def surnames_by_meeting(meeting_ids: Iterable[int] | QuerySet) -> dict[int, set[str]]:
    """meeting id -> surnames of everyone who leads, led or was proposed to lead
    it (one query: leadership periods and proposals together)."""
    periods = LeadershipPeriod.facilitators.through.objects.filter(
        leadershipperiod__meeting_id__in=meeting_ids, person__anonymised_at__isnull=True
    ).values_list("leadershipperiod__meeting_id", "person__last_name")
    proposed = Proposal.facilitators.through.objects.filter(
        proposal__meeting_id__in=meeting_ids, person__anonymised_at__isnull=True
    ).values_list("proposal__meeting_id", "person__last_name")
    names: dict[int, set[str]] = defaultdict(set)
    for meeting_id, last_name in periods.union(proposed, all=True):
        last_name = (last_name or "").strip()
        if len(last_name) > 1:
            names[meeting_id].add(last_name)
    return names


def clean_row(row: Mapping, *, surnames: Iterable[str] = ()) -> dict:
    """A ``values()`` row of a meeting with its public text fields cleaned."""
    cleaned = dict(row)
    for field in PUBLIC_TEXT_FIELDS:
        if field in cleaned:
            cleaned[field] = clean(cleaned[field], surnames=surnames)
    return cleaned


def public_meetings(meetings: Iterable[Meeting]) -> list[Meeting]:
    """Copies of ``meetings`` (in order) whose text fields are cleaned, for
    templates and calendars to print; one query whatever the number. The copies
    are for reading only: they are never saved."""
    meetings = list(meetings)
    surnames = surnames_by_meeting([m.pk for m in meetings]) if meetings else {}
    shown = []
    for meeting in meetings:
        public = copy.copy(meeting)
        for field in PUBLIC_TEXT_FIELDS:
            setattr(
                public, field, clean(getattr(meeting, field), surnames=surnames.get(meeting.pk, ()))
            )
        shown.append(public)
    return shown


def public_meeting(meeting: Meeting) -> Meeting:
    return public_meetings([meeting])[0]
