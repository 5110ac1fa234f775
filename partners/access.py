"""Which organisations a portal user speaks for, and the portal's gate.

A portal user (partner or commissioner contact) is linked to a Person; the
organisations they may see are those where that Person holds a current
contact affiliation. Views fetch objects only through these querysets, so an
id from another organisation answers 404.
"""

from collections.abc import Callable
from functools import wraps

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from partners.models import Affiliation, Organisation, OrganisationKind, Site
from smartnet.access import refuse, role_required
from smartnet.roles import PORTAL_ROLES, Role


def organisations_for_user(user) -> QuerySet[Organisation]:
    """The organisations this user is a current contact of (none for staff)."""
    if not user.is_authenticated or user.role not in PORTAL_ROLES:
        return Organisation.objects.none()
    org_ids = (
        Affiliation.objects.current().contacts().filter(person__user=user).values("organisation")
    )
    orgs = Organisation.objects.filter(pk__in=org_ids)
    if user.role == Role.COMMISSIONER_CONTACT:
        return orgs.filter(kind=OrganisationKind.COMMISSIONER)
    return orgs.exclude(kind=OrganisationKind.COMMISSIONER)


def sites_for_user(user) -> QuerySet[Site]:
    """Sites a portal user may see: their own organisations' sites, or for a
    commissioner contact every site in the areas its commissioners cover."""
    orgs = organisations_for_user(user)
    if user.is_authenticated and user.role == Role.COMMISSIONER_CONTACT:
        return Site.objects.filter(area__commissioners__in=orgs).distinct()
    return Site.objects.filter(organisation__in=orgs)


# The session key of the organisation a contact of several has chosen.
CHOSEN_ORGANISATION = "portal_organisation"


def choose_organisation(request: HttpRequest, organisation_id: int) -> bool:
    """Keep the chosen organisation in the session; False (nothing kept) when
    it is not one the user is a current contact of."""
    if not organisations_for_user(request.user).filter(pk=organisation_id).exists():
        return False
    request.session[CHOSEN_ORGANISATION] = organisation_id
    return True


def portal_required(view: Callable | None = None, *, roles=PORTAL_ROLES) -> Callable:
    """Partner and commissioner contacts (or only ``roles`` of them) with at
    least one organisation: ``@portal_required`` or
    ``@portal_required(roles=(Role.PARTNER_CONTACT,))``.

    Access is decided on every request from the current affiliations, so the
    day an affiliation ends its organisation is gone from the portal. A
    contact of several organisations sees one at a time, the one chosen
    (kept in the session; the first by name until they choose).

    Sets ``request.organisation`` (the chosen one), ``request.organisations``
    (a list holding it) and ``request.all_organisations`` for the view.
    """

    def decorator(view: Callable) -> Callable:
        @role_required(*roles)
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            organisations = list(organisations_for_user(request.user))
            if not organisations:
                return refuse(
                    request,
                    "Your account is not linked to any organisation yet, so there is nothing "
                    "to show. Please ask the central team to link it.",
                )
            chosen = request.session.get(CHOSEN_ORGANISATION)
            current = next((o for o in organisations if o.pk == chosen), organisations[0])
            request.all_organisations = organisations
            request.organisation = current
            request.organisations = [current]
            return view(request, *args, **kwargs)

        return wrapped

    return decorator(view) if view is not None else decorator
