import importlib

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
        from materials import receivers, services
        from partners import personal_data

        # A person's data: parcels and requests addressed to them.
        personal_data.register(
            "materials",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )

        for module_name, signal_name, receiver in (
            ("training.signals", "facilitator_trained", receivers.on_facilitator_trained),
            ("meetings.signals", "meeting_started", receivers.on_meeting_started),
        ):
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                continue  # that app has not defined its signals (yet)
            getattr(module, signal_name).connect(receiver, dispatch_uid=f"materials.{signal_name}")
