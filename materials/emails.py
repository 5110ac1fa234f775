"""The e-mails materials sends. Each is called by one Celery task (materials.tasks)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from sesame.utils import get_query_string

from materials.models import Dispatch, Item, Status
from smartnet.models import User
from smartnet.roles import Role


def _send(template: str, subject: str, to: list[str], context: dict) -> int:
    if not to:
        return 0
    body = render_to_string(
        f"materials/email/{template}.txt", {**context, "site_url": settings.SITE_URL}
    )
    return send_mail(subject, body, None, to)


def sign_in_link_send(*, user_id: int) -> int:
    """A one-time, short-lived link to the request form, to the facilitator's address."""
    user = User.objects.filter(pk=user_id, is_active=True, role=Role.FACILITATOR).first()
    if user is None:
        return 0
    link = settings.SITE_URL + reverse("materials:sign_in") + get_query_string(user)
    minutes = (settings.SESAME_MAX_AGE or 0) // 60
    return _send(
        "sign_in_link",
        "Your sign-in link for free SMART Recovery materials",
        [user.email],
        {"user": user, "link": link, "minutes": minutes},
    )


def low_stock_alert_send(*, item_id: int) -> int:
    """Tell every materials staff member that an item reached its reorder level."""
    item = Item.objects.filter(pk=item_id).first()
    if item is None:
        return 0
    to = list(
        User.objects.filter(role=Role.MATERIALS, is_active=True).values_list("email", flat=True)
    )
    return _send(
        "low_stock", f"Low stock: {item.name} ({item.stock_on_hand} left)", to, {"item": item}
    )


def _greeting(dispatch: Dispatch) -> str:
    """The name to greet: only one from our records, never one a visitor typed."""
    return dispatch.contact_name if dispatch.contact_on_record else ""


def request_confirmation_send(*, dispatch_id: int) -> int:
    """Confirm a request. A signed-in facilitator gets the details back; a request
    from the ask form gets a fixed message with its reference and nothing the
    visitor typed (see ``Dispatch.contact_on_record``)."""
    dispatch = Dispatch.objects.filter(pk=dispatch_id).prefetch_related("lines__item").first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    template = "request_confirmation" if dispatch.contact_on_record else "request_received"
    return _send(
        template,
        f"We have your materials request {dispatch.short_ref}",
        [dispatch.contact_email],
        {"dispatch": dispatch, "awaiting": dispatch.status == Status.AWAITING_VERIFICATION},
    )


def rejection_send(*, dispatch_id: int) -> int:
    dispatch = Dispatch.objects.filter(pk=dispatch_id, status=Status.REJECTED).first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    return _send(
        "rejected",
        f"Your materials request {dispatch.short_ref} could not be sent",
        [dispatch.contact_email],
        {"dispatch": dispatch, "greeting": _greeting(dispatch)},
    )


def dispatched_send(*, dispatch_id: int) -> int:
    dispatch = Dispatch.objects.filter(pk=dispatch_id).prefetch_related("lines__item").first()
    if dispatch is None or not dispatch.contact_email:
        return 0
    return _send(
        "dispatched",
        f"Your SMART Recovery materials are on their way ({dispatch.short_ref})",
        [dispatch.contact_email],
        {"dispatch": dispatch, "greeting": _greeting(dispatch)},
    )
