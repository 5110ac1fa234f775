from django.apps import AppConfig

from smartnet.roles import STAFF_ROLES, Role


class BoardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "board"
    nav_items = [
        ("Board", "board_staff:objectives", STAFF_ROLES),
        ("Board reports", "board:reports", frozenset({Role.TRUSTEE})),
    ]
