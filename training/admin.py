from django.contrib import admin

from training.models import (
    Completion,
    Course,
    ImportJob,
    ImportRejection,
    MoodleCourse,
    TrainingEvent,
    TrainingProfile,
)


class MoodleCourseInline(admin.TabularInline):
    model = MoodleCourse
    extra = 1


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "delivery", "access_rule", "awards", "validity_months"]
    list_filter = ["delivery", "access_rule", "awards", "is_active"]
    inlines = [MoodleCourseInline]


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    # Completions are recorded through training.services (import, events, staff
    # screens): read-only here so the derived fields stay derived.
    list_display = ["person", "course", "completed_on", "source", "certificate_number"]
    list_filter = ["course", "source"]
    search_fields = ["person__email", "person__last_name", "certificate_number"]
    raw_id_fields = ["person", "event", "import_job"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TrainingProfile)
class TrainingProfileAdmin(admin.ModelAdmin):
    list_display = ["person", "consent_to_contact", "moodle_idnumber"]
    raw_id_fields = ["person"]
    search_fields = ["person__email", "moodle_idnumber"]


@admin.register(TrainingEvent)
class TrainingEventAdmin(admin.ModelAdmin):
    list_display = ["course", "held_on", "venue", "capacity"]
    raw_id_fields = ["trainers", "site"]


class ImportRejectionInline(admin.TabularInline):
    model = ImportRejection
    extra = 0
    readonly_fields = ["line", "reason", "excerpt"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "status", "created_count", "rejected_count", "created_at"]
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    inlines = [ImportRejectionInline]
