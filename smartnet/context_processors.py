"""The header's context: the navigation by area (``smartnet.navigation``) and
whether the header search is offered (``smartnet.search``)."""

from smartnet import navigation, search


def navigation_areas(request):
    user = getattr(request, "user", None)
    return {
        "nav_areas": navigation.areas_for(user, request.path),
        "header_search": search.may_search(user),
    }
