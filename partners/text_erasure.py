"""Erasure's last sweep: a person's name, e-mail and phone out of every stored text.

Apps erase what they know to be a person's (``partners.personal_data``); but
staff and partners also type people into free text: a meeting's notes
("Kirsty Thomas (kirsty@..., 07700 900123) takes over"), a proposal's note, an
import's rejected row, an admin log entry, and django-simple-history keeps
every old version of each. So after the apps have run, every text column
(CharField, TextField, EmailField, JSONField) of every model Django knows,
history and third-party models included, is searched for the person's full
name (also "Last, First"), e-mail addresses and phone number (in any of the
usual spellings: spaces, +44), and each occurrence is replaced by ``ERASED``.

The database finds the candidate rows (a case-insensitive regular expression
per column, in one query per table); Python then replaces only whole-word
matches. Rows are written with ``update()``: no model's ``save()`` (nor a new
history row) sees the old value again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast

ERASED = "[erased]"
_SEPARATORS = "[ ().-]{0,3}"


@dataclass(frozen=True)
class Identifier:
    loose: str  # for the database: no look-arounds (PostgreSQL and Python read it alike)
    strict: re.Pattern  # for the replacement: not inside a longer word or number


def _name(first: str, last: str) -> list[Identifier]:
    first_words, last_words = first.split(), last.split()
    if not first_words or not last_words:
        return []
    forms = [first_words + last_words, [*last_words[:-1], last_words[-1] + ","] + first_words]
    found = []
    for words in forms:
        loose = r"\s+".join(re.escape(w) for w in words)
        found.append(Identifier(loose, re.compile(rf"(?<!\w){loose}(?!\w)", re.IGNORECASE)))
    return found


def _email(address: str) -> Identifier:
    loose = re.escape(address.strip())
    return Identifier(loose, re.compile(rf"(?<![\w.+-]){loose}(?![\w-])", re.IGNORECASE))


def _phone(number: str) -> Identifier | None:
    digits = re.sub(r"\D", "", number)
    if len(digits) < 7:
        return None
    if digits.startswith("44"):
        national = digits[2:].lstrip("0")
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = ""
    if national:
        prefix = rf"(?:(?:\+|00)?44{_SEPARATORS}(?:\(?0\)?{_SEPARATORS})?|\(?0)"
        body = _SEPARATORS.join(national)
    else:
        prefix, body = r"\+?", _SEPARATORS.join(digits)
    loose = prefix + body
    return Identifier(loose, re.compile(rf"(?<![\d+]){loose}(?!\d)"))


def identifiers(
    *, names: Iterable[tuple[str, str]], emails: Iterable[str], phones: Iterable[str]
) -> list[Identifier]:
    found: list[Identifier] = []
    for first, last in names:
        found += _name(first or "", last or "")
    found += [_email(e) for e in emails if e and "@" in e]
    found += [p for p in (_phone(n) for n in phones if n) if p is not None]
    return found


def _text_fields(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
        and not f.primary_key
        and not f.choices
    ]


def _replace(value, found: list[Identifier]):
    """``value`` (a string, or JSON data) with every identifier replaced."""
    if isinstance(value, str):
        for identifier in found:
            value = identifier.strict.sub(ERASED, value)
        return value
    if isinstance(value, list):
        return [_replace(v, found) for v in value]
    if isinstance(value, dict):
        return {_replace(k, found): _replace(v, found) for k, v in value.items()}
    return value


def _fit(field: models.Field, old, new):
    """The replacement as the column can hold it: an e-mail column that held only
    the address is emptied where it may be blank; text is cut to max_length."""
    if isinstance(field, models.EmailField) and new == ERASED and field.blank:
        return ""
    if isinstance(new, str) and field.max_length and len(new) > field.max_length:
        return new[: field.max_length]
    return new


def erase_everywhere(found: list[Identifier]) -> dict[str, int]:
    """Replace the identifiers in every text column of every table; returns
    ``{"app.Model.field": rows changed}`` for the columns that held any."""
    if not found:
        return {}
    changed: dict[str, int] = {}
    seen_tables = set()
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.db_table in seen_tables:
            continue
        seen_tables.add(meta.db_table)
        fields = _text_fields(model)
        if not fields:
            continue
        rows = model._base_manager.all()
        match = Q()
        for field in fields:
            column = field.attname
            if isinstance(field, models.JSONField):
                column = f"_erasure_text_{field.attname}"
                rows = rows.annotate(**{column: Cast(field.attname, models.TextField())})
            for identifier in found:
                match |= Q(**{f"{column}__iregex": identifier.loose})
        names = [f.attname for f in fields]
        for row in rows.filter(match).values("pk", *names):
            updates = {}
            for field in fields:
                old = row[field.attname]
                if old is None:
                    continue
                new = _replace(old, found)
                if new != old:
                    updates[field.attname] = _fit(field, old, new)
                    key = f"{meta.label}.{field.name}"
                    changed[key] = changed.get(key, 0) + 1
            if updates:
                model._base_manager.filter(pk=row["pk"]).update(**updates)
    return changed
