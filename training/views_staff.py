"""Staff screens: people, courses, the Moodle import, events, the Champion
register and the staff mobility report. Thin: parse with a form, call a
service or selector, render."""

from __future__ import annotations

import itertools
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from partners.models import Affiliation, Person
from smartnet import csv_export
from smartnet.access import may_open, may_see_peers, may_use, role_required
from smartnet.forms import apply_service_errors, parse_id
from smartnet.roles import STAFF_ROLES, Role
from training import certificates, person_sections, selectors, services
from training.forms import (
    BookForm,
    ChampionFilterForm,
    CompletionForm,
    CourseForm,
    CourseMapForm,
    EnrolForm,
    EventForm,
    ImportForm,
    PeopleSearchForm,
    ProfileForm,
)
from training.models import (
    Completion,
    Course,
    EventPlace,
    ImportJob,
    MatchDecision,
    PossibleMatch,
    TrainingEvent,
    TrainingProfile,
)
from training.visibility import people_for_staff

# Who changes training records, runs imports and runs events. Pages open to
# every staff role offer these forms only where ``may_use`` says the form's own
# view admits the user.
TRAINING_ADMIN = frozenset({Role.TRAINING, Role.STAFF_ADMIN})


def _back_to(person) -> dict:
    return {"url": reverse("training_staff:person", args=[person.pk]), "label": person.full_name}


# --- People ------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def people(request: HttpRequest) -> HttpResponse:
    form = PeopleSearchForm(request.GET or None)
    q = form.cleaned_data.get("q", "").strip() if form.is_valid() else ""
    found = selectors.people_search(user=request.user, q=q)
    page_obj = Paginator(found, settings.TRAINING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "training/people.html",
        {
            "form": form,
            "page_obj": page_obj,
            "query_string": urlencode({"q": q}) if q else "",
        },
    )


@role_required(*STAFF_ROLES)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for_staff(request.user), pk=pk)
    profile = TrainingProfile.objects.filter(person=person).first()
    completions = (
        Completion.objects.filter(person=person)
        .select_related("course", "champion_organisation", "event")
        .order_by("-completed_on")
    )
    affiliations = Affiliation.objects.filter(person=person).select_related("organisation")
    may_edit = may_use(request.user, person_completion_add)
    return render(
        request,
        "training/person.html",
        {
            "person": person,
            "profile": profile,
            "show_peer": may_see_peers(request.user),
            "statuses": selectors.statuses_for(person_id=person.pk),
            "completions": completions,
            "affiliations": affiliations,
            "enrolments": person.enrolments.select_related("course"),
            "sections": person_sections.sections_for(person.pk),
            "may_edit": may_edit,
            "may_see_personal_data": may_open(
                request.user, "partners_staff:person_data", person.pk
            ),
            "completion_form": CompletionForm(prefix="completion") if may_edit else None,
            "enrol_form": EnrolForm(prefix="enrol") if may_edit else None,
        },
    )


@role_required(*TRAINING_ADMIN)
def person_profile(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for_staff(request.user), pk=pk)
    profile = services.profile_for(person=person)
    form = ProfileForm(
        request.POST or None, instance=profile, can_see_peers=may_see_peers(request.user)
    )
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.profile_update(person=person, **values)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Training details saved.")
            return redirect("training_staff:person", pk=person.pk)
    return render(request, "training/person_profile.html", {"person": person, "form": form})


@role_required(*TRAINING_ADMIN)
@require_POST
def person_completion_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for_staff(request.user), pk=pk)
    form = CompletionForm(request.POST, prefix="completion")
    if form.is_valid():
        try:
            services.completion_record(
                person=person,
                course=form.cleaned_data["course"],
                completed_on=form.cleaned_data["completed_on"],
                score=form.cleaned_data["score"],
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Completion recorded.")
            return redirect("training_staff:person", pk=person.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "title": f"Record a completion for {person.full_name}",
            "form": form,
            "submit": "Record the completion",
            "back": _back_to(person),
        },
        status=400,
    )


