"""The core's reads that are more than a filter."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartnet.models import TwoFactorEvent, User
from smartnet.roles import STAFF_ROLES


def staff_two_factor_accounts():
    """Every staff account with: ``has_device`` (a confirmed authenticator app),
    ``backup_codes_left``, and its recent two-factor events (newest first)."""
    return (
        User.objects.filter(role__in=STAFF_ROLES)
        .annotate(
            has_device=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            backup_codes_left=Count(
                "staticdevice__token_set", filter=Q(staticdevice__confirmed=True)
            ),
        )
        .prefetch_related(
            Prefetch(
                "two_factor_events",
                queryset=TwoFactorEvent.objects.select_related("actor"),
                to_attr="events",
            )
        )
        .order_by("-is_active", "email")
    )
