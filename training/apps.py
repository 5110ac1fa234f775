from django.apps import AppConfig

from smartnet.navigation import NavItem
from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role

TRAINING_ADMIN = frozenset({Role.TRAINING, Role.STAFF_ADMIN})


class TrainingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "training"
    nav_items = [
        NavItem("People", "training_staff:people", STAFF_ROLES, "Training"),
        NavItem("Champions", "training_staff:champions", STAFF_ROLES, "Training"),
        NavItem("Courses", "training_staff:courses", STAFF_ROLES, "Training"),
        NavItem("Training events", "training_staff:events", STAFF_ROLES, "Training"),
        NavItem("Moodle import", "training_staff:imports", TRAINING_ADMIN, "Training"),
        NavItem("Possible matches", "training_staff:possible_matches", TRAINING_ADMIN, "Training"),
        NavItem("Staff mobility", "training_staff:mobility", STAFF_ROLES, "Training"),
        NavItem("Refreshers", "training_staff:refreshers", STAFF_ROLES, "Training"),
        NavItem("Our training", "training_portal:home", PORTAL_ROLES, "Training"),
        NavItem("Book training", "training_portal:events", PORTAL_ROLES, "Training"),
    ]

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from partners import personal_data
        from partners import signals as partner_signals
        from smartnet import search as header_search
        from training import search, services
        from training.models import Completion

        # People as the People page shows them: peers only for the roles that may see them.
        header_search.register(
            "people", title="People", roles=STAFF_ROLES, find=search.find_people, order=20
        )

        # A person's "Champion since" follows their completions wherever they
        # change outside ``completions_record``: a completion deleted (the admin,
        # or with its person), or moved by a merge of two records.
        def completion_deleted(sender, instance, **kwargs):
            services.champion_since_refresh(person_ids=[instance.person_id])

        def person_merged(sender, keeper_id, **kwargs):
            services.champion_since_refresh(person_ids=[keeper_id])

        post_delete.connect(
            completion_deleted, sender=Completion, dispatch_uid="training-champion-since-del"
        )
        partner_signals.person_merged.connect(
            person_merged, dispatch_uid="training-champion-since-merge"
        )

        personal_data.register(
            "training",
            export=services.personal_data_export,
            erase=services.personal_data_erase,
        )
