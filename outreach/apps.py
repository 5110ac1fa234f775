from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import PEER_VIEW_ROLES

# Who writes and sends communications: the roles that may see a peer (an
# audience of facilitators names people in recovery).
OUTREACH_ROLES = PEER_VIEW_ROLES


class OutreachConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "outreach"
    nav_items = [NavItem("Communications", "outreach_staff:list", OUTREACH_ROLES, "Partners")]

    def ready(self) -> None:
        from outreach import services
        from partners import personal_data
        from training import person_sections

        personal_data.register(
            "outreach",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
        person_sections.register(
            "communications",
            title="Communications sent",
            items=services.history_lines,
            empty="No communications sent.",
            order=80,
        )
