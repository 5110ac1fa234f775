"""The facilitator picker: search people as you type (htmx), each shown with
their organisation and training so two people of the same name are told apart.

``FacilitatorPicker`` is the widget of ``LeadershipForm.facilitators``. It
renders the people chosen so far (ticked boxes), a search field and the
matches for the search (boxes to tick). With JavaScript, typing asks the
endpoint (``meetings_staff:people_search`` / ``meetings_portal:people_search``,
:func:`results_response`) for the matches and htmx swaps them in; without it,
the "Search" button posts the form back (``SEARCH_BUTTON``), the view answers
the same form with the matches, and nothing is saved until the form's own
button. Who may be found is the form field's queryset, which the views build
from ``training.visibility`` (peers only for the roles that may see them).
"""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from partners.models import Affiliation, Person
from smartnet.forms import parse_ids
from training.selectors import awards_by_person

# At most this many matches for one search: enough to find anyone by a few
# letters of their name, and a fixed cost per keystroke.
MATCH_LIMIT = 15
QUERY_MAX = 100
SEARCH_BUTTON = "picker_search"


def search(people: QuerySet[Person], query: str, *, exclude: Iterable[int] = ()) -> list[Person]:
    """People among ``people`` whose name or e-mail holds every word of
    ``query``, by last name, at most ``MATCH_LIMIT`` (one query)."""
    words = query.split()[:5]
    if not words:
        return []
    condition = Q()
    for word in words:
        condition &= (
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
        )
    return list(
        people.filter(condition)
        .exclude(pk__in=list(exclude))
        .order_by("last_name", "first_name", "pk")[:MATCH_LIMIT]
    )


def describe(people: list[Person], *, show_email: bool) -> list[dict]:
    """Each person with what tells them apart: their current organisations and
    their training (two queries, however many people)."""
    if not people:
        return []
    ids = [p.pk for p in people]
    today = timezone.localdate()
    organisations: dict[int, list[str]] = {}
    ties = (
        Affiliation.objects.current(on=today)
        .filter(person_id__in=ids)
        .values_list("person_id", "organisation__name")
        .order_by("organisation__name")
    )
    for person_id, name in ties:
        names = organisations.setdefault(person_id, [])
        if name not in names:
            names.append(name)
    training = awards_by_person(person_ids=ids, on=today)
    rows = []
    for person in people:
        details = organisations.get(person.pk) or ["No organisation"]
        details = [*details, *(training.get(person.pk) or ["No training recorded"])]
        if show_email and person.email:
            details.append(person.email)
        rows.append({"pk": person.pk, "name": person.full_name, "details": " · ".join(details)})
    return rows


class FacilitatorPicker(forms.SelectMultiple):
    """A search-as-you-type picker for people (see the module's docstring).

    The view sets ``endpoint`` (the search URL), ``query`` (the search typed
    for the no-JavaScript round trip) and ``show_email``; the field's queryset
    bounds who can be chosen and found.
    """

    template = "includes/person_picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.endpoint = ""
        self.query = ""
        self.show_email = False
        self.people: QuerySet[Person] = Person.objects.none()

    def __deepcopy__(self, memo):
        copy = super().__deepcopy__(memo)
        copy.endpoint, copy.query, copy.show_email = self.endpoint, self.query, self.show_email
        copy.people = self.people
        return copy

    def chosen_ids(self, value) -> list[int]:
        if value is None:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        return parse_ids(str(getattr(v, "pk", v)) for v in values)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        ids = self.chosen_ids(value)
        chosen = list(self.people.filter(pk__in=ids).order_by("last_name", "first_name"))
        matches = search(self.people, self.query, exclude=ids) if self.query else []
        base = attrs.get("id") or f"id_{name}"
        return render_to_string(
            self.template,
            {
                "name": name,
                "base_id": base,
                "describedby": attrs.get("aria-describedby", ""),
                "endpoint": self.endpoint,
                "query": self.query,
                "chosen": describe(chosen, show_email=self.show_email),
                "results": describe(matches, show_email=self.show_email),
                "searched": bool(self.query),
                "search_button": SEARCH_BUTTON,
                "limit": MATCH_LIMIT,
            },
        )

    def id_for_label(self, id_, index=None):
        # The label and the error summary lead to the search field.
        return f"{id_}_q" if id_ else id_


def picker_query(request: HttpRequest) -> str:
    """The search typed into the picker (GET for htmx, POST for the fallback)."""
    data = request.GET if request.method == "GET" else request.POST
    return (data.get("q") or "").strip()[:QUERY_MAX]


def form_initial(request: HttpRequest, name: str) -> dict:
    """What the form held when its picker's "Search" button was pressed (no
    JavaScript), to show it again unvalidated: every field's value, the
    picker's as the list of ids ticked."""
    initial: dict[str, object] = {key: request.POST.get(key) for key in request.POST}
    initial[name] = parse_ids(request.POST.getlist(name))
    return initial


def results_response(
    request: HttpRequest, people: QuerySet[Person], *, name: str, show_email: bool
) -> HttpResponse:
    """The matches for ``?q=`` among ``people``, as the picker's result list
    (the boxes already ticked, sent as ``name``, are left out)."""
    exclude = parse_ids(request.GET.getlist(name))
    matches = search(people, picker_query(request), exclude=exclude)
    return render(
        request,
        "includes/person_picker_results.html",
        {
            "name": name,
            "base_id": f"id_{name}",
            "results": describe(matches, show_email=show_email),
            "searched": bool(picker_query(request)),
            "limit": MATCH_LIMIT,
        },
    )
