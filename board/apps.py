from django.apps import AppConfig, apps

from smartnet.navigation import NavItem
from smartnet.roles import STAFF_ROLES, Role

# The apps whose data the dashboard's metrics read (board.metrics).
ROLLUP_SOURCE_APPS = frozenset({"partners", "meetings", "training", "materials"})


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
        from django.db.models.signals import post_delete, post_save

        from board import rollups, services
        from partners import personal_data

        # The daily roll-ups are dropped (after commit) when data under them
        # changes, whichever service, screen or admin page changed it; a status
        # change dated in the past reaches back into the meetings-per-week series.
        def data_changed(sender, instance, **kwargs):
            if sender._meta.app_label not in ROLLUP_SOURCE_APPS or kwargs.get("raw"):
                return
            if apps.all_models[sender._meta.app_label].get(sender._meta.model_name) is not sender:
                # A migration's historical model (RunPython): the roll-up table
                # may not exist yet at that point of the migration history.
                return
            series_from = None
            if sender._meta.label == "meetings.MeetingStatusChange":
                series_from = instance.on
            rollups.drop_on_commit(series_from=series_from)

        post_save.connect(data_changed, dispatch_uid="board-rollups-save")
        post_delete.connect(data_changed, dispatch_uid="board-rollups-delete")

        # Nothing of a person is stored here; erasure drops the board's caches.
        personal_data.register(
            "board", export=lambda person_id: {}, erase=services.personal_data_erase
        )
