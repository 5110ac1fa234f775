"""The staff set-up of the directory: organisations (with their billing
details and, for a commissioner, the areas it covers), sites (placed from the
postcode table), people, their affiliations, and merging two records of one
human.

Each function validates everything first and raises one ``ValidationError``
keyed by the fields at fault, then writes inside one transaction: nothing is
saved by half. The models keep their history (django-simple-history), so
every change is in the audit trail with who made it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from partners import postcode_lookup, signals
from partners.models import (
    Affiliation,
    AffiliationRole,
    Area,
    Organisation,
    OrganisationKind,
    Person,
    Site,
    SiteType,
)
from partners.services.people import contact_set
from partners.validators import normalise_uk_postcode
from smartnet.models import User

# Charity numbers: England and Wales (registered number, optionally with a
# subsidiary suffix "-1"), Scotland (SC + 6 digits), Northern Ireland (NIC +
# 6 digits, or the older 100000-series numbers).
CHARITY_NUMBER = re.compile(r"^(\d{6,7}(-\d{1,2})?|SC\d{6}|NIC\d{6}|1\d{5})$")
# Companies House: 8 digits, or a two-letter prefix (SC, NI, OC, SO, NC, ...) and 6 digits.
COMPANY_NUMBER = re.compile(r"^(\d{8}|[A-Z]{2}\d{6})$")


def normalise_charity_number(value: str) -> str:
    text = re.sub(r"\s+", "", (value or "").upper())
    if text and not CHARITY_NUMBER.match(text):
        raise ValidationError(
            "Enter a charity number such as 1123456 (England and Wales), SC012345 "
            "(Scotland) or NIC100123 (Northern Ireland)."
        )
    return text


def normalise_company_number(value: str) -> str:
    text = re.sub(r"\s+", "", (value or "").upper())
    if text.isdigit() and 6 <= len(text) < 8:
        text = text.zfill(8)  # Companies House drops no zeros; people do
    if text and not COMPANY_NUMBER.match(text):
        raise ValidationError(
            "Enter a company number of 8 characters, such as 01234567 or SC123456."
        )
    return text


def _unique_slug(name: str, exclude_pk: int | None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, n = base, 2
    others = Organisation.objects.exclude(pk=exclude_pk) if exclude_pk else Organisation.objects
    while others.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organisation_save(
    *,
    organisation: Organisation | None = None,
    name: str,
    kind: str,
    charity_number: str = "",
    company_number: str = "",
    website: str = "",
    billing_address: str = "",
    requires_po_number: bool = False,
    areas: Iterable[Area] | None = None,
    billing_contact: dict | None = None,
    by: User | None = None,
) -> Organisation:
    """Create (``organisation`` None) or edit an organisation. Refused, naming
    the field: a wrong charity or company number, a name or number another
    organisation has already (duplicates), areas for one that is not a
    commissioner. ``billing_contact`` (first_name, last_name, email) makes
    that person the billing contact (``people.contact_set``)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter the organisation's name."]
    if kind not in OrganisationKind.values:
        errors["kind"] = ["Choose the kind of organisation."]
    numbers = {"charity_number": "", "company_number": ""}
    for field, value, normalise in (
        ("charity_number", charity_number, normalise_charity_number),
        ("company_number", company_number, normalise_company_number),
    ):
        try:
            numbers[field] = normalise(value)
        except ValidationError as exc:
            errors[field] = exc.messages
    others = Organisation.objects.all()
    if organisation is not None:
        others = others.exclude(pk=organisation.pk)
    if name and others.filter(name__iexact=name).exists():
        errors.setdefault("name", []).append(
            f"An organisation called {name} exists already: open it instead of making another."
        )
    for field, value in numbers.items():
        if value and others.filter(**{field: value}).exists():
            holder = others.filter(**{field: value}).first()
            errors.setdefault(field, []).append(f"{holder} has this number already.")
    areas = list(areas or [])
    if areas and kind != OrganisationKind.COMMISSIONER:
        errors["areas"] = ["Only a commissioner covers areas."]
    if errors:
        raise ValidationError(errors)
    org = organisation or Organisation()
    org.name = name
    org.kind = kind
    org.charity_number = numbers["charity_number"]
    org.company_number = numbers["company_number"]
    org.website = (website or "").strip()
    org.billing_address = (billing_address or "").strip()
    org.requires_po_number = bool(requires_po_number)
    if not org.slug:
        org.slug = _unique_slug(name, org.pk)
    org._history_user = by  # type: ignore[attr-defined]  # outside a request too
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    org.save()
    if kind == OrganisationKind.COMMISSIONER or organisation is not None:
        org.areas.set(areas)
    if billing_contact and (billing_contact.get("email") or "").strip():
        contact_set(organisation=org, role=AffiliationRole.BILLING_CONTACT, **billing_contact)
    return org


