"""Invitations to sign in: made once per person and account, e-mailed once,
reminded once, and spent once when the password is chosen.

The account's role follows the person's current affiliation: a current
contact of a partner becomes a partner contact, of a commissioner a
commissioner contact. Staff invite anyone in the directory who is a current
contact; a partner's main contact asks through the pending-contact flow (staff
confirm the person, then the invitation goes). The link is a signed token
naming the invitation, valid ``INVITATION_MAX_AGE_DAYS``; a reminder carries
a fresh one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    Affiliation,
    AffiliationRole,
    Invitation,
    Organisation,
    OrganisationKind,
    PendingContact,
    Person,
)
from partners.services.people import (
    contact_request,
    pending_contact_create,
    pending_contact_link,
    pending_contact_reject,
    person_account_ensure,
)
from smartnet import mail
from smartnet.models import JobRun, User
from smartnet.queue import enqueue
from smartnet.roles import PORTAL_ROLES, STAFF_ROLES, Role

SALT = "partners.invitation"
# The contact roles the bulk invite reaches (signatories sign, they need no login).
BULK_ROLES = (AffiliationRole.MAIN_CONTACT, AffiliationRole.BILLING_CONTACT)
REMINDER_JOB = "partners.invitation_reminders"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=SALT, compress=True)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


class InvitationLinkError(Exception):
    """Why a link does not work: ``reason`` is "expired" or "invalid"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link names, or InvitationLinkError (expired, tampered
    or for an invitation that no longer exists)."""
    try:
        pk = signing.loads(
            token, salt=SALT, max_age=datetime.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        )
    except signing.SignatureExpired:
        raise InvitationLinkError("expired") from None
    except signing.BadSignature:
        raise InvitationLinkError("invalid") from None
    if not isinstance(pk, int):
        raise InvitationLinkError("invalid")
    invitation = (
        Invitation.objects.select_related("user", "person", "organisation").filter(pk=pk).first()
    )
    if invitation is None:
        raise InvitationLinkError("invalid")
    return invitation


def portal_role_for(
    person: Person, *, organisation: Organisation | None = None, today: datetime.date | None = None
) -> tuple[str, Organisation]:
    """The portal role the person's current contact affiliation gives, and
    the organisation it is with (``organisation`` if given and they are its
    contact). Refused, naming the person, when they are nobody's contact now."""
    current = (
        Affiliation.objects.current(today)
        .contacts()
        .filter(person=person)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    if organisation is not None:
        current = current.filter(organisation=organisation)
    affiliation = current.first()
    if affiliation is None:
        raise ValidationError(
            {
                "person": f"{person} is not a current contact of an organisation, "
                "so the portal has nothing for them."
            }
        )
    org = affiliation.organisation
    role = (
        Role.COMMISSIONER_CONTACT
        if org.kind == OrganisationKind.COMMISSIONER
        else Role.PARTNER_CONTACT
    )
    return role, org


def _portal_account(person: Person, role: str) -> User:
    """The person's account, with the portal role; a staff or facilitator
    account is not turned into a portal one."""
    user = person_account_ensure(person=person, role=role)
    if user.role != role:
        if user.role not in PORTAL_ROLES:
            raise ValidationError(
                {
                    "person": f"{user.email} already signs in as "
                    f"{user.get_role_display().lower()}; "
                    "that account cannot also be a portal account."
                }
            )
        user.role = role  # the affiliation now gives the other portal role
        user.save(update_fields=["role", "is_staff"])
    return user


def _make(
    person: Person | None, user: User, organisation: Organisation | None, invited_by: User | None
) -> tuple[Invitation, bool]:
    """The invitation row, made at most once (the unique constraint decides
    between two staff at once); True when this call made it."""
    existing = Invitation.objects.filter(user=user, person=person).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return (
                Invitation.objects.create(
                    person=person, user=user, organisation=organisation, invited_by=invited_by
                ),
                True,
            )
    except IntegrityError:
        return Invitation.objects.get(user=user, person=person), False


@transaction.atomic
def invitation_create(
    *,
    person: Person,
    invited_by: User | None,
    organisation: Organisation | None = None,
    today: datetime.date | None = None,
) -> Invitation:
    """Invite a person in the directory to the portal: their account (made
    without a password if they have none) takes the role their current
    contact affiliation gives, and the invitation e-mail is queued once. A
    person invited before keeps their one invitation (it is not sent again).
    Someone who already signs in with a password is sent a note to sign in
    instead of a link to set one."""
    role, org = portal_role_for(person, organisation=organisation, today=today)
    user = _portal_account(person, role)
    invitation, created = _make(person, user, org, invited_by)
    if created:
        enqueue("partners.tasks.invitation_send", invitation.pk)
    return invitation


@transaction.atomic
def staff_account_create(*, email: str, full_name: str, role: str, created_by: User) -> Invitation:
    """A staff admin makes a staff account with a role and invites its holder
    to set a password (the second factor is set up at the first sign-in, in
    production). Refused, naming the field, for a role that is not a staff
    role or an address that already has an account."""
    email = (email or "").strip().lower()
    if role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    if not email:
        raise ValidationError({"email": "Enter the e-mail address they will sign in with."})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": f"{email} already has an account."})
    user = User.objects.create_user(email=email, full_name=(full_name or "").strip(), role=role)
    person = Person.objects.filter(
        email=email, user__isnull=True, anonymised_at__isnull=True
    ).first()
    if person is not None:
        Person.objects.filter(pk=person.pk).update(user=user)
    invitation, _ = _make(person, user, None, created_by)
    enqueue("partners.tasks.invitation_send", invitation.pk)
    return invitation


@dataclass
class BulkResult:
    invited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def invite_all_contacts(
    *, invited_by: User | None, today: datetime.date | None = None
) -> BulkResult:
    """Invite every current main and billing contact who has no login (no
    account, or one that has never had a password and no invitation). Safe
    to repeat: an invitation is one row per person and account, so a second
    run makes and sends nothing; each person is made in their own
    transaction, so one refusal (an address that is another person's account)
    is listed and spoils nothing else."""
    today = today or timezone.localdate()
    people = (
        Person.objects.filter(
            anonymised_at__isnull=True,
            affiliations__in=Affiliation.objects.current(today).filter(role__in=BULK_ROLES),
        )
        .exclude(email="")
        .exclude(invitations__isnull=False)
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    result = BulkResult()
    for person in people:
        if person.user is not None and person.user.has_usable_password():
            continue  # signs in already
        try:
            invitation_create(person=person, invited_by=invited_by, today=today)
        except ValidationError as exc:
            result.skipped.append(f"{person}: {' '.join(exc.messages)}")
        else:
            result.invited.append(str(person))
    return result


def _send(invitation: Invitation, *, kind: str, template: str) -> bool:
    user = invitation.user
    message = mail.render(
        template,
        {
            "invitation": invitation,
            "user": user,
            "organisation": invitation.organisation,
            "has_password": user.has_usable_password(),
            "link": invitation_url(invitation),
            "sign_in_url": settings.SITE_URL + reverse("login"),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
        to=[user.email],
    )
    return mail.send_once(message, kind=kind, key=str(invitation.pk))


def invitation_send(*, invitation_id: int) -> bool:
    """E-mail an invitation, once (a re-delivered task sends nothing more)."""
    invitation = Invitation.objects.select_related("user", "organisation").get(pk=invitation_id)
    if invitation.accepted_at or not invitation.user.is_active:
        return False
    sent = _send(invitation, kind="partners.invitation", template="partners/email/invitation")
    if sent:
        Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
    return sent


def invitation_resend(*, email: str) -> None:
    """Someone asked for their invitation again (the invitation request form):
    a fresh link to the address on record, if it has an unused invitation or
    is a current contact without a login. Says nothing either way."""
    email = (email or "").strip().lower()
    person = (
        Person.objects.filter(email=email, anonymised_at__isnull=True)
        .select_related("user")
        .first()
    )
    if person is None or (person.user is not None and person.user.has_usable_password()):
        return
    invitation = person.invitations.filter(accepted_at__isnull=True).select_related("user").first()
    if invitation is None:
        try:
            invitation = invitation_create(person=person, invited_by=None)
        except ValidationError:
            return
        return  # its own e-mail is queued
    if not invitation.user.is_active:
        return
    message = mail.render(
        "partners/email/invitation",
        {
            "invitation": invitation,
            "user": invitation.user,
            "organisation": invitation.organisation,
            "has_password": False,
            "link": invitation_url(invitation),
            "sign_in_url": settings.SITE_URL + reverse("login"),
            "days": settings.INVITATION_MAX_AGE_DAYS,
        },
        to=[invitation.user.email],
    )
    mail.send(message)


def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Spend the invitation and set the account's password: of any number of
    requests carrying the link at once, one sets it (a conditional update);
    the others are refused as used."""
    with transaction.atomic():
        claimed = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
            accepted_at=timezone.now()
        )
        if claimed != 1:
            raise ValidationError({"invitation": "This invitation has already been used."})
        user = User.objects.select_for_update().get(pk=invitation.user_id)
        if not user.is_active:
            raise ValidationError({"invitation": "This account has been deactivated."})
        user.set_password(password)
        user.save(update_fields=["password"])
    invitation.refresh_from_db()
    return user


def run_invitation_reminders(*, today: datetime.date | None = None) -> dict:
    """The daily job: remind, once, each invitation sent at least
    ``INVITATION_REMINDER_DAYS`` ago and still unused, with a fresh link.
    Idempotent by constraints: one JobRun per day, one reminder claim per
    invitation (``smartnet.mail``)."""
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            run = JobRun.objects.create(job=REMINDER_JOB, key=today.isoformat())
    except IntegrityError:
        return {"reminded": 0, "already_ran": True}
    cutoff = timezone.make_aware(
        datetime.datetime.combine(
            today - datetime.timedelta(days=settings.INVITATION_REMINDER_DAYS), datetime.time.max
        )
    )
    due = Invitation.objects.filter(
        accepted_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=cutoff,
        user__is_active=True,
    ).select_related("user", "organisation")
    reminded = 0
    for invitation in due:
        if invitation.user.has_usable_password():
            continue  # they set a password another way (a reset)
        if _send(
            invitation,
            kind="partners.invitation_reminder",
            template="partners/email/invitation_reminder",
        ):
            Invitation.objects.filter(pk=invitation.pk).update(reminded_at=timezone.now())
            reminded += 1
    summary = {"reminded": reminded}
    JobRun.objects.filter(pk=run.pk).update(summary=summary, finished_at=timezone.now())
    return summary


def portal_link_for(person: Person) -> str:
    """The link an e-mail to this person should carry to reach the portal:
    the sign-in page for someone who signs in with a password, otherwise the
    invitation request page, where they get their own one-use link at the
    address on record. Neither link is a secret, so an e-mail to several
    contacts may carry each one's link."""
    user = person.user
    if user is not None and user.is_active and user.has_usable_password():
        return settings.SITE_URL + reverse("login") + "?next=" + reverse("portal:home")
    return settings.SITE_URL + reverse("invitation_request")


def invitations_erase(person_id: int) -> dict[str, int]:
    """Erasure: the person's invitations go (the account goes with the person)."""
    deleted, _ = Invitation.objects.filter(person_id=person_id).delete()
    Invitation.history.filter(person_id=person_id).delete()
    return {"invitations": deleted}


def _is_main_contact(person: Person | None, organisation: Organisation) -> bool:
    return (
        person is not None
        and Affiliation.objects.current()
        .filter(person=person, organisation=organisation, role=AffiliationRole.MAIN_CONTACT)
        .exists()
    )


@transaction.atomic
def contact_request_invite(
    *,
    organisation: Organisation,
    requested_by: Person | None,
    invite: bool = False,
    **contact,
) -> Affiliation | PendingContact:
    """A portal contact names a contact (``people.contact_request``) and, if
    they are the organisation's main contact, may ask for them to be invited.
    Someone already of the organisation is invited at once; anyone else when
    staff confirm them (``pending_contact_decide``)."""
    if invite and not _is_main_contact(requested_by, organisation):
        raise ValidationError(
            {"invite": "Only the organisation's main contact can invite colleagues to the portal."}
        )
    result = contact_request(organisation=organisation, requested_by=requested_by, **contact)
    if isinstance(result, PendingContact):
        if invite:
            PendingContact.objects.filter(pk=result.pk).update(invite=True)
            result.invite = True
    elif invite:
        invitation_create(
            person=result.person,
            invited_by=requested_by.user if requested_by else None,
            organisation=organisation,
        )
    return result


PENDING_DECISIONS = {
    "link": pending_contact_link,
    "create": pending_contact_create,
    "reject": pending_contact_reject,
}


@transaction.atomic
def pending_contact_decide(
    *, pending: PendingContact, decision: str, decided_by: User | None
) -> Affiliation | PendingContact:
    """Staff decide a pending contact; one the main contact asked to invite is
    invited once confirmed (in the same transaction: both or neither)."""
    decide = PENDING_DECISIONS.get(decision)
    if decide is None:
        raise ValidationError({"decision": "Choose link, add as a new person, or reject."})
    result = decide(pending=pending, decided_by=decided_by)
    if pending.invite and isinstance(result, Affiliation):
        invitation_create(
            person=result.person, invited_by=decided_by, organisation=pending.organisation
        )
    return result
