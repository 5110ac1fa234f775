from django.apps import AppConfig

from smartnet.roles import Role

MATERIALS_STAFF = frozenset({Role.STAFF_ADMIN, Role.MATERIALS})
ECONOMICS_ROLES = frozenset({Role.STAFF_ADMIN, Role.MATERIALS, Role.FINANCE})


class MaterialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "materials"
    nav_items = [
        ("Materials queue", "materials_staff:queue", MATERIALS_STAFF),
        ("Stock", "materials_staff:stock", MATERIALS_STAFF),
        ("Materials economics", "materials_staff:economics", ECONOMICS_ROLES - MATERIALS_STAFF),
        ("Request materials", "materials:request", frozenset({Role.FACILITATOR})),
    ]

    def ready(self) -> None:
        """Listen to training and meetings: materials reacts, they never call us."""
        from materials import receivers, selectors, services
        from meetings.signals import meeting_started
        from partners import personal_data
        from training import person_sections
        from training.signals import facilitator_trained

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