@dataclass(frozen=True)
class SitePlace:
    postcode: str
    area: Area | None
    latitude: Decimal | None
    longitude: Decimal | None
    known: bool  # the postcode table holds it


def site_place(postcode: str) -> SitePlace:
    """Where a postcode is, from the postcode table: the local authority area
    and the coordinates. ValidationError (on ``postcode``) when it is not a UK
    postcode; ``known`` False when the table does not hold it."""
    try:
        postcode = normalise_uk_postcode(postcode)
    except ValidationError as exc:
        raise ValidationError({"postcode": exc.messages}) from None
    info = postcode_lookup.lookup(postcode)
    if info is None:
        return SitePlace(postcode, None, None, None, known=False)
    area = Area.objects.filter(ons_code=info.area_code).first() if info.area_code else None
    return SitePlace(postcode, area, info.latitude, info.longitude, known=True)


@transaction.atomic
def site_save(
    *,
    site: Site | None = None,
    organisation: Organisation,
    name: str,
    address_line_1: str,
    town: str,
    postcode: str,
    site_type: str,
    address_line_2: str = "",
    area: Area | None = None,
    opened_on: datetime.date | None = None,
    closed_on: datetime.date | None = None,
    by: User | None = None,
) -> Site:
    """Create or edit a site. The postcode must be a UK postcode; its area and
    coordinates come from the postcode table. When the table does not hold
    the postcode, or does not say its area, staff choose the area (``area``)
    and the site is saved without coordinates; without an area it is refused
    with a message saying so. A second site of the organisation at the same
    postcode with the same name is a duplicate."""
    errors: dict[str, list[str]] = {}
    place = None
    try:
        place = site_place(postcode)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    chosen_area = area or (place.area if place else None)
    if place is not None and chosen_area is None:
        errors["area"] = [
            f"{place.postcode} is not in the postcode table, so its local authority area is "
            "not known: check the postcode, or choose the area."
            if not place.known
            else f"The postcode table does not say which area {place.postcode} is in: choose it."
        ]
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Enter the site's name."]
    if site_type not in SiteType.values:
        errors["site_type"] = ["Choose the type of site."]
    if closed_on and opened_on and closed_on < opened_on:
        errors["closed_on"] = ["A site closes after it opens."]
    if place is not None and name:
        twins = Site.objects.filter(
            organisation=organisation, name__iexact=name, postcode=place.postcode
        )
        if site is not None:
            twins = twins.exclude(pk=site.pk)
        if twins.exists():
            errors.setdefault("name", []).append(
                f"{organisation} already has a site called {name} at {place.postcode}."
            )
    if errors or place is None or chosen_area is None:
        raise ValidationError(errors)
    record = site or Site(organisation=organisation)
    record.organisation = organisation
    record.name = name
    record.address_line_1 = (address_line_1 or "").strip()
    record.address_line_2 = (address_line_2 or "").strip()
    record.town = (town or "").strip()
    record.postcode = place.postcode
    record.area = chosen_area
    record.site_type = site_type
    record.opened_on = opened_on
    record.closed_on = closed_on
    if place.known:
        record.latitude, record.longitude = place.latitude, place.longitude
    elif site is None or site.postcode != place.postcode:
        record.latitude = record.longitude = None
    record._history_user = by  # type: ignore[attr-defined]
    try:
        record.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    record.save()
    return record


def person_matches(
    *, email: str = "", first_name: str = "", last_name: str = "", organisation=None
) -> list[Person]:
    """People who may be the one about to be added: the same e-mail, or the
    same first and last name (at the organisation, when one is given, else
    anywhere). Shown before a new record is made."""
    email = (email or "").strip().lower()
    query = Q(pk__in=[])
    if email:
        query |= Q(email=email)
    if first_name.strip() and last_name.strip():
        same_name = Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip())
        if organisation is not None:
            same_name &= Q(affiliations__organisation=organisation)
        query |= same_name
    return list(
        Person.objects.filter(query, anonymised_at__isnull=True).distinct().order_by("pk")[:10]
    )


