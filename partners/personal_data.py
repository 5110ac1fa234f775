"""A person's data: export it whole, or erase it while keeping the counts.

Person lives in partners, but other apps hold data about people too (training
records, delivery addresses, meetings they lead). Each app registers an
exporter and an eraser here from its ``AppConfig.ready()``; partners never
imports them. Erasure anonymises: the Person row stays (so head counts,
completions counted in figures and invoices keep their shape) with no name,
e-mail or phone left, and every registered app removes what it holds.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from partners.models import Affiliation, Person


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[int], object]
    erase: Callable[[int], None]


_SECTIONS: dict[str, Section] = {}


def register(name: str, *, export: Callable[[int], object], erase: Callable[[int], None]) -> None:
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
def person_erase(*, person_id: int) -> Person:
    """Anonymise one person everywhere; all or nothing.

    Keeps the row and its affiliations (organisations' staff counts), so
    figures and financial records keep their shape; removes name, contact
    details and sign-in, and asks every registered app to remove its part.
    """
    person = Person.objects.select_for_update().get(pk=person_id)
    for name in sections():
        _SECTIONS[name].erase(person_id)
    user = person.user
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
    return person
