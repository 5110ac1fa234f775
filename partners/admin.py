from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import (
    Affiliation,
    Agreement,
    AgreementPeriod,
    Area,
    BankLine,
    ChasingHold,
    FeeRate,
    Invoice,
    InvoiceCounter,
    InvoiceLine,
    InvoiceReminder,
    Organisation,
    Payment,
    PendingContact,
    Person,
    Product,
    Refund,
    Reminder,
    Site,
    SiteCoverage,
    SiteFlag,
    SiteRequest,
)


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ["name", "ons_code", "nation", "region", "population"]
    list_filter = ["nation", "region"]
    search_fields = ["name", "ons_code"]


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "town", "postcode", "area", "site_type", "closed_on"]
    autocomplete_fields = ["area"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "charity_number", "company_number"]
    list_filter = ["kind"]
    search_fields = ["name", "charity_number", "company_number"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["areas"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "town", "postcode", "area", "site_type", "closed_on"]
    list_filter = ["site_type", "area__nation"]
    search_fields = ["name", "postcode", "town", "organisation__name"]
    autocomplete_fields = ["organisation", "area"]
    list_select_related = ["organisation", "area"]


class AffiliationInline(admin.TabularInline):
    model = Affiliation
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "email", "anonymised_at"]
    search_fields = ["last_name", "first_name", "email"]
    raw_id_fields = ["user"]
    inlines = [AffiliationInline]


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    list_display = ["person", "organisation", "role", "start_date", "end_date", "is_primary"]
    list_filter = ["role", "is_primary"]
    search_fields = ["person__last_name", "person__email", "organisation__name"]
    autocomplete_fields = ["person", "organisation"]
    list_select_related = ["person", "organisation"]


# --- The Partnership Scheme ----------------------------------------------------------------


class PeriodInline(admin.TabularInline):
    model = AgreementPeriod
    extra = 0
    fields = ["start_date", "end_date", "status", "site_fee", "annual_amount", "activated_on"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # terms are created by the services (agreement_create, renewals)


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "organisation", "kind", "signed_on", "created_at"]
    list_filter = ["kind", "organisation__kind"]
    search_fields = ["reference", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]
    readonly_fields = ["reference", "created_at"]
    inlines = [PeriodInline]

    def has_delete_permission(self, request, obj=None):
        return False


class CoverageInline(admin.TabularInline):
    model = SiteCoverage
    extra = 0
    autocomplete_fields = ["site"]


@admin.register(AgreementPeriod)
class AgreementPeriodAdmin(SimpleHistoryAdmin):
    list_display = [
        "agreement",
        "start_date",
        "end_date",
        "status",
        "activated_on",
        "confirmed_on",
        "renewed_on",
        "lapsed_on",
    ]
    list_filter = ["status", "agreement__kind", "end_date"]
    search_fields = ["agreement__reference", "agreement__organisation__name"]
    list_select_related = ["agreement__organisation"]
    raw_id_fields = ["agreement", "previous", "confirmed_by"]
    date_hierarchy = "end_date"
    inlines = [CoverageInline]

    def has_delete_permission(self, request, obj=None):
        return False  # terms are an append-only history


@admin.register(SiteCoverage)
class SiteCoverageAdmin(admin.ModelAdmin):
    list_display = ["site", "period", "joined_on", "left_on"]
    list_filter = ["period__status"]
    search_fields = ["site__name", "period__agreement__reference"]
    raw_id_fields = ["site", "period"]
    list_select_related = ["site", "period__agreement"]


@admin.register(FeeRate)
class FeeRateAdmin(admin.ModelAdmin):
    list_display = ["effective_from", "site_fee", "note"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "vat_treatment", "vat_rate", "account_code", "xero_tax_type"]
    list_filter = ["vat_treatment"]


@admin.register(InvoiceCounter)
class InvoiceCounterAdmin(admin.ModelAdmin):
    list_display = ["series", "next_number"]
    readonly_fields = ["series", "next_number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    extra = 0
    readonly_fields = [
        "product",
        "description",
        "quantity",
        "unit_amount",
        "net_amount",
        "vat_treatment",
        "vat_rate",
        "vat_amount",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    readonly_fields = [
        "amount",
        "received_on",
        "reference",
        "created_at",
        "reversed_on",
        "reversal_reason",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(SimpleHistoryAdmin):
    """Read-only: invoices change only through the services (issue, pay, credit)."""

    list_display = [
        "__str__",
        "kind",
        "organisation",
        "status",
        "issue_date",
        "due_date",
        "total",
        "amount_paid",
        "amount_credited",
    ]
    list_filter = ["kind", "status", "purpose", "issue_date"]
    search_fields = ["number", "organisation__name"]
    list_select_related = ["organisation"]
    date_hierarchy = "issue_date"
    inlines = [InvoiceLineInline, PaymentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invoice._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(SimpleHistoryAdmin):
    list_display = ["invoice", "amount", "received_on", "reference"]
    list_filter = ["received_on"]
    search_fields = ["invoice__number", "reference", "invoice__organisation__name"]
    list_select_related = ["invoice"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Payment._meta.fields]

    def has_add_permission(self, request):
        return False  # recorded through the staff screen, which refuses overpayment

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["period", "kind", "for_date", "recipients", "created_at", "sent_at"]
    list_filter = ["kind", "for_date", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["period__agreement__reference", "recipients"]
    list_select_related = ["period__agreement"]
    raw_id_fields = ["period"]


@admin.register(SiteFlag)
class SiteFlagAdmin(admin.ModelAdmin):
    list_display = ["site", "reason", "raised_on", "cleared_on"]
    list_filter = ["cleared_on", "raised_on"]
    search_fields = ["site__name", "reason"]
    raw_id_fields = ["site"]


@admin.register(SiteRequest)
class SiteRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "joins_on", "quoted_fee", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "organisation__name", "postcode"]
    raw_id_fields = ["organisation", "period", "area", "requested_by", "site"]


@admin.register(PendingContact)
class PendingContactAdmin(SimpleHistoryAdmin):
    """Read-only: staff decide at /staff/partners/contacts/pending/ through the
    services, which tie the person and record who decided."""

    list_display = ["organisation", "role", "first_name", "last_name", "status", "requested_at"]
    list_filter = ["status", "role"]
    search_fields = ["organisation__name", "email", "last_name"]
    list_select_related = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in PendingContact._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InvoiceLine)
class InvoiceLineAdmin(admin.ModelAdmin):
    """Read-only: lines belong to their invoice and change only while it is a draft."""

    list_display = ["invoice", "description", "net_amount", "vat_treatment", "vat_amount"]
    list_filter = ["vat_treatment", "product"]
    search_fields = ["invoice__number", "description"]
    list_select_related = ["invoice"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in InvoiceLine._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Money records change only through the services (audited there)."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Refund)
class RefundAdmin(_ReadOnlyAdmin):
    list_display = ["credit_note", "invoice", "amount", "paid_on"]


@admin.register(ChasingHold)
class ChasingHoldAdmin(_ReadOnlyAdmin):
    list_display = ["organisation", "invoice", "reason", "held_on", "released_on"]


@admin.register(InvoiceReminder)
class InvoiceReminderAdmin(_ReadOnlyAdmin):
    list_display = ["invoice", "days", "for_date", "sent_at"]


@admin.register(BankLine)
class BankLineAdmin(_ReadOnlyAdmin):
    list_display = ["posted_on", "amount", "reference", "payment"]
