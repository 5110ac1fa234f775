from django.apps import AppConfig

from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role

TRAINING_ADMIN = frozenset({Role.TRAINING, Role.STAFF_ADMIN})


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    nav_items = [
        ("People", "training_staff:people", STAFF_ROLES),
        ("Champions", "training_staff:champions", STAFF_ROLES),
        ("Courses", "training_staff:courses", STAFF_ROLES),
        ("Training events", "training_staff:events", STAFF_ROLES),
        ("Moodle import", "training_staff:imports", TRAINING_ADMIN),
        ("Staff mobility", "training_staff:mobility", STAFF_ROLES),
        ("Our training", "training_portal:home", PORTAL_ROLES),
    ]

    def ready(self) -> None:
        from partners import personal_data
        from training import services

        personal_data.register(
            "training",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
