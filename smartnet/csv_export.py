"""The one CSV writer of the project: every export writes through it.

A spreadsheet treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a
tab or carriage return before one) as a formula, so a name typed in the
portal or a Moodle "Full name" of ``=HYPERLINK("http://...")`` would run
when finance opens the file. Every *text* cell that starts with one of those
characters is written with a leading apostrophe, which spreadsheets show as
text (OWASP's advice for CSV injection). Numbers are not text: pass
quantities and amounts as ``int`` or ``Decimal`` and they are written as
plain numbers, negative ones included (Xero's credit-note quantities).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def cell(value: object) -> object:
    """A value as it is safe to write: numbers as numbers, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"  # never "1E+1"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """A file that hands back what is written, for streaming responses."""

    def write(self, text: str) -> str:
        return text


class Writer:
    """``csv.writer`` with every cell passed through :func:`cell`."""

    def __init__(self, file: _Writable | None = None, **fmt: Any) -> None:
        self._writer = csv.writer(file if file is not None else _Line(), **fmt)

    def writerow(self, row: Iterable[object]) -> Any:
        """Write one row; without a file, return it as a line of text."""
        return self._writer.writerow([cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)
