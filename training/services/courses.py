"""Courses as staff set them up: the course, its access rule, and the Moodle
short names that map to it. Validated naming the field; audited."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from training.models import AccessRule, Audience, Award, Course, Delivery, MoodleCourse


@transaction.atomic
def course_save(
    *,
    course: Course | None = None,
    code: str,
    title: str,
    delivery: str,
    audience: str,
    access_rule: str,
    awards: str = "",
    validity_months: int | None = None,
    is_active: bool = True,
    by=None,
) -> Course:
    """Create or edit a course; its code is unique (the certificates and the
    import name it)."""
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().lower()
    title = (title or "").strip()
    if not code:
        errors["code"] = ["Enter a short code, such as smart-intro."]
    elif Course.objects.filter(code=code).exclude(pk=course.pk if course else None).exists():
        errors["code"] = [f"A course with the code {code} exists already."]
    if not title:
        errors["title"] = ["Enter the course title."]
    for field, value, choices in (
        ("delivery", delivery, Delivery.values),
        ("audience", audience, Audience.values),
        ("access_rule", access_rule, AccessRule.values),
        ("awards", awards or "", Award.values),
    ):
        if value not in choices:
            errors[field] = ["Choose one of the options."]
    if validity_months is not None and not 1 <= validity_months <= 120:
        errors["validity_months"] = ["Enter between 1 and 120 months, or leave it empty."]
    if errors:
        raise ValidationError(errors)
    record = course or Course()
    record.code, record.title = code, title
    record.delivery, record.audience, record.access_rule = delivery, audience, access_rule
    record.awards, record.validity_months, record.is_active = (
        awards or "",
        validity_months,
        is_active,
    )
    record._history_user = by  # type: ignore[attr-defined]
    try:
        record.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    record.save()
    return record


@transaction.atomic
def course_map_set(*, shortname: str, course: Course, by=None) -> MoodleCourse:
    """Map a Moodle course short name to a course (a short name maps to one
    course; mapping it again moves it)."""
    shortname = (shortname or "").strip()
    if not shortname:
        raise ValidationError({"shortname": "Enter the Moodle course short name."})
    mapping = MoodleCourse.objects.filter(shortname__iexact=shortname).first() or MoodleCourse(
        shortname=shortname
    )
    mapping.course = course
    mapping._history_user = by  # type: ignore[attr-defined]
    mapping.save()
    return mapping
