"""The e-mails the core sends. Each is called by one Celery task (smartnet.tasks)."""

from django.conf import settings
from django.urls import reverse

from smartnet import mail
from smartnet.models import TwoFactorEvent


def two_factor_notice_send(*, event_id: int) -> bool:
    """E-mail the account holder about one two-factor event, once (a re-delivered
    or retried task sends nothing more). The notice is how the owner learns
    that someone else holding their password set up a phone."""
    event = TwoFactorEvent.objects.select_related("user", "actor").get(pk=event_id)
    message = mail.render(
        f"smartnet/email/two_factor_{event.kind}",
        {
            "event": event,
            "user": event.user,
            "setup_url": settings.SITE_URL + reverse("two_factor_setup"),
        },
        to=[event.user.email],
    )
    return mail.send_once(message, kind="smartnet.two_factor", key=str(event.pk))
