"""Reads of training data for this app's views and for other apps.

Statuses are derived from completions of courses that award them:
Champion (``Completion.champion_organisation`` set: partner staff on the day),
trained facilitator, trainer.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from training.models import Award, Completion, TrainingProfile


def _completions_awarding(award: str, on: date | None) -> QuerySet[Completion]:
    qs = Completion.objects.filter(course__awards=award)
    if on is not None:
        qs = qs.filter(completed_on__lte=on)
    return qs


def champions(*, on: date | None = None) -> QuerySet[Completion]:
    """Completions that made someone a Champion, up to ``on``."""
    qs = Completion.objects.filter(
        course__awards=Award.CHAMPION, champion_organisation__isnull=False
    )
    if on is not None:
        qs = qs.filter(completed_on__lte=on)
    return qs


def is_trained_facilitator(*, person_id: int, on: date | None = None) -> bool:
    """True when the person completed facilitator training on or before ``on``
    (default today)."""
    on = on or timezone.localdate()
    return _completions_awarding(Award.FACILITATOR, on).filter(person_id=person_id).exists()


def trained_facilitator_ids(
    *, person_ids: Iterable[int] | None = None, on: date | None = None
) -> set[int]:
    """The trained facilitators among ``person_ids`` (everyone when None), in one query."""
    on = on or timezone.localdate()
    qs = _completions_awarding(Award.FACILITATOR, on)
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    return set(qs.values_list("person_id", flat=True).distinct())


def is_trainer(*, person_id: int, on: date | None = None) -> bool:
    on = on or timezone.localdate()
    return _completions_awarding(Award.TRAINER, on).filter(person_id=person_id).exists()


def champion_count(*, on: date) -> int:
    """Cumulative number of people who had become Champions by ``on``."""
    return champions(on=on).values("person_id").distinct().count()


def facilitator_count(*, on: date) -> int:
    """Cumulative number of people who had become trained facilitators by ``on``."""
    return _completions_awarding(Award.FACILITATOR, on).values("person_id").distinct().count()


def delivery_address(*, person_id: int) -> dict | None:
    """The person's postal address for materials, only if they consented to contact
    and gave one: ``{"line1", "line2", "town", "postcode"}``."""
    profile = (
        TrainingProfile.objects.filter(person_id=person_id, consent_to_contact=True)
        .exclude(address_line_1="")
        .exclude(postcode="")
        .first()
    )
    if profile is None:
        return None
    return {
        "line1": profile.address_line_1,
        "line2": profile.address_line_2,
        "town": profile.town,
        "postcode": profile.postcode,
    }
