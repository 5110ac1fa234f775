"""The e-mails the core sends. Each is called by one Celery task (smartnet.tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from smartnet.models import TwoFactorEvent

TWO_FACTOR_SUBJECTS = {
    TwoFactorEvent.Kind.ADDED: "An authenticator app was added to your smartnet account",
    TwoFactorEvent.Kind.RESET: "Your smartnet second factor was reset",
}


def two_factor_notice_send(*, event_id: int) -> bool:
    """E-mail the account holder about one two-factor event, once.

    The conditional update is the claim: a second run (a re-delivered task)
    finds ``notified_at`` set and sends nothing. The notice is how the owner
    learns that someone else holding their password set up a phone.
    """
    claimed = TwoFactorEvent.objects.filter(pk=event_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if claimed != 1:
        return False
    event = TwoFactorEvent.objects.select_related("user", "actor").get(pk=event_id)
    body = render_to_string(
        f"smartnet/email/two_factor_{event.kind}.txt",
        {"event": event, "user": event.user, "site_url": settings.SITE_URL,
         "setup_url": settings.SITE_URL + reverse("two_factor_setup")},
    )  # fmt: skip
    send_mail(TWO_FACTOR_SUBJECTS[event.kind], body, None, [event.user.email])
    return True
