"""The areas loader: local authority areas from an ONS-style CSV."""

from __future__ import annotations

import csv
import io
import re

from django.core.exceptions import ValidationError
from django.db import transaction

from partners.models import (
    Area,
    Nation,
)

_NATION_BY_PREFIX = {"E": "england", "S": "scotland", "W": "wales", "N": "northern_ireland"}
_AREA_CODE = re.compile(r"^[ENSW]\d{8}$")


def _area_column(headers: list[str], wanted: str, pattern: str) -> str | None:
    for header in headers:
        if header == wanted or re.fullmatch(pattern, header, flags=re.IGNORECASE):
            return header
    return None


@transaction.atomic
def areas_load(*, text: str) -> dict[str, int]:
    """Create or update areas from CSV text (ons_code, name, nation, region,
    population; ONS headers LADyyCD/LADyyNM accepted). All rows or none: a bad
    row raises a ValidationError naming the line and the field."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    headers = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = headers
    code_col = _area_column(headers, "ons_code", r"LAD\d\dCD")
    name_col = _area_column(headers, "name", r"LAD\d\dNM")
    missing = [
        label
        for label, col in (
            ("ons_code", code_col),
            ("name", name_col),
            ("population", "population" if "population" in headers else None),
        )
        if col is None
    ]
    if missing:
        raise ValidationError({"file": f"The CSV has no column {', '.join(missing)}."})
    nations = {n.value for n in Nation}
    rows: dict[str, dict] = {}
    for line, row in enumerate(reader, start=2):
        code = (row.get(code_col) or "").strip().upper()
        where = f"line {line}"
        if not _AREA_CODE.match(code):
            raise ValidationError(
                {"ons_code": f"{where}: {code or 'blank'} is not an ONS code such as E08000003."}
            )
        name = (row.get(name_col) or "").strip()
        if not name:
            raise ValidationError({"name": f"{where}: the area has no name."})
        nation = (row.get("nation") or "").strip().lower().replace(" ", "_")
        nation = nation or _NATION_BY_PREFIX[code[0]]
        if nation not in nations:
            raise ValidationError({"nation": f"{where}: {nation} is not a UK nation."})
        raw = (row.get("population") or "").strip().replace(",", "")
        if not (raw.isascii() and raw.isdigit()):  # "²".isdigit() is true too
            raise ValidationError(
                {"population": f"{where}: population {raw or 'blank'} is not a whole number."}
            )
        region = (row.get("region") or "").strip() or nation.replace("_", " ").title()
        rows[code] = {"name": name, "nation": nation, "region": region, "population": int(raw)}
    existing = {a.ons_code: a for a in Area.objects.filter(ons_code__in=rows)}
    to_update = []
    for code, values in rows.items():
        area = existing.get(code)
        if area and any(getattr(area, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(area, key, value)
            to_update.append(area)
    Area.objects.bulk_create(
        Area(ons_code=code, **values) for code, values in rows.items() if code not in existing
    )
    Area.objects.bulk_update(to_update, ["name", "nation", "region", "population"])
    return {
        "created": len(rows) - len(existing),
        "updated": len(to_update),
        "unchanged": len(existing) - len(to_update),
    }
