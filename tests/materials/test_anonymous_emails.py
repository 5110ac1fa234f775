"""No e-mail an anonymous visitor can cause repeats what the visitor typed.

The ask form takes any e-mail address with a name, meeting, address and note;
whatever it sends to that address (the confirmation now, the rejection or the
dispatch notice after staff act) must carry none of that text, or the
charity's sender becomes a way to mail a stranger's words to any inbox.
What the visitor typed stays on the staff pages only.

Every e-mail template of the project is listed below as one an anonymous
visitor can cause or not; a new template fails until it is placed, and every
one listed as anonymous must be rendered by the flows here.
"""

import datetime
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.test.signals import template_rendered

from materials import services
from materials.models import Dispatch, Status
from smartnet.roles import Role
from tests.factories import AffiliationFactory, OrganisationFactory, PersonFactory, UserFactory
from tests.materials.factories import make_item
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db

VICTIM = "someone.else@example.org"
MARK = "Dear colleague your SMART Recovery relapse report is ready http://evil.example/r"

# Templates an anonymous visitor's post can lead to (directly, or once staff act
# on the request), each to an address the visitor typed.
ANONYMOUS = {
    "materials/email/sign_in_link.txt",  # to a trained facilitator's address on record
    "materials/email/request_received.txt",  # the ask form's fixed confirmation
    "materials/email/rejected.txt",  # staff reject an ask-form request
    "materials/email/dispatched.txt",  # staff send an ask-form request once verified
    "materials/email/sign_in_link_subject.txt",
    "materials/email/request_received_subject.txt",
    "materials/email/rejected_subject.txt",
    "materials/email/dispatched_subject.txt",
    # The password reset form: fixed text and the link, to an account's own address.
    "registration/email/password_reset.txt",
    "registration/email/password_reset_subject.txt",
    # The invitation request form: fixed text and the link, to a contact's address on record.
    "partners/email/invitation.txt",
    "partners/email/invitation_subject.txt",
}
# Templates no anonymous post can cause, and why.
NOT_ANONYMOUS = {
    "materials/email/request_confirmation.txt": "signed-in facilitator, to their own address",
    "materials/email/low_stock.txt": "to materials staff, about stock",
    "materials/email/low_stock_subject.txt": "to materials staff, about stock",
    "materials/email/request_confirmation_subject.txt": "signed-in facilitator, own address",
    "partners/email/lapsed.txt": "renewals job, to contacts on record",
    "partners/email/lapsed.html": "renewals job, to contacts on record",
    "partners/email/lapsed_subject.txt": "renewals job, to contacts on record",
    "partners/email/reminder.txt": "renewals job, to contacts on record",
    "partners/email/invitation_reminder.txt": "invitation job, to the invited address",
    "partners/email/invitation_reminder_subject.txt": "invitation job, to the invited address",
    "partners/email/reminder.html": "renewals job, to contacts on record",
    "partners/email/reminder_subject.txt": "renewals job, to contacts on record",
    "partners/email/staff_summary.txt": "renewals job, to finance staff",
    "partners/email/staff_summary.html": "renewals job, to finance staff",
    "partners/email/staff_summary_subject.txt": "renewals job, to finance staff",
    "smartnet/email/two_factor_added.txt": "staff sign-in, to the account holder",
    "smartnet/email/two_factor_added_subject.txt": "staff sign-in, to the account holder",
    "smartnet/email/two_factor_reset_subject.txt": "a staff admin's action, to the account holder",
    "smartnet/email/two_factor_reset.txt": "a staff admin's action, to the account holder",
    "board/email/report_drafted.txt": "board job, to staff admins",
    "board/email/report_drafted_subject.txt": "board job, to staff admins",
    "board/email/report_issued.txt": "a staff admin's action, to trustees",
    "board/email/report_issued_subject.txt": "a staff admin's action, to trustees",
}


def _email_templates() -> set[str]:
    root = Path(django_settings.BASE_DIR) / "templates"
    return {
        str(path.relative_to(root))
        for path in root.glob("**/*")
        if path.is_file() and "email" in path.relative_to(root).parts
    }


def test_every_e_mail_template_is_placed():
    assert _email_templates() == ANONYMOUS | set(NOT_ANONYMOUS)


def _ask(client, catalogue) -> Dispatch:
    data = {
        "token": str(uuid.uuid4()),
        "email": VICTIM,
        "meeting_description": MARK,
        f"qty_{catalogue.pk}": "5",
        "contact_name": MARK[:200],
        "address_line_1": MARK,
        "address_line_2": MARK,
        "town": MARK[:100],
        "postcode": "LS1 5HD",
        "note": MARK,
    }
    assert client.post("/materials/request/ask/", data).status_code == 302
    return Dispatch.objects.get(idempotency_key=data["token"])


def _texts(message) -> list[str]:
    parts = [message.subject, message.body]
    parts += [content for content, _ in getattr(message, "alternatives", [])]
    return parts


@pytest.fixture
def rendered():
    names: list[str] = []

    def record(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(record)
    yield names
    template_rendered.disconnect(record)


def test_no_e_mail_an_anonymous_visitor_causes_repeats_their_words(client, on_commit, rendered):
    leaflet = make_item("leaflet", stock=100)
    staff = UserFactory(role=Role.MATERIALS)
    with on_commit():
        # The ask form, twice: one request staff reject, one they verify and send.
        rejected = _ask(client, leaflet)
        sent = _ask(client, leaflet)
    with on_commit():
        services.dispatch_reject(dispatch_id=rejected.pk, reason="We could not confirm you.")
    with on_commit():
        services.dispatch_verify(dispatch_id=sent.pk, user=staff)
        services.dispatch_approve(dispatch_ids=[sent.pk], user=staff)
        services.dispatch_pack(dispatch_id=sent.pk, user=staff)
        services.dispatch_send(dispatch_id=sent.pk, tracking_reference="TR123", user=staff)
    # The sign-in link form: its one field is the address; extra fields are ignored.
    facilitator = make_trained_facilitator(
        PersonFactory(email="robin@example.org"), completed_on=datetime.date(2026, 1, 5)
    )
    with on_commit():
        client.post("/materials/request/", {"email": facilitator.email, "note": MARK})

    # The password reset form: its one field is the address.
    account = UserFactory(email="sam.reset@example.org", role=Role.PARTNER_CONTACT)
    client.post("/accounts/password_reset/", {"email": account.email, "note": MARK})
    # The invitation request form: its one field is the address.
    contact = PersonFactory(email="kim.contact@example.org")
    AffiliationFactory(person=contact, organisation=OrganisationFactory(), role="main_contact")
    with on_commit():
        client.post("/accounts/invitation/", {"email": contact.email, "note": MARK})

    to_visitor = [m for m in mail.outbox if set(m.to) & {VICTIM, facilitator.email, account.email}]
    # Two confirmations, the rejection, the dispatch, the sign-in link, the reset link.
    assert len(to_visitor) == 6
    for message in to_visitor:
        for text in _texts(message):
            for word in ("relapse", "evil.example", "Dear colleague"):
                assert word not in text, (message.subject, text)
    email_templates = {name for name in rendered if "/email/" in name}
    assert email_templates >= ANONYMOUS, ANONYMOUS - email_templates
    # What the visitor typed is kept, for staff.
    assert Dispatch.objects.get(pk=sent.pk).contact_name.startswith("Dear colleague")
    assert Dispatch.objects.get(pk=sent.pk).status == Status.DISPATCHED
