"""Reading Moodle completion exports (CSV).

Two layouts are accepted; the header row decides which (column names are
matched without regard to case, spaces or punctuation):

Long - Moodle's report builder ("Course participants"/"Course completions"
custom report), one row per user per course:
  required: an e-mail column (``Email address``, ``Email``) or an ID number
  column (``ID number``, ``idnumber``); ``Course short name`` (``shortname``);
  ``Time completed`` (``timecompleted``, ``Course completion time completed``,
  ``Date completed``) as epoch seconds, ISO 8601 or a UK locale date.
  optional: ``Username``, ``Grade`` (``Final grade``, ``Course grade``),
  ``User ID``/``ID``, ``First name`` and ``Last name``/``Surname`` (or
  ``Full name``): a learner new to the directory is made from them.
Wide - the course completion report of one course (``report/completion``),
one row per user, a column per criterion and ``Course complete``:
  required: ``Course complete``, and an e-mail or ID number column;
  the course is chosen on upload (the report does not name it).
  ``Course complete`` holds "Not completed"/blank (skipped) or a completion date
  in UK locale format (``06/01/2014``, ``06/01/14, 15:20``,
  ``Monday, 6 January 2014, 3:15 PM``), optionally after "Completed".

Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel "Unicode text"),
and Windows-1252 (Excel's plain "CSV (Comma delimited)"). Delimiters: comma,
semicolon or tab.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

LONG = "long"
WIDE = "wide"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (nothing is imported)."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.strip().lower())


EMAIL = {"email", "emailaddress", "useremail", "useremailaddress"}
IDNUMBER = {"idnumber", "useridnumber", "useridnum"}
USERNAME = {"username", "userusername"}
USERID = {"userid", "id", "moodleuserid"}
SHORTNAME = {"courseshortname", "shortname", "coursecourseshortname"}
TIMECOMPLETED = {
    "timecompleted",
    "coursecompletiontimecompleted",
    "coursecompletiontimecompletedon",
    "datecompleted",
    "completiondate",
    "completed",
    "timecompletedon",
}
GRADE = {"grade", "finalgrade", "coursegrade", "coursetotal", "score"}
FIRSTNAME = {"firstname", "userfirstname"}
LASTNAME = {"lastname", "surname", "userlastname", "usersurname"}
FULLNAME = {"fullname", "name", "userfullname", "userfullnamewithlink", "fullnamewithlink"}
COURSECOMPLETE = {"coursecomplete", "coursecompletion"}

LONG_COLUMNS_HELP = (
    "long layout: e-mail address (or ID number), course short name, time completed; "
    "optional username, grade"
)
WIDE_COLUMNS_HELP = "wide layout: e-mail address (or ID number) and Course complete"


@dataclass
class Layout:
    kind: str
    columns: dict[str, int]  # role -> column index
    delimiter: str


@dataclass
class Row:
    line: int
    email: str
    idnumber: str
    username: str
    userid: str
    shortname: str
    completed: str
    grade: str
    excerpt: str
    # The learner's name, for making someone new to the directory.
    first_name: str = ""
    last_name: str = ""


def decode(data: bytes) -> str:
    """Bytes to text: UTF-16 by BOM, UTF-8 (BOM or not), else Windows-1252."""
    if not data:
        raise ImportFileError("The file is empty (0 bytes).")
    if data[:4] == b"PK\x03\x04":
        raise ImportFileError(
            "This looks like an Excel workbook (.xlsx), not CSV: "
            "in Excel use File > Save As > CSV, or export CSV from Moodle."
        )
    if data[:5] == b"%PDF-":
        raise ImportFileError(
            "This is a PDF, not a CSV file: export the report from Moodle as CSV."
        )
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFileError("The file says it is UTF-16 but cannot be read as such.") from exc
    if b"\x00" in data[:8192]:
        raise ImportFileError("This is not a CSV file (it contains binary data).")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's plain "CSV (Comma delimited)" on Windows writes Windows-1252.
        return data.decode("cp1252", errors="replace")


def detect_layout(header: list[str], delimiter: str) -> Layout:
    normalised = [_norm(h) for h in header]

    def find(names: set[str]) -> int | None:
        for i, n in enumerate(normalised):
            if n in names:
                return i
        return None

    columns = {
        role: index
        for role, index in {
            "email": find(EMAIL),
            "idnumber": find(IDNUMBER),
            "username": find(USERNAME),
            "userid": find(USERID),
            "shortname": find(SHORTNAME),
            "completed": find(TIMECOMPLETED),
            "grade": find(GRADE),
            "coursecomplete": find(COURSECOMPLETE),
            "firstname": find(FIRSTNAME),
            "lastname": find(LASTNAME),
            "fullname": find(FULLNAME),
        }.items()
        if index is not None
    }
    has_person = "email" in columns or "idnumber" in columns
    found = ", ".join(h.strip() for h in header if h.strip())[:300]
    if "coursecomplete" in columns and has_person:
        columns["completed"] = columns.pop("coursecomplete")
        columns.pop("shortname", None)
        return Layout(WIDE, columns, delimiter)
    if has_person and "shortname" in columns and "completed" in columns:
        columns.pop("coursecomplete", None)
        return Layout(LONG, columns, delimiter)
    missing = []
    if not has_person:
        missing.append("e-mail address (or ID number)")
    if "coursecomplete" not in columns:
        if "shortname" not in columns:
            missing.append("course short name")
        if "completed" not in columns:
            missing.append("time completed")
    raise ImportFileError(
        "The columns do not match a Moodle completion export: missing "
        + ", ".join(missing)
        + f". Columns found: {found or 'none'}. Accepted: {LONG_COLUMNS_HELP}; "
        + f"or the {WIDE_COLUMNS_HELP}."
    )


def _lines(text: str) -> Iterator[str]:
    """The text's lines, ends kept, without copying it (io.StringIO would hold a
    second, four-bytes-a-character copy of a large file)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop == -1:
            yield text[start:]
            return
        yield text[start : stop + 1]
        start = stop + 1


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def open_rows(text: str) -> tuple[Layout, Iterator[Row]]:
    """The layout (from the header) and an iterator over the data rows."""
    first_line = text.split("\n", 1)[0]
    if not first_line.strip():
        raise ImportFileError("The first line is blank: it must be the header row of the export.")
    delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(_lines(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFileError(f"This is not a readable CSV file: {exc}") from exc
    if len(header) < 2:
        raise ImportFileError(
            "This does not look like a CSV export: the header row has only one column. "
            f"Accepted: {LONG_COLUMNS_HELP}; or the {WIDE_COLUMNS_HELP}."
        )
    layout = detect_layout(header, delimiter)
    return layout, _rows(reader, layout)


def _rows(reader, layout: Layout) -> Iterator[Row]:
    c = layout.columns

    def cell(values: list[str], role: str) -> str:
        index = c.get(role)
        if index is None or index >= len(values):
            return ""
        return values[index].strip()

    for values in _records(reader):
        if isinstance(values, csv.Error):
            yield Row(reader.line_num, "", "", "", "", "", "", "", f"unreadable: {values}")
            continue
        first, last = cell(values, "firstname"), cell(values, "lastname")
        if not (first or last) and (full := cell(values, "fullname")):
            first, _, last = full.rpartition(" ") if " " in full else (full, "", "")
        yield Row(
            line=reader.line_num,
            email=cell(values, "email"),
            idnumber=cell(values, "idnumber"),
            username=cell(values, "username"),
            userid=cell(values, "userid"),
            shortname=cell(values, "shortname"),
            completed=cell(values, "completed"),
            grade=cell(values, "grade"),
            excerpt=layout.delimiter.join(values)[:300],
            first_name=first[:100],
            last_name=last[:100],
        )


def _records(reader) -> Iterator[list[str] | csv.Error]:
    """The reader's non-blank records, and a csv.Error in place of an unreadable one."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc
            continue
        if any(v.strip() for v in values):
            yield values


def count_rows(text: str) -> int:
    """Data rows in the file (for the progress bar): the rows ``open_rows``
    yields, counted without building them."""
    open_rows(text)  # the header's checks
    reader = csv.reader(_lines(text), delimiter=_sniff_delimiter(text.split("\n", 1)[0]))
    next(reader)
    return sum(1 for _ in _records(reader))


# --- Cell values -------------------------------------------------------------------

NOT_COMPLETED = {"", "0", "-", "notcompleted", "no", "incomplete", "inprogress", "notyetcompleted"}

_LOCALE_FORMATS = [
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d/%m/%Y, %H:%M",
    "%d/%m/%y, %H:%M",
    "%d/%m/%Y %H:%M",
    "%d/%m/%y %H:%M",
    "%A, %d %B %Y, %I:%M %p",
    "%A, %d %B %Y, %H:%M",
    "%A, %d %B %Y",
    "%d %B %Y, %I:%M %p",
    "%d %B %Y, %H:%M",
    "%d %B %Y",
    "%d %b %Y",
    "%d %b %Y, %H:%M",
]


def is_not_completed(value: str) -> bool:
    return _norm(value) in NOT_COMPLETED


def parse_completed(value: str) -> date:
    """A completion time as a London date; ValueError with a readable message."""
    raw = value.strip()
    # The wide report may say "Completed", "Completed: 06/01/2014" or "Yes (06/01/14)".
    raw = re.sub(r"^(completed|complete|yes)\b[\s:(-]*", "", raw, flags=re.IGNORECASE)
    raw = raw.rstrip(")").strip()
    if not raw:
        raise ValueError("says completed but gives no completion date")
    if re.fullmatch(r"\d{9,11}", raw):
        return datetime.fromtimestamp(int(raw), tz=UTC).astimezone(LONDON).date()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", raw):
        try:
            parsed = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"completion date {value!r} is not a valid date") from None
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(LONDON)
        return parsed.date()
    for fmt in _LOCALE_FORMATS:
        try:
            return datetime.strptime(raw, fmt).date()  # noqa: DTZ007 - a calendar date in London
        except ValueError:
            continue
    raise ValueError(
        f"completion date {value!r} is not a date Moodle writes "
        "(epoch seconds, ISO 8601 or a UK date such as 06/01/2014)"
    )


def parse_grade(value: str) -> Decimal | None:
    raw = value.strip().rstrip("%").strip()
    if raw in {"", "-"}:
        return None
    if "/" in raw:  # "8.50 / 10.00": keep it as a percentage
        top, _, bottom = raw.partition("/")
        try:
            return (Decimal(top.strip()) * 100 / Decimal(bottom.strip())).quantize(Decimal("0.01"))
        except (InvalidOperation, ZeroDivisionError):
            raise ValueError(f"grade {value!r} is not a number") from None
    try:
        grade = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        raise ValueError(f"grade {value!r} is not a number") from None
    if not grade.is_finite() or grade < 0 or grade >= 10000:
        raise ValueError(f"grade {value!r} is out of range")
    return grade.quantize(Decimal("0.01"))
