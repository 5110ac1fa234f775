"""The header search's people (a ``smartnet.search`` provider).

People are looked up through ``training.visibility.people_for_staff``, the same
rule as the People page: roles that may not see who is a peer never find a
peer here, by name or by e-mail. One query.
"""

from django.db.models import Q
from django.urls import reverse

from smartnet.search import Hit
from training.visibility import people_for_staff


def find_people(user, query: str, limit: int) -> list[Hit]:
    """Every word in the first name, last name or e-mail; an e-mail typed whole is exact."""
    terms = Q()
    for word in query.split():
        terms &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    people = people_for_staff(user).filter(terms).order_by("last_name", "first_name", "pk")
    return [
        Hit(
            label=person.full_name,
            url=reverse("training_staff:person", args=[person.pk]),
            detail=person.email,
            exact=bool(person.email) and person.email.lower() == query.lower(),
        )
        for person in people[:limit]
    ]
