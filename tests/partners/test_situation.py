"""The portal's plain words: each standing of a term read as a sentence, the
renewal's amount and what it waits for, the balance owed, on the portal home."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from partners import services
from partners.models import Invoice, PeriodStatus, Standing
from partners.situation import money_owed, situations
from smartnet.templatetags.numbers import format_money
from tests.factories import AreaFactory
from tests.partners.factories import make_block, make_partner

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2025, 6, 1)


@pytest.fixture(autouse=True)
def _windows(settings):
    settings.PARTNERS_RENEWAL_DUE_DAYS = 60
    settings.PARTNERS_GRACE_DAYS = 30
    with time_machine.travel(datetime.datetime(2025, 6, 1, 10, tzinfo=datetime.UTC), tick=False):
        yield


def only(organisation, on=TODAY):
    [situation] = situations(organisations=[organisation], on=on)
    return situation


def test_current_term_runs_until_its_end(world):
    make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    s = only(world.org_a)
    assert s.standing == Standing.CURRENT
    assert s.sentence == "Your licence for 2 sites runs until 31 December 2025."
    assert s.renewal_sentence == "" and not s.may_confirm
    assert s.next_renewal_on == D(2025, 12, 31)


def test_renewal_due_with_the_renewal_waiting_for_confirmation(world):
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=2)
    renewal = services.renewal_draft(period=agreement.periods.get(), today=TODAY)
    amount = Invoice.objects.get(period=renewal).total
    s = only(world.org_a)
    assert s.standing == Standing.RENEWAL_DUE
    assert s.sentence == "Your licence for 2 sites ends on 30 June 2025 (in 29 days)."
    assert s.renewal_sentence == f"Renewal: {format_money(amount)}, waiting for your confirmation."
    assert s.may_confirm and s.renewal == renewal and s.tone == "action"


def test_renewal_confirmed_says_who_acts_next(world):
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=1)
    renewal = services.renewal_draft(period=agreement.periods.get(), today=TODAY)
    services.renewal_confirm(renewal=renewal, person=None, today=D(2025, 6, 1))
    s = only(world.org_a)
    assert s.renewal_sentence.endswith(
        "confirmed by you on 1 June 2025; the central team will accept it."
    )
    assert not s.may_confirm


def test_renewal_due_before_the_renewal_is_drafted(world):
    make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=1)
    s = only(world.org_a)
    assert s.sentence == "Your licence for 1 site ends on 30 June 2025 (in 29 days)."
    assert s.renewal_sentence == "The central team will send you the renewal before it ends."


def test_grace_says_until_when_the_term_stays_in_force(world):
    make_partner(world.org_a, signed_on=D(2024, 5, 20), start=D(2024, 5, 20), sites=1)
    s = only(world.org_a)
    assert s.standing == Standing.GRACE
    assert s.sentence == (
        "Your licence for 1 site ended on 19 May 2025. It stays in force until "
        "18 June 2025 while the renewal is settled."
    )
    assert s.tone == "warning"


def test_lapsed_asks_them_to_contact_the_central_team(world):
    make_partner(world.org_a, signed_on=D(2024, 1, 1), start=D(2024, 1, 1), sites=1)
    s = only(world.org_a)
    assert s.standing == Standing.LAPSED
    assert s.sentence == (
        "Your licence for 1 site ended on 31 December 2024 and was not renewed. "
        "Please contact the central team to renew."
    )
    assert s.next_renewal_on == D(2024, 12, 31)


def test_pending_term_is_being_set_up(world):
    make_partner(
        world.org_a,
        signed_on=D(2025, 6, 1),
        start=D(2025, 7, 1),
        sites=3,
        status=PeriodStatus.SENT,
    )
    s = only(world.org_a)
    assert s.standing == Standing.PENDING
    assert (
        s.sentence
        == "Your licence for 3 sites from 1 July 2025 is being set up by the central team."
    )
    assert s.next_renewal_on is None


def test_block_agreement_names_the_areas(world):
    areas = [AreaFactory(name="Leeds"), AreaFactory(name="Bradford")]
    make_block(world.commissioner, areas=areas, signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    s = only(world.commissioner)
    assert s.sentence == "Your block agreement for Bradford and Leeds runs until 31 December 2025."


def test_money_owed_counts_open_invoices_and_what_is_late(world):
    agreement = make_partner(world.org_a, signed_on=D(2025, 1, 1), start=D(2025, 1, 1), sites=2)
    period = agreement.periods.get()
    invoice = services.invoice_draft(
        organisation=world.org_a, period=period, lines=services.period_lines(period)
    )
    services.invoice_issue(invoice=invoice, today=D(2025, 1, 1))  # due long ago
    owed = money_owed(organisations=[world.org_a], on=TODAY)
    assert owed == {"owed": Decimal("1000.00"), "late": Decimal("1000.00")}
    assert money_owed(organisations=[world.org_b], on=TODAY) == {
        "owed": Decimal(0),
        "late": Decimal(0),
    }


def test_the_portal_home_reads_in_plain_words(client, world):
    agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=2)
    renewal = services.renewal_draft(period=agreement.periods.get(), today=TODAY)
    amount = format_money(Invoice.objects.get(period=renewal).total)
    client.force_login(world.users["partner_contact"])
    body = " ".join(client.get(reverse("portal:home")).content.decode().split())
    assert "Your licence for 2 sites ends on 30 June 2025 (in 29 days)." in body
    assert f"Renewal: {amount}, waiting for your confirmation." in body
    assert "Confirm the renewal from 1 July 2025" in body
    assert "Next renewal" in body and "30 June 2025, when the current term ends" in body
    assert "Nothing: every invoice is paid." in body
    assert "Renewal due" not in body and ">Sent<" not in body


def test_the_portal_home_query_count_does_not_grow(client, world, django_assert_max_num_queries):
    client.force_login(world.users["partner_contact"])
    make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=1)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("portal:home"))
    for _ in range(6):
        agreement = make_partner(world.org_a, signed_on=D(2024, 7, 1), start=D(2024, 7, 1), sites=3)
        services.renewal_draft(period=agreement.periods.get(), today=TODAY)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("portal:home"))
    assert response.content.decode().count("waiting for your confirmation") == 6
