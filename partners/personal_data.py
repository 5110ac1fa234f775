"""A person's data: export it whole, or erase it while keeping the counts.

Person lives in partners, but other apps hold data about people too (training
records, delivery addresses, meetings they lead). Each app registers an
exporter and an eraser here from its ``AppConfig.ready()``; partners never
imports them. Erasure anonymises: the Person row stays (so head counts,
completions counted in figures and invoices keep their shape) with no name,
e-mail or phone left, every registered app removes what it holds (and drops
the caches that hold it), the sign-in records and sessions go, and a last
sweep (``partners.text_erasure``) replaces the name, e-mail and phone wherever
they were typed into any stored text, history tables included.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from partners import text_erasure
from partners.models import Affiliation, Person
from smartnet.sign_in_records import sign_in_records_erase

# An eraser returns what it removed: {place: rows}, or None when it removed nothing.
Eraser = Callable[[int], Mapping[str, int] | None]


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[int], object]
    erase: Eraser


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure removed: rows (or occurrences' rows) per place."""

    person: Person
    removed: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [f"{place}: {n}" for place, n in sorted(self.removed.items()) if n]


_SECTIONS: dict[str, Section] = {}


def register(name: str, *, export: Callable[[int], object], erase: Eraser) -> None:
    """Add an app's part of a person's data (idempotent by name)."""
    _SECTIONS[name] = Section(name=name, export=export, erase=erase)


def sections() -> list[str]:
    return sorted(_SECTIONS)


def person_export(*, person_id: int) -> dict:
    """Everything held about one person, as JSON-ready data."""
    person = Person.objects.get(pk=person_id)
    data = {
        "person": {
            "id": person.pk,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "phone": person.phone,
            "created_at": person.created_at.isoformat(),
            "anonymised_at": person.anonymised_at.isoformat() if person.anonymised_at else None,
            "signs_in": person.user_id is not None,
        },
        "affiliations": [
            {
                "organisation": a.organisation.name,
                "role": a.get_role_display(),
                "start_date": a.start_date.isoformat(),
                "end_date": a.end_date.isoformat() if a.end_date else None,
                "primary": a.is_primary,
            }
            for a in Affiliation.objects.filter(person=person).select_related("organisation")
        ],
    }
    for name in sections():
        data[name] = _SECTIONS[name].export(person_id)
    return data


@transaction.atomic
def person_erase(*, person_id: int) -> ErasureReport:
    """Anonymise one person everywhere; all or nothing.

    Keeps the row and its affiliations (organisations' staff counts), so
    figures and financial records keep their shape; removes name, contact
    details, sign-in (records, sessions, devices), asks every registered app
    to remove its part, then replaces the name, e-mail and phone in every
    stored text. Returns what was removed, per place.
    """
    person = Person.objects.select_for_update().get(pk=person_id)
    user = person.user
    found = text_erasure.identifiers(
        names=[(person.first_name, person.last_name)]
        + ([tuple(user.full_name.split(" ", 1))] if user and " " in user.full_name else []),
        emails=[person.email] + ([user.email] if user else []),
        phones=[person.phone],
    )
    removed: dict[str, int] = {}
    for name in sections():
        for place, count in (_SECTIONS[name].erase(person_id) or {}).items():
            removed[f"{name}: {place}"] = count
    for place, count in sign_in_records_erase(user=user, emails=[person.email]).items():
        removed[f"sign-in: {place}"] = count
    person.first_name = "Erased"
    person.last_name = f"person {person.pk}"
    person.email = ""
    person.phone = ""
    person.user = None
    person.anonymised_at = timezone.now()
    person.save()
    if user is not None:
        user.is_active = False
        user.email = f"erased-{user.pk}@erased.invalid"
        user.full_name = ""
        user.set_unusable_password()
        user.save()
    for place, count in text_erasure.erase_everywhere(found).items():
        removed[f"text in {place}"] = count
    return ErasureReport(person=person, removed=removed)
