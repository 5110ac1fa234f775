"""The directory's people and their ties to organisations: primary
affiliations, contacts named by staff or by partners, pending contacts
that staff confirm, and the sign-in account a person is given."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from partners import selectors
from partners.models import (
    Affiliation,
    AffiliationRole,
    Organisation,
    PendingContact,
    PendingContactStatus,
    Person,
)
from smartnet.models import User


@transaction.atomic
def affiliation_set_primary(
    *, affiliation: Affiliation, today: datetime.date | None = None
) -> Affiliation:
    """Make ``affiliation`` the person's primary one; the old primary becomes
    former (ended yesterday, or on its start day if it began today)."""
    today = today or timezone.localdate()
    if affiliation.end_date and affiliation.end_date < today:
        raise ValidationError({"affiliation": "A former affiliation cannot become primary."})
    old = (
        Affiliation.objects.select_for_update()
        .filter(person_id=affiliation.person_id, is_primary=True, end_date__isnull=True)
        .exclude(pk=affiliation.pk)
    )
    for previous in old:
        previous.end_date = max(previous.start_date, today - datetime.timedelta(days=1))
        previous.save(update_fields=["end_date"])
    Affiliation.objects.filter(pk=affiliation.pk).update(is_primary=True)
    affiliation.refresh_from_db()
    return affiliation


CONTACT_ROLE_CHOICES = (
    AffiliationRole.MAIN_CONTACT,
    AffiliationRole.BILLING_CONTACT,
    AffiliationRole.SIGNATORY,
)


def _contact_input(*, role: str, email: str) -> str:
    """The e-mail, normalised, once the role and e-mail are valid."""
    if role not in CONTACT_ROLE_CHOICES:
        raise ValidationError({"role": "Choose main contact, billing contact or signatory."})
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter the contact's e-mail address."})
    return email


def _contact_assign(
    *, organisation: Organisation, role: str, person: Person, today: datetime.date
) -> Affiliation:
    """Tie ``person`` to the organisation in a contact role; whoever held it
    before becomes former from yesterday."""
    current = Affiliation.objects.current(today).filter(organisation=organisation, role=role)
    existing = current.filter(person=person).first()
    if existing:
        return existing
    for old in current.select_for_update():
        old.end_date = max(old.start_date, today - datetime.timedelta(days=1))
        old.save(update_fields=["end_date"])
    return Affiliation.objects.create(
        person=person, organisation=organisation, role=role, start_date=today
    )


@transaction.atomic
def contact_set(
    *,
    organisation: Organisation,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff make someone the organisation's contact in ``role`` (main,
    billing, signatory); whoever held it before becomes former from yesterday.

    The person who has that e-mail is reused: staff see the whole directory.
    The portal never calls this; it goes through ``contact_request``.
    """
    today = today or timezone.localdate()
    email = _contact_input(role=role, email=email)
    person = Person.objects.filter(email=email).first()
    if person is None:
        person = Person(first_name=first_name, last_name=last_name, email=email, phone=phone)
        person.full_clean()
        person.save()
    return _contact_assign(organisation=organisation, role=role, person=person, today=today)


def _tied_now(organisation: Organisation, email: str, today: datetime.date) -> Person | None:
    """The person with this e-mail if they are tied to the organisation now
    (the partner already sees them by name), else None."""
    return (
        Person.objects.filter(
            email=email,
            anonymised_at__isnull=True,
            affiliations__in=Affiliation.objects.current(today).filter(organisation=organisation),
        )
        .distinct()
        .first()
    )


@transaction.atomic
def contact_request(
    *,
    organisation: Organisation,
    role: str,
    first_name: str,
    last_name: str,
    email: str,
    phone: str = "",
    requested_by: Person | None = None,
    today: datetime.date | None = None,
) -> Affiliation | PendingContact:
    """A partner or commissioner names a contact in the portal.

    Someone already tied to the organisation now becomes the contact at once.
    Anyone else, whether or not the e-mail is in the directory, becomes a
    pending contact for staff to confirm: the portal learns nothing about a
    person it cannot already see, and its answer is the same for a known and
    an unknown e-mail. A later request for the same role replaces a pending
    one.
    """
    today = today or timezone.localdate()
    email = _contact_input(role=role, email=email)
    own = _tied_now(organisation, email, today)
    if own is not None:
        return _contact_assign(organisation=organisation, role=role, person=own, today=today)
    pending = PendingContact(
        organisation=organisation,
        role=role,
        first_name=(first_name or "").strip(),
        last_name=(last_name or "").strip(),
        email=email,
        phone=(phone or "").strip(),
        requested_by=requested_by,
    )
    pending.full_clean(exclude=["organisation", "requested_by"])
    for earlier in PendingContact.objects.select_for_update().filter(
        organisation=organisation, role=role, status=PendingContactStatus.PENDING
    ):
        earlier.status = PendingContactStatus.SUPERSEDED
        earlier.decided_at = timezone.now()
        earlier.save(update_fields=["status", "decided_at"])
    pending.save()
    return pending


