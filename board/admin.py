from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from board.models import Action, BoardMeeting, BoardReport, Objective


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    fields = ["title", "owner", "due_date", "status", "at_risk"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    """Read-only: objectives change through the staff screens (board.services)."""

    list_display = ["title", "metric_key", "target_value", "target_date", "owner", "archived"]
    inlines = [ActionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "objective", "owner", "due_date", "status", "at_risk"]
    list_filter = ["status", "at_risk"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BoardMeeting)
class BoardMeetingAdmin(admin.ModelAdmin):
    list_display = ["date", "title"]


@admin.register(BoardReport)
class BoardReportAdmin(admin.ModelAdmin):
    """Reports are drafted, reviewed and issued through board.services only."""

    list_display = ["meeting", "status", "as_of", "issued_at"]
    exclude = ["pdf", "snapshot"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