@role_required(*TRAINING_ADMIN)
@require_POST
def person_enrol(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(people_for_staff(request.user), pk=pk)
    form = EnrolForm(request.POST, prefix="enrol")
    if form.is_valid():
        try:
            services.enrolment_create(person=person, course=form.cleaned_data["course"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Enrolled.")
            return redirect("training_staff:person", pk=person.pk)
    return render(
        request,
        "includes/form_page.html",
        {
            "title": f"Enrol {person.full_name}",
            "form": form,
            "submit": "Enrol",
            "back": _back_to(person),
        },
        status=400,
    )


@role_required(*STAFF_ROLES)
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    completion = get_object_or_404(
        Completion.objects.select_related("person", "course").filter(
            person__in=people_for_staff(request.user)
        ),
        pk=pk,
    )
    return certificates.certificate_response(completion)


# --- Courses ------------------------------------------------------------------------


@role_required(*STAFF_ROLES)
def courses(request: HttpRequest) -> HttpResponse:
    rows = Course.objects.annotate(completion_count=Count("completions")).prefetch_related(
        "moodle_courses"
    )
    return render(
        request,
        "training/courses.html",
        {
            "courses": rows,
            "map_form": CourseMapForm() if may_use(request.user, course_map) else None,
            "may_edit": may_use(request.user, course_edit),
        },
    )


@role_required(*TRAINING_ADMIN)
@require_POST
def course_map(request: HttpRequest) -> HttpResponse:
    form = CourseMapForm(request.POST)
    if form.is_valid():
        try:
            services.course_map_set(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Moodle short name mapped.")
            return redirect("training_staff:courses")
    return render(
        request,
        "includes/form_page.html",
        {"title": "Map a Moodle course", "form": form, "submit": "Map the course"},
        status=400,
    )


def _course_form_page(request, form, title, submit):
    return render(
        request,
        "includes/form_page.html",
        {
            "form": form,
            "title": title,
            "submit": submit,
            "back": {"url": reverse("training_staff:courses"), "label": "Courses"},
        },
    )


@role_required(*TRAINING_ADMIN)
def course_new(request: HttpRequest) -> HttpResponse:
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_save(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{course} is added.")
            return redirect("training_staff:courses")
    return _course_form_page(request, form, "New course", "Add the course")


@role_required(*TRAINING_ADMIN)
def course_edit(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    fields = ("code", "title", "delivery", "audience", "access_rule", "awards")
    initial = {f: getattr(course, f) for f in (*fields, "validity_months", "is_active")}
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.course_save(course=course, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"{course} is saved.")
            return redirect("training_staff:courses")
    return _course_form_page(request, form, f"Edit {course}", "Save")


# --- Learners new from Moodle -------------------------------------------------------


@role_required(*TRAINING_ADMIN)
def possible_matches(request: HttpRequest) -> HttpResponse:
    """New learners whose name matches someone in the directory with another
    e-mail: staff confirm or merge (names beside a course: peer-view roles only)."""
    rows = PossibleMatch.objects.filter(decision=MatchDecision.PENDING).select_related(
        "person", "candidate", "import_job"
    )
    page = Paginator(rows, settings.TRAINING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "training/possible_matches.html", {"page_obj": page})


@require_POST
@role_required(*TRAINING_ADMIN)
def possible_match_decide(request: HttpRequest, pk: int) -> HttpResponse:
    match = get_object_or_404(PossibleMatch.objects.select_related("person", "candidate"), pk=pk)
    try:
        kept = services.possible_match_decide(
            match=match, decision=request.POST.get("decision", ""), by=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Done: {kept} is kept.")
    return redirect("training_staff:possible_matches")


# --- Moodle import ----------------------------------------------------------------------


@role_required(*TRAINING_ADMIN)
def imports(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_create(
                name=upload.name,
                data=upload.read(),
                course=form.cleaned_data["course"],
                user=request.user,
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            return redirect("training_staff:import_detail", pk=job.pk)
    return render(
        request,
        "training/imports.html",
        {
            "form": form,
            "jobs": ImportJob.objects.select_related("uploaded_by", "course")[:20],
            "max_mb": settings.TRAINING_IMPORT_MAX_BYTES / 1_048_576,
        },
        status=400 if form.errors else 200,
    )


@role_required(*TRAINING_ADMIN)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob.objects.select_related("course", "uploaded_by"), pk=pk)
    rejections = job.rejections.all()[:1000] if job.is_finished else []
    template = "training/_import_progress.html" if request.htmx else "training/import_detail.html"
    return render(request, template, {"job": job, "rejections": rejections})


@role_required(*TRAINING_ADMIN)
def import_rejections_csv(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
    writer = csv_export.Writer(response)
    writer.writerow(["line", "reason", "row"])
    for r in job.rejections.all():
        writer.writerow([r.line, r.reason, r.excerpt])
    return response


# --- Events ---------------------------------------------------------------------------


def _people_by_email(raw: str) -> tuple[list[Person], list[str]]:
    emails = [e.strip().lower() for e in raw.split(",") if e.strip()]
    found = {p.email: p for p in Person.objects.filter(email__in=emails)}
    return [found[e] for e in emails if e in found], [e for e in emails if e not in found]


def _attended_ids(values: list[str]) -> list[int]:
    """The ticked people's ids; ValueError if any is not an id (a tampered form)."""
    ids = [parse_id(value) for value in values]
    if None in ids:
        raise ValueError("not an id")
    return ids


def _events_page(request: HttpRequest, *, form: EventForm | None, status: int = 200):
    rows = (
        TrainingEvent.objects.select_related("course")
        .order_by("-held_on", "pk")
        .annotate(
            booked=Count("places", distinct=True),
            attended=Count("places", filter=Q(places__attended=True), distinct=True),
        )
    )
    page_obj = Paginator(rows, settings.TRAINING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "training/events.html", {"page_obj": page_obj, "form": form}, status=status
    )


@role_required(*STAFF_ROLES)
def events(request: HttpRequest) -> HttpResponse:
    form = EventForm() if may_use(request.user, event_new) else None
    return _events_page(request, form=form)


@role_required(*TRAINING_ADMIN)
@require_POST
def event_new(request: HttpRequest) -> HttpResponse:
    form = EventForm(request.POST)
    if form.is_valid():
        trainers, unknown = _people_by_email(form.cleaned_data["trainer_emails"])
        if unknown:
            form.add_error("trainer_emails", f"No person with e-mail {', '.join(unknown)}.")
        else:
            event = services.event_create(
                course=form.cleaned_data["course"],
                held_on=form.cleaned_data["held_on"],
                venue=form.cleaned_data["venue"],
                capacity=form.cleaned_data["capacity"],
                trainer_ids=[t.pk for t in trainers],
            )
            messages.success(request, "Event added.")
            return redirect("training_staff:event_detail", pk=event.pk)
    return _events_page(request, form=form, status=400)


def _event_page(request: HttpRequest, event: TrainingEvent, *, book_form=None, status=200):
    places = EventPlace.objects.filter(event=event).select_related("person")
    return render(
        request,
        "training/event_detail.html",
        {
            "event": event,
            "places": places,
            "attended_count": sum(1 for place in places if place.attended),
            "trainers": event.trainers.all(),
            "may_book": may_use(request.user, event_book),
            "may_record_attendance": may_use(request.user, event_attendance),
            "book_form": book_form or BookForm(prefix="book"),
            "is_past": event.held_on <= timezone.localdate(),
        },
        status=status,
    )


@role_required(*STAFF_ROLES)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TrainingEvent.objects.select_related("course"), pk=pk)
    return _event_page(request, event)


@role_required(*TRAINING_ADMIN)
@require_POST
def event_book(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TrainingEvent.objects.select_related("course"), pk=pk)
    book_form = BookForm(request.POST, prefix="book")
    if book_form.is_valid():
        found, _ = _people_by_email(book_form.cleaned_data["email"])
        if not found:
            book_form.add_error("email", "No person in the directory has this e-mail.")
        else:
            try:
                services.event_book(event=event, person=found[0])
            except ValidationError as exc:
                book_form.add_error(
                    "email", " ".join(m for ms in exc.message_dict.values() for m in ms)
                )
            else:
                messages.success(request, f"{found[0].full_name} booked.")
                return redirect("training_staff:event_detail", pk=event.pk)
    return _event_page(request, event, book_form=book_form, status=400)


@role_required(*TRAINING_ADMIN)
@require_POST
def event_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(TrainingEvent.objects.select_related("course"), pk=pk)
    try:
        attended = _attended_ids(request.POST.getlist("attended"))
        result = services.event_record_attendance(event=event, attended_ids=attended)
    except (ValueError, ValidationError) as exc:
        message = (
            " ".join(m for ms in exc.message_dict.values() for m in ms)
            if isinstance(exc, ValidationError)
            else "Choose people from the list."
        )
        messages.error(request, f"Attendance not saved: {message}")
    else:
        messages.success(
            request,
            f"Attendance saved: {len(result.created)} completions recorded, "
            f"{result.already} already recorded"
            + (f", {len(result.rejected)} refused" if result.rejected else "")
            + ".",
        )
    return redirect("training_staff:event_detail", pk=event.pk)


# --- Champion register, mobility ------------------------------------------------------


def _register(request: HttpRequest):
    form = ChampionFilterForm(request.GET or None)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "organisation_id": data["organisation"].pk if data["organisation"] else None,
            "organisation_name": data["partner"].strip(),
            "region": data["region"],
            "start": data["start"],
            "end": data["end"],
        }
    rows = selectors.champion_register(people=people_for_staff(request.user), **filters)
    return form, rows


@role_required(*STAFF_ROLES)
def champions(request: HttpRequest) -> HttpResponse:
    form, entries = _register(request)
    page_obj = Paginator(entries, settings.TRAINING_PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "training/champions.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": selectors.champion_rows(page_obj.object_list),
            "query_string": params.urlencode(),
            "today": timezone.localdate(),
        },
    )


@role_required(*STAFF_ROLES)
def champions_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, entries = _register(request)
    writer = csv_export.Writer()  # each row comes back as a line to stream

    def lines():
        yield "\ufeff"  # so Excel reads the UTF-8
        yield writer.writerow(
            ["name", "email", "organisation", "course", "completed_on", "certificate_number"]
        )
        for offset in itertools.count(0, 2000):
            chunk = list(entries[offset : offset + 2000])
            if not chunk:
                return
            for c in selectors.champion_rows(chunk):
                yield writer.writerow(
                    [
                        c.person.full_name,
                        c.person.email,
                        c.champion_organisation.name,
                        c.course.title,
                        c.completed_on,
                        c.certificate_number,
                    ]
                )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="champions.csv"'
    return response


@role_required(*STAFF_ROLES)
def mobility(request: HttpRequest) -> HttpResponse:
    return render(request, "training/mobility.html", selectors.staff_mobility())
