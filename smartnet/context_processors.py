"""Navigation by role.

The core knows no domain app: each app's ``AppConfig`` lists its own
navigation entries as ``nav_items = [(label, url_name, roles), ...]`` and the
base layout shows the ones the signed-in user's role admits.
"""

from django.apps import apps
from django.urls import reverse

from smartnet.roles import STAFF_ROLES, Role


def _core_items():
    return [
        ("Dashboard", "staff_dashboard", STAFF_ROLES),
        ("Second factors", "two_factor_staff", {Role.STAFF_ADMIN}),
    ]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    entries = list(_core_items())
    for config in apps.get_app_configs():
        entries.extend(getattr(config, "nav_items", []))
    items = []
    for label, url_name, roles in entries:
        if user.role not in roles:
            continue
        url = reverse(url_name)
        items.append({"label": label, "url": url, "active": request.path.startswith(url)})
    return {"nav_items": items}
