"""The e-mails materials sends. Each is called by one Celery task (materials.tasks)
and goes through ``smartnet.mail``: a request's e-mails once per request, so a
retried or redelivered task sends nothing twice."""

from django.conf import settings
from django.urls import reverse
from sesame.utils import get_query_string

from materials.models import Dispatch, Item, Status
from smartnet import mail
from smartnet.models import User
from smartnet.roles import Role


def sign_in_link_send(*, user_id: int) -> int:
    """A one-time, short-lived link to the request form, to the facilitator's
    address. Not claimed: each ask is a fresh link, and the previous ones die
    with the first use (a duplicate harms nobody)."""
    user = User.objects.filter(pk=user_id, is_active=True, role=Role.FACILITATOR).first()
    if user is None:
        return 0
    link = settings.SITE_URL + reverse("materials:sign_in") + get_query_string(user)
    minutes = (settings.SESAME_MAX_AGE or 0) // 60
    message = mail.render(
        "materials/email/sign_in_link",
        {"user": user, "link": link, "minutes": minutes},
        to=[user.email],
    )
    return mail.send(message)


def low_stock_alert_send(*, item_id: int, crossed_at: str) -> int:
    """Tell every materials staff member that an item reached its reorder
    level: once per crossing (``crossed_at``, when stock fell to the level)."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return 0
    to = User.objects.filter(role=Role.MATERIALS, is_active=True).values_list("email", flat=True)
    message = mail.render("materials/email/low_stock", {"item": item}, to=to)
    key = f"{item.pk}:{crossed_at}"
    return int(mail.send_once(message, kind="materials.low_stock", key=key))


def _greeting(dispatch: Dispatch) -> str:
    """The name to greet: only one from our records, never one a visitor typed."""
    return dispatch.contact_name if dispatch.contact_on_record else ""


def _send_about(dispatch: Dispatch, template: str, context: dict) -> int:
    """One e-mail about a request, to its contact address, once per request."""
    message = mail.render(
        f"materials/email/{template}",
        {"dispatch": dispatch, **context},
        to=[dispatch.contact_email],
    )
    return int(mail.send_once(message, kind=f"materials.{template}", key=str(dispatch.pk)))


def request_confirmation_send(*, dispatch_id: int) -> int:
    """Confirm a request. A signed-in facilitator gets the details back; a request
    from the ask form gets a fixed message with its reference and nothing the
    visitor typed (see ``Dispatch.contact_on_record``)."""
    dispatch = Dispatch.objects.filter(pk=dispatch_id).prefetch_related("lines__item").first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    template = "request_confirmation" if dispatch.contact_on_record else "request_received"
    return _send_about(
        dispatch, template, {"awaiting": dispatch.status == Status.AWAITING_VERIFICATION}
    )


def rejection_send(*, dispatch_id: int) -> int:
    dispatch = Dispatch.objects.filter(pk=dispatch_id, status=Status.REJECTED).first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    return _send_about(dispatch, "rejected", {"greeting": _greeting(dispatch)})


def dispatched_send(*, dispatch_id: int) -> int:
    dispatch = Dispatch.objects.filter(pk=dispatch_id).prefetch_related("lines__item").first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    return _send_about(dispatch, "dispatched", {"greeting": _greeting(dispatch)})
