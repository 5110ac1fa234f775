"""The core's writes: a staff user's second factor (added, checked, reset).

The authenticator key of a set-up in progress lives only in the session that
asked for it (smartnet.two_factor); nothing is stored until the first code
from that key is right, so a second session of the same account (someone
else holding the password) gets a key of its own and cannot confirm this one.
"""

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django_otp import devices_for_user
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from smartnet.models import TwoFactorEvent, User
from smartnet.queue import enqueue
from smartnet.roles import STAFF_ROLES, Role

BACKUP_CODE_COUNT = 10
# A code of the minute before or after is accepted (a phone's clock drifts).
TOTP_TOLERANCE = 1


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    backup_codes: list[str]


def two_factor_new_key() -> str:
    """A fresh authenticator key (hex), for one set-up attempt in one session."""
    return random_hex(20)


def two_factor_config_url(*, user: User, key: str) -> str:
    """The otpauth:// link an authenticator app reads, for a key not yet stored."""
    return TOTPDevice(user=user, key=key).config_url


def _totp_match(key: str, token: str) -> tuple[int, int] | None:
    """(time step, drift) at which ``token`` is right for ``key``, or None;
    stored as django-otp stores them after a code, so this code is not taken
    twice and the phone's clock offset is remembered."""
    device = TOTPDevice(key=key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    try:
        value = int(token)
    except ValueError:
        return None
    if not totp.verify(value, TOTP_TOLERANCE):
        return None
    return totp.t(), totp.drift


def two_factor_enrol(*, user: User, key: str, token: str) -> Enrolment:
    """Store ``key`` as the user's authenticator app once ``token`` proves it.

    Also makes ten single-use backup codes (returned here only, to be shown
    once), records the event and queues the notice to the account holder.
    Refused when the user has a confirmed device already (another session got
    there first: the notice tells the owner so) or the code is wrong.
    """
    match = _totp_match(key, token)
    if match is None:
        raise ValidationError(
            {"token": "That code is not right; check the time on your phone and try again."}
        )
    with transaction.atomic():
        # One set-up at a time per account: a second session waits here, then
        # finds the device the first one made.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(
                {"token": "Two-factor sign-in is already set up for this account."}
            )
        # Unconfirmed devices (whose keys older set-ups showed) and old codes go.
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(
            user=user,
            name="Authenticator app",
            key=key,
            confirmed=True,
            last_t=match[0],
            drift=match[1],
        )
        backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=backup, token=c) for c in codes)
        event = TwoFactorEvent.objects.create(user=user, kind=TwoFactorEvent.Kind.ADDED, actor=user)
        enqueue("smartnet.tasks.send_two_factor_notice", event.pk)
    return Enrolment(device=device, backup_codes=codes)


def two_factor_match(*, user: User, token: str):
    """The user's confirmed device that accepts ``token`` (an authenticator code
    or an unused backup code, which is then spent), or None."""
    token = token.strip().replace(" ", "").lower()
    # Digits go to the authenticator, anything else to the backup codes, so a
    # backup code never counts as a wrong authenticator code (django-otp would
    # then make the next real code wait).
    wanted = TOTPDevice if token.isascii() and token.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, wanted) and device.verify_token(token):
            return device
    return None


def two_factor_backup_codes_left(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_reset(*, user: User, by: User) -> TwoFactorEvent:
    """Remove a staff user's authenticator app and backup codes (a lost phone).

    Their sessions lose their verification at once (the device they were
    verified with is gone), so their next staff page asks them to set up
    again. Only a staff admin may do it, and not to their own account: a
    second admin confirms that it is really them asking.
    """
    if by.role != Role.STAFF_ADMIN or not by.is_active:
        raise ValidationError("Only a staff admin may reset a second factor.")
    if user.pk == by.pk:
        raise ValidationError("Ask another staff admin to reset your own second factor.")
    if not user.is_staff_role:
        raise ValidationError("Only staff accounts have a second factor.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        event = TwoFactorEvent.objects.create(user=user, kind=TwoFactorEvent.Kind.RESET, actor=by)
        enqueue("smartnet.tasks.send_two_factor_notice", event.pk)
    return event


@transaction.atomic
def account_set_active(*, user: User, active: bool, by: User) -> User:
    """A staff admin deactivates or reactivates an account (recorded in its
    history with who did it). A deactivated account's sessions are refused
    at once (``smartnet.access``); nobody deactivates their own."""
    if user.pk == by.pk:
        raise ValidationError({"account": "You cannot deactivate or reactivate your own account."})
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        return locked
    locked.is_active = active
    locked._history_user = by  # type: ignore[attr-defined]  # read by simple_history
    locked.save(update_fields=["is_active"])
    user.is_active = active
    return locked


@transaction.atomic
def account_set_role(*, user: User, role: str, by: User) -> User:
    """A staff admin gives a staff account another staff role (recorded)."""
    if role not in {r.value for r in Role} or role not in STAFF_ROLES:
        raise ValidationError({"role": "Choose a staff role."})
    if user.role not in STAFF_ROLES:
        raise ValidationError(
            {
                "role": "Only staff accounts change role here: "
                "a portal account's role follows its affiliation."
            }
        )
    if user.pk == by.pk:
        raise ValidationError({"role": "You cannot change your own role."})
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.role = role
    locked._history_user = by  # type: ignore[attr-defined]
    locked.save(update_fields=["role", "is_staff"])
    user.role = role
    return locked