@transaction.atomic
def person_save(
    *,
    person: Person | None = None,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    confirmed_new: bool = False,
    organisation=None,
    by: User | None = None,
) -> Person:
    """Create or edit a person. A new person whose e-mail, or name (at the
    organisation), matches someone in the directory is refused until staff
    confirm it is someone else (``confirmed_new``); an e-mail another person
    has is always refused (one person per e-mail)."""
    errors: dict[str, list[str]] = {}
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    email = (email or "").strip().lower()
    if not first_name:
        errors["first_name"] = ["Enter the first name."]
    if not last_name:
        errors["last_name"] = ["Enter the last name."]
    others = Person.objects.exclude(pk=person.pk) if person else Person.objects.all()
    if email and others.filter(email=email).exists():
        errors["email"] = [
            f"{others.get(email=email)} has this e-mail address: open their record, or "
            "merge the two if they are one person."
        ]
    if (
        person is None
        and not confirmed_new
        and not errors
        and person_matches(first_name=first_name, last_name=last_name, organisation=organisation)
    ):
        errors["confirmed_new"] = [
            "Someone with this name is in the directory already: open them, or tick "
            "that this is a different person."
        ]
    if errors:
        raise ValidationError(errors)
    record = person or Person()
    record.first_name, record.last_name = first_name, last_name
    record.email, record.phone = email, (phone or "").strip()
    record._history_user = by  # type: ignore[attr-defined]
    try:
        record.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    record.save()
    # The account signs in by the person's address: keep the two the same.
    if (
        record.user_id
        and email
        and not User.objects.filter(email=email).exclude(pk=record.user_id).exists()
    ):
        User.objects.filter(pk=record.user_id).update(email=email, full_name=record.full_name)
    return record


@transaction.atomic
def person_mark_reviewed(*, person: Person, by: User | None = None) -> Person:
    """Staff checked a record made by the Moodle import."""
    person.reviewed_at = timezone.now()
    person._history_user = by  # type: ignore[attr-defined]
    person.save(update_fields=["reviewed_at"])
    return person


@transaction.atomic
def affiliation_add(
    *,
    person: Person,
    organisation: Organisation,
    role: str,
    start_date: datetime.date,
    end_date: datetime.date | None = None,
    is_primary: bool = False,
    by: User | None = None,
) -> Affiliation:
    """Tie a person to an organisation in a role from a date. Refused: the same
    tie current already, an end before the start, a second current primary."""
    errors: dict[str, list[str]] = {}
    if role not in AffiliationRole.values:
        errors["role"] = ["Choose a role."]
    if end_date and end_date < start_date:
        errors["end_date"] = ["The end date is before the start date."]
    overlapping = Affiliation.objects.filter(
        person=person,
        organisation=organisation,
        role=role,
        start_date__lte=end_date or datetime.date.max,
    ).filter(Q(end_date__isnull=True) | Q(end_date__gte=start_date))
    if overlapping.exists():
        errors["role"] = [
            f"{person} is already {AffiliationRole(role).label.lower()} of {organisation} "
            "in these dates."
        ]
    if is_primary and not end_date:
        primary = (
            Affiliation.objects.filter(person=person, is_primary=True, end_date__isnull=True)
            .select_related("organisation")
            .first()
        )
        if primary is not None:
            errors["is_primary"] = [
                f"{person}'s primary affiliation is with {primary.organisation}: end it first."
            ]
    if errors:
        raise ValidationError(errors)
    tie = Affiliation(
        person=person,
        organisation=organisation,
        role=role,
        start_date=start_date,
        end_date=end_date,
        is_primary=is_primary and not end_date,
    )
    tie._history_user = by  # type: ignore[attr-defined]
    tie.full_clean()
    tie.save()
    return tie


@transaction.atomic
def affiliation_end(
    *, affiliation: Affiliation, end_date: datetime.date, by: User | None = None
) -> Affiliation:
    """End a tie on a date (the person moved on). Portal access it gave ends
    with it: the portal asks for current affiliations on every request."""
    if end_date < affiliation.start_date:
        raise ValidationError({"end_date": "The end date is before the tie began."})
    affiliation.end_date = end_date
    affiliation._history_user = by  # type: ignore[attr-defined]
    affiliation.save(update_fields=["end_date"])
    return affiliation


# --- Merging two records of one human -------------------------------------------------


def _person_links() -> list[tuple[type[models.Model], models.Field]]:
    """Every foreign key and one-to-one field of every model that points at a
    Person (history tables aside: they keep what was), found from the app
    registry so a new app's table is merged without being listed."""
    links = []
    for model in apps.get_models(include_auto_created=True):
        if getattr(model, "instance_type", None) is not None:
            continue  # a django-simple-history table
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Person:
                links.append((model, field))
    return links


