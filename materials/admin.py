"""Django admin for materials. Stock is read-only here: it moves only through
receipts and adjustments (the staff stock page) and packing, so the ledger
and the number never disagree."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from materials.models import Backorder, Dispatch, DispatchLine, Item, Pack, PackItem, StockMovement


@admin.register(Item)
class ItemAdmin(SimpleHistoryAdmin):
    list_display = [
        "name",
        "code",
        "unit_cost",
        "pack_size",
        "stock_on_hand",
        "reorder_level",
        "requestable",
        "is_active",
    ]
    list_filter = ["requestable", "is_active"]
    search_fields = ["name", "code"]
    readonly_fields = ["stock_on_hand", "low_stock_alerted"]
    prepopulated_fields = {"code": ["name"]}


@admin.register(StockMovement)
class StockMovementAdmin(SimpleHistoryAdmin):
    list_display = ["created_at", "item", "kind", "quantity", "balance_after", "note", "created_by"]
    list_filter = ["kind", "item"]
    date_hierarchy = "created_at"
    list_select_related = ["item", "created_by"]

    def has_add_permission(self, request):
        return False  # recorded through the stock page, which keeps the balance in step

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PackItemInline(admin.TabularInline):
    model = PackItem
    extra = 1
    autocomplete_fields = ["item"]


@admin.register(Pack)
class PackAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    inlines = [PackItemInline]


class DispatchLineInline(admin.TabularInline):
    model = DispatchLine
    extra = 0
    fields = ["item", "quantity", "quantity_packed", "unit_cost"]
    readonly_fields = ["quantity_packed", "unit_cost"]
    autocomplete_fields = ["item"]

    def has_change_permission(self, request, obj=None):
        # Lines are fixed once packing has started.
        return obj is None or obj.packed_at is None


@admin.register(Dispatch)
class DispatchAdmin(admin.ModelAdmin):
    """Staff may correct an address or a note here; status moves on the queue pages."""

    list_display = ["short_ref", "created_at", "contact_name", "reason", "status", "postcode"]
    list_filter = ["status", "reason"]
    search_fields = ["contact_name", "contact_email", "postcode", "tracking_reference"]
    date_hierarchy = "created_at"
    raw_id_fields = ["person", "follows"]
    readonly_fields = [
        "reason",
        "status",
        "meeting_id",
        "idempotency_key",
        "reference",
        "tracking_reference",
        "rejection_reason",
        "created_at",
        "approved_at",
        "packed_at",
        "dispatched_at",
        "dispatched_on",
        "delivered_at",
        "rejected_at",
        "handled_by",
    ]
    inlines = [DispatchLineInline]


@admin.register(Backorder)
class BackorderAdmin(SimpleHistoryAdmin):
    list_display = [
        "item",
        "quantity",
        "quantity_filled",
        "created_at",
        "filled_at",
        "cancelled_at",
    ]
    list_filter = ["item"]
    raw_id_fields = ["line"]
    readonly_fields = ["quantity_filled", "filled_at"]
