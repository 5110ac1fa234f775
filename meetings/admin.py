from django.contrib import admin
from django.db import models
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from meetings.models import (
    HeadCount,
    LeadershipPeriod,
    Meeting,
    MeetingStatusChange,
    PostcodeCentroid,
    Proposal,
)


class StatusChangeInline(admin.TabularInline):
    model = MeetingStatusChange
    extra = 0
    readonly_fields = ["status", "on", "reason", "recorded_by", "created_at"]
    can_delete = False


class LeadershipInline(admin.TabularInline):
    model = LeadershipPeriod
    extra = 0
    fields = ["kind", "start_date", "end_date", "note"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "weekday", "start_time", "format", "status", "is_public"]
    list_filter = ["status", "programme", "format", "is_public", "weekday"]
    search_fields = ["name", "slug", "venue_town", "venue_postcode", "site__town"]
    readonly_fields = ["status", "first_active_on", "created_at", "updated_at"]
    raw_id_fields = ["site", "host"]
    inlines = [StatusChangeInline, LeadershipInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # The feed's "updated" says when a listing last changed, admin edits included.
        obj.updated_at = timezone.now()
        super().save_model(request, obj, form, change)


@admin.register(LeadershipPeriod)
class LeadershipPeriodAdmin(SimpleHistoryAdmin):
    """Read only: leadership history is recorded through the staff screens
    (``meetings.services.leadership_change``) and never overwritten."""

    list_display = ["meeting", "kind", "start_date", "end_date"]
    list_filter = ["kind"]
    search_fields = ["meeting__name"]
    readonly_fields = [
        "meeting", "kind", "start_date", "end_date", "facilitators", "note", "recorded_by",
        "created_at",
    ]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HeadCount)
class HeadCountAdmin(admin.ModelAdmin):
    list_display = ["meeting", "held_on", "attendance", "new_attendees"]
    date_hierarchy = "held_on"
    raw_id_fields = ["meeting", "recorded_by"]
    search_fields = ["meeting__name"]


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["meeting", "organisation", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["meeting", "organisation", "facilitators", "proposed_by", "decided_by"]


@admin.register(PostcodeCentroid)
class PostcodeCentroidAdmin(admin.ModelAdmin):
    list_display = ["postcode", "is_district", "place", "latitude", "longitude"]
    search_fields = ["postcode", "place"]
