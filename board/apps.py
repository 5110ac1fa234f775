from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import STAFF_ROLES, Role


class BoardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "board"
    nav_items = [
        NavItem("Board objectives", "board_staff:objectives", STAFF_ROLES, "Board"),
        NavItem("Board reports", "board:reports", frozenset({Role.TRUSTEE}), "Board"),
    ]
    # Trustees start at the issued board reports.
    role_homes = {Role.TRUSTEE: "board:reports"}

    def ready(self) -> None:
        from board import services
        from partners import personal_data

        # Nothing of a person is stored here; erasure drops the board's caches.
        personal_data.register(
            "board", export=lambda person_id: {}, erase=services.personal_data_erase
        )
