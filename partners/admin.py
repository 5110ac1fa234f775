from django.contrib import admin

from partners.models import Affiliation, Area, Organisation, Person, Site


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
