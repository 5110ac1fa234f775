"""Learners new from Moodle whose name matches someone in the directory with
another e-mail: staff confirm they are different people, or merge the new
record into the one already there (``partners.services.person_merge``, which
keeps every completion)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners import services as partners_services
from partners.models import Person
from training.models import MatchDecision, PossibleMatch


@transaction.atomic
def possible_match_decide(*, match: PossibleMatch, decision: str, by) -> Person:
    """``different``: the match is set aside (the new record stays, reviewed
    once no other match waits); ``merge``: the new record is merged into the
    candidate, which is returned. A match decided already is refused."""
    locked = PossibleMatch.objects.select_for_update().filter(pk=match.pk).first()
    if locked is None or locked.decision != MatchDecision.PENDING:
        raise ValidationError({"decision": "This possible match has been decided already."})
    if decision == MatchDecision.DIFFERENT:
        locked.decision = MatchDecision.DIFFERENT
        locked.decided_by = by
        locked.decided_at = timezone.now()
        locked.save(update_fields=["decision", "decided_by", "decided_at"])
        waiting = PossibleMatch.objects.filter(
            person_id=locked.person_id, decision=MatchDecision.PENDING
        )
        if not waiting.exists():
            partners_services.person_mark_reviewed(person=locked.person, by=by)
        return locked.person
    if decision == "merge":
        candidate = locked.candidate
        partners_services.person_merge(keeper=candidate, other=locked.person, by=by)
        return candidate
    raise ValidationError({"decision": "Choose different people, or merge."})


def possible_matches_erase(person_id: int) -> int:
    """Erasure: the person's possible matches go, either side."""
    from_them, _ = PossibleMatch.objects.filter(person_id=person_id).delete()
    to_them, _ = PossibleMatch.objects.filter(candidate_id=person_id).delete()
    return from_them + to_them
