"""A person's data, for staff admins only: export (JSON, PDF) and erasure.

Only the staff admin role may use these: the data can reveal that someone is
in recovery. Erasure anonymises the person everywhere (partners.personal_data).
"""

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from partners import personal_data
from partners.forms import EraseForm
from partners.models import Person
from smartnet.access import role_required
from smartnet.confirm import Confirmation, is_confirmed, render_confirmation
from smartnet.pdf import pdf_response, render_pdf
from smartnet.roles import Role


def _export(pk: int) -> tuple[Person, dict]:
    person = get_object_or_404(Person, pk=pk)
    return person, personal_data.person_export(person_id=person.pk)


@role_required(Role.STAFF_ADMIN)
def person_data(request: HttpRequest, pk: int) -> HttpResponse:
    person, data = _export(pk)
    return render(
        request,
        "partners/staff/person_data.html",
        {"person": person, "data_json": json.dumps(data, indent=2, default=str)},
    )


@role_required(Role.STAFF_ADMIN)
def person_data_json(request: HttpRequest, pk: int) -> JsonResponse:
    person, data = _export(pk)
    response = JsonResponse(data, json_dumps_params={"indent": 2, "default": str})
    response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
    return response


@role_required(Role.STAFF_ADMIN)
def person_data_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    person, data = _export(pk)
    sections = [(name, json.dumps(value, indent=2, default=str)) for name, value in data.items()]
    pdf = render_pdf(
        "partners/staff/person_data_pdf.html", {"person": person, "sections": sections}
    )
    return pdf_response(pdf, f"person-{person.pk}.pdf", attachment=True)


@role_required(Role.STAFF_ADMIN)
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    """Erase a person everywhere: the confirmation page says what goes; only its
    confirming POST, with "erase" typed, erases."""
    person = get_object_or_404(Person, pk=pk)
    back = reverse("partners_staff:person_data", args=[person.pk])
    if person.anonymised_at is not None:
        return redirect(back)
    confirmed = is_confirmed(request)
    form = EraseForm(request.POST if confirmed else None)
    if confirmed and form.is_valid():
        report = personal_data.person_erase(person_id=person.pk)
        removed = "; ".join(report.lines()) or "nothing else was held"
        messages.success(request, f"Person {person.pk} has been erased. Removed: {removed}.")
        return redirect(back)
    return render_confirmation(
        request,
        Confirmation(
            title=f"Erase {person.full_name}?",
            summary=(
                "Their name, contact details and sign-in are removed, and every part of "
                "the system removes what it holds about them."
            ),
            effects=[
                f"What each part removes: {', '.join(personal_data.sections())}.",
                "Their sessions end and their sign-in records are deleted.",
                'Their name, e-mail and phone become "[erased]" wherever staff typed them.',
                "Counts, head counts and financial records keep their shape, without them.",
            ],
            warning="Erasure cannot be undone.",
            submit="Erase this person",
            cancel_url=back,
            back_label="Back to their personal data",
            form=form,
        ),
    )