def _claim_pending(pending: PendingContact, status: str, decided_by: User | None) -> None:
    """Mark a pending contact decided, under a row lock so that a second
    decision (two staff at once) waits, then finds it decided and is refused.
    Saved (not updated) so the audit trail records who decided."""
    locked = PendingContact.objects.select_for_update().get(pk=pending.pk)
    if locked.status != PendingContactStatus.PENDING:
        raise ValidationError({"status": "This contact has already been decided."})
    locked.status = status
    locked.decided_by = decided_by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    pending.refresh_from_db()


def _record_affiliation(pending: PendingContact, affiliation: Affiliation) -> None:
    pending.affiliation = affiliation
    pending.save(update_fields=["affiliation"])


@transaction.atomic
def pending_contact_link(
    *,
    pending: PendingContact,
    decided_by: User | None,
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff confirm that the pending contact is the person in the directory
    who has that e-mail: that person becomes the contact."""
    today = today or timezone.localdate()
    person = Person.objects.filter(email=pending.email, anonymised_at__isnull=True).first()
    if person is None:
        raise ValidationError(
            {"person": "Nobody in the directory has this e-mail; add a new person instead."}
        )
    _claim_pending(pending, PendingContactStatus.LINKED, decided_by)
    affiliation = _contact_assign(
        organisation=pending.organisation, role=pending.role, person=person, today=today
    )
    _record_affiliation(pending, affiliation)
    return affiliation


@transaction.atomic
def pending_contact_create(
    *,
    pending: PendingContact,
    decided_by: User | None,
    today: datetime.date | None = None,
) -> Affiliation:
    """Staff add the pending contact as a new person with what the partner
    typed. One person per e-mail: if someone has it, link or reject instead."""
    today = today or timezone.localdate()
    if Person.objects.filter(email=pending.email).exists():
        raise ValidationError(
            {
                "email": "Someone in the directory already has this e-mail: link the "
                "contact to them, or reject it and ask the partner for another address."
            }
        )
    _claim_pending(pending, PendingContactStatus.CREATED, decided_by)
    person = Person(
        first_name=pending.first_name,
        last_name=pending.last_name,
        email=pending.email,
        phone=pending.phone,
    )
    person.full_clean()
    person.save()
    affiliation = _contact_assign(
        organisation=pending.organisation, role=pending.role, person=person, today=today
    )
    _record_affiliation(pending, affiliation)
    return affiliation


@transaction.atomic
def pending_contact_reject(*, pending: PendingContact, decided_by: User | None) -> PendingContact:
    """Staff refuse the pending contact; nobody is tied to the organisation."""
    _claim_pending(pending, PendingContactStatus.REJECTED, decided_by)
    return pending


def pending_contacts_erase(person_id: int) -> None:
    """Blank what partners typed about this person, in the rows and their history."""
    blank = {"first_name": "Erased", "last_name": "", "email": "", "phone": ""}
    rows = list(selectors.pending_contacts_of(person_id=person_id).values_list("pk", flat=True))
    PendingContact.objects.filter(pk__in=rows).update(**blank)
    PendingContact.history.filter(id__in=rows).update(**blank)


@transaction.atomic
def person_account_ensure(*, person: Person, role: str) -> User:
    """The person's sign-in account, made at most once: the only place a User
    is made for someone in the directory (facilitators who sign in with a
    link, for now).

    An account the person already has is returned as it is (its role is not
    changed: the caller decides whether that account may do what it asks).
    Otherwise the account with the person's e-mail is theirs (accounts sign in
    by e-mail) and is tied to them, or a new one without a password is made
    with ``role``. Refused, naming the e-mail, when the person has no e-mail
    or the account with it is already another person's; nothing is saved.
    """
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.user is not None:
        person.user = locked.user
        return locked.user
    email = locked.email.strip().lower()
    if not email or locked.anonymised_at is not None:
        raise ValidationError({"email": f"{locked} has no e-mail address to sign in with."})
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=locked.full_name, role=role)
    elif Person.objects.filter(user=user).exclude(pk=locked.pk).exists():
        raise ValidationError(
            {"email": f"{email} is already the sign-in of another person in the directory."}
        )
    locked.user = user
    locked.save(update_fields=["user"])
    person.user = user
    return user


@transaction.atomic
def staff_account_make(*, email: str, full_name: str, role: str) -> User:
    """A new staff account without a password (its holder is invited to choose
    one), tied to the person in the directory with that e-mail if they have
    no sign-in yet. Refused, naming the e-mail, when the address has an account."""
    email = (email or "").strip().lower()
    if not email:
        raise ValidationError({"email": "Enter the e-mail address they will sign in with."})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"{email} already has an account."})
    user = User.objects.create_user(email=email, full_name=(full_name or "").strip(), role=role)
    Person.objects.filter(email=email, user__isnull=True, anonymised_at__isnull=True).update(
        user=user
    )
    return user
