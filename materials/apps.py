from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import Role

MATERIALS_STAFF = frozenset({Role.STAFF_ADMIN, Role.MATERIALS})
ECONOMICS_ROLES = frozenset({Role.STAFF_ADMIN, Role.MATERIALS, Role.FINANCE})


class MaterialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "materials"
    nav_items = [
        NavItem("Dispatch queue", "materials_staff:queue", MATERIALS_STAFF, "Materials"),
        NavItem("Stock", "materials_staff:stock", MATERIALS_STAFF, "Materials"),
        NavItem("Materials economics", "materials_staff:economics", ECONOMICS_ROLES, "Finance"),
        # A facilitator's home stands on its own in the bar.
        NavItem("Your meetings", "facilitator:home", frozenset({Role.FACILITATOR}), exact=True),
        NavItem(
            "Request materials", "materials:request", frozenset({Role.FACILITATOR}), "Materials"
        ),
    ]
    # Facilitators start at their home page: what needs doing.
    role_homes = {Role.FACILITATOR: "facilitator:home"}

    def ready(self) -> None:
        """Listen to training and meetings: materials reacts, they never call us."""
        from materials import receivers, search, selectors, services
        from meetings.signals import facilitators_named, meeting_started
        from partners import personal_data
        from smartnet import search as header_search
        from training import person_sections
        from training.signals import facilitator_trained

        header_search.register(
            "dispatches",
            title="Dispatches",
            roles=MATERIALS_STAFF,
            find=search.find_dispatches,
            order=50,
        )
        # A person's data: parcels and requests addressed to them.
        personal_data.register(
            "materials",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
        # The person's training page lists the parcels sent to them.
        person_sections.register(
            "materials",
            title="Materials sent",
            items=selectors.dispatch_lines_for_person,
            empty="Nothing sent yet.",
            order=20,
        )

        facilitator_trained.connect(
            receivers.on_facilitator_trained, dispatch_uid="materials.facilitator_trained"
        )
        meeting_started.connect(
            receivers.on_meeting_started, dispatch_uid="materials.meeting_started"
        )
        facilitators_named.connect(
            receivers.on_facilitators_named, dispatch_uid="materials.facilitators_named"
        )
