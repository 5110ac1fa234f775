from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import STAFF_ROLES


class FeedbackConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "feedback"
    nav_items = [NavItem("Public reports", "feedback_staff:queue", STAFF_ROLES, "Meetings")]

    def ready(self) -> None:
        from feedback import services
        from partners import personal_data

        personal_data.register(
            "feedback", export=services.personal_data_export, erase=services.personal_data_erase
        )
