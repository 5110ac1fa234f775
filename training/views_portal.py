"""The portal's training page: a partner sees its current staff's training and
Champions, never peers' status and never another organisation's people."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from partners.access import portal_required
from partners.models import Affiliation, AffiliationRole, Person
from training import certificates, selectors
from training.models import Completion


def staff_for(organisations) -> QuerySet[Person]:
    """Current staff (any tie but volunteer) of the portal user's organisations."""
    ties = (
        Affiliation.objects.current()
        .filter(person=OuterRef("pk"), organisation__in=organisations)
        .exclude(role=AffiliationRole.VOLUNTEER)
    )
    return Person.objects.filter(Exists(ties), anonymised_at__isnull=True)


@portal_required
def home(request: HttpRequest) -> HttpResponse:
    staff = staff_for(request.organisations)
    people = staff.prefetch_related(
        Prefetch(
            "completions",
            queryset=Completion.objects.select_related("course").order_by("-completed_on"),
            to_attr="all_completions",
        )
    ).annotate(is_champion=Exists(selectors.champions().filter(person=OuterRef("pk"))))
    page_obj = Paginator(
        people.order_by("last_name", "first_name", "pk"), settings.TRAINING_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "training/portal_home.html",
        {
            "organisations": request.organisations,
            "page_obj": page_obj,
            "champion_total": selectors.champion_register(people=staff).count(),
            "today": timezone.localdate(),
        },
    )


@portal_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    completion = get_object_or_404(
        Completion.objects.select_related("person", "course").filter(
            person__in=staff_for(request.organisations)
        ),
        pk=pk,
    )
    return certificates.certificate_response(completion)