def _merge_one_to_one(model, field, loser: Person, keeper: Person) -> int:
    """A one-to-one row (a training profile): the keeper's stays, with any
    blank of it filled from the other's, which goes; or the other's moves."""
    theirs = model._default_manager.filter(**{field.attname: loser.pk}).first()
    if theirs is None:
        return 0
    ours = model._default_manager.filter(**{field.attname: keeper.pk}).first()
    if ours is None:
        model._default_manager.filter(pk=theirs.pk).update(**{field.attname: keeper.pk})
        return 1
    filled = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f is field or f.unique:
            continue
        mine, other = getattr(ours, f.attname), getattr(theirs, f.attname)
        if mine in (None, "", False) and other not in (None, "", False):
            filled[f.attname] = other
    uniques = {
        f.attname: getattr(theirs, f.attname)
        for f in model._meta.concrete_fields
        if f.unique
        and not f.primary_key
        and f is not field
        and getattr(ours, f.attname) in (None, "")
        and getattr(theirs, f.attname) not in (None, "")
    }
    model._default_manager.filter(pk=theirs.pk).delete()
    if filled or uniques:
        model._default_manager.filter(pk=ours.pk).update(**filled, **uniques)
    return 1


def _merge_rows(model, field, loser: Person, keeper: Person) -> tuple[int, int]:
    """Move the rows to the keeper; a row the keeper already has (a unique
    clash: the same completion recorded on both records) is the same fact
    and the loser's copy goes. Returns (moved, duplicates dropped)."""
    rows = model._default_manager.filter(**{field.attname: loser.pk})
    try:
        with transaction.atomic():
            return rows.update(**{field.attname: keeper.pk}), 0
    except IntegrityError:
        pass
    moved = dropped = 0
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                model._default_manager.filter(pk=pk).update(**{field.attname: keeper.pk})
            moved += 1
        except IntegrityError:
            model._default_manager.filter(pk=pk).delete()
            dropped += 1
    return moved, dropped


@dataclass
class MergeReport:
    keeper: Person
    moved: dict[str, int]
    duplicates: int


@transaction.atomic
def person_merge(*, keeper: Person, other: Person, by: User | None = None) -> MergeReport:
    """Merge ``other`` into ``keeper``: every row of every app that points at
    ``other`` (completions, affiliations, leadership periods, dispatches,
    enrolments, places, profile...) then points at ``keeper``; the keeper's
    blank e-mail or phone is filled from the other; the other's sign-in moves
    when the keeper has none. ``other`` is then deleted, and both the change
    and the deletion are in the audit trail with who merged them. Refused when
    both sign in (a human has one account: deactivate one first)."""
    keeper = Person.objects.select_for_update().get(pk=keeper.pk)
    other = Person.objects.select_for_update().get(pk=other.pk)
    if keeper.pk == other.pk:
        raise ValidationError({"other": "Choose another record to merge with this one."})
    if keeper.anonymised_at or other.anonymised_at:
        raise ValidationError({"other": "An erased record cannot be merged."})
    if keeper.user_id and other.user_id:
        raise ValidationError(
            {
                "other": "Both records sign in with an account: deactivate one account first, "
                "then merge (a person has one sign-in)."
            }
        )
    moved: dict[str, int] = {}
    duplicates = 0
    for model, field in _person_links():
        if model is Person:
            continue
        label = f"{model._meta.verbose_name_plural}"
        if getattr(model, "merge_deletes", False):
            model._default_manager.filter(**{field.attname: other.pk}).delete()
            continue
        if field.one_to_one:
            count = _merge_one_to_one(model, field, other, keeper)
        else:
            count, dropped = _merge_rows(model, field, other, keeper)
            duplicates += dropped
        if count:
            moved[label] = moved.get(label, 0) + count
    reason = f"merged person {other.pk} ({other.full_name}) into person {keeper.pk}"
    email, phone, user_id = other.email, other.phone, other.user_id
    other._history_user = by  # type: ignore[attr-defined]
    other._change_reason = reason  # type: ignore[attr-defined]
    other.delete()
    if not keeper.email and email:
        keeper.email = email
    if not keeper.phone and phone:
        keeper.phone = phone
    if not keeper.user_id and user_id:
        keeper.user_id = user_id
    keeper._history_user = by  # type: ignore[attr-defined]
    keeper._change_reason = reason  # type: ignore[attr-defined]
    keeper.save()
    signals.person_merged.send(sender=Person, keeper_id=keeper.pk, other_id=other.pk)
    return MergeReport(keeper=keeper, moved=moved, duplicates=duplicates)


@transaction.atomic
def person_create_with_tie(
    *,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    confirmed_new: bool = False,
    organisation: Organisation | None = None,
    role: str = "",
    by: User | None = None,
) -> Person:
    """A new person and, when a role is given, their tie to the organisation
    from today: both or neither."""
    person = person_save(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        confirmed_new=confirmed_new,
        organisation=organisation,
        by=by,
    )
    if organisation is not None and role:
        affiliation_add(
            person=person,
            organisation=organisation,
            role=role,
            start_date=timezone.localdate(),
            by=by,
        )
    return person
