"""Where a term stands, pinned at its boundaries in every place that shows it.

One definition (``AgreementPeriod.standing``) and its SQL twin
(``with_standing``): the partner list's label and filter, the partner page,
``periods_in_force`` (the board's partner counts) and the renewal reminders
must all say the same thing on the same day. The list once said "Renewal due"
sixty days before the end while the model said "current".
"""

import datetime
import re

import pytest
import time_machine
from django.core import mail

from partners import selectors, services
from partners.models import AffiliationRole, AgreementPeriod, PeriodStatus, Reminder, Standing
from smartnet.roles import Role
from tests.factories import AffiliationFactory, PersonFactory, UserFactory
from tests.partners.factories import make_partner

D = datetime.date
END = D(2025, 12, 31)

# Days before the end (negative: after it) -> the standing that day, with the
# default windows: renewal due from 60 days before the end, 30 days' grace.
BOUNDARIES = [
    (61, Standing.CURRENT),
    (60, Standing.RENEWAL_DUE),
    (1, Standing.RENEWAL_DUE),
    (0, Standing.RENEWAL_DUE),
    (-1, Standing.GRACE),
    (-30, Standing.GRACE),
    (-31, Standing.LAPSED),
]
LIST_FILTER = {
    Standing.CURRENT: "current",
    Standing.RENEWAL_DUE: "renewal_due",
    Standing.GRACE: "grace",
    Standing.LAPSED: "lapsed",
    Standing.ENDED: "lapsed",
}


@pytest.fixture
def period(settings):
    settings.PARTNERS_RENEWAL_DUE_DAYS = 60
    settings.PARTNERS_GRACE_DAYS = 30
    agreement = make_partner(signed_on=D(2025, 1, 1), start=D(2025, 1, 1))
    AffiliationFactory(
        person=PersonFactory(email="main@partner.example"),
        organisation=agreement.organisation,
        role=AffiliationRole.MAIN_CONTACT,
    )
    return agreement.periods.get()


def shown(client, period, on: datetime.date) -> dict:
    """What the staff screens say of the partner on ``on``."""
    organisation = period.agreement.organisation
    with time_machine.travel(datetime.datetime(on.year, on.month, on.day, 12), tick=False):
        rows = client.get("/staff/partners/", {"q": organisation.name}).content.decode()
        link = f">{organisation.name}</a>"  # the name in a row, not in the search box
        row = re.search(rf"{re.escape(link)}.*?</tr>", rows, re.S).group(0)
        filtered = {
            choice: link
            in client.get(
                "/staff/partners/", {"q": organisation.name, "status": choice}
            ).content.decode()
            for choice in ("current", "renewal_due", "grace", "lapsed")
        }
        detail = client.get(f"/staff/partners/{organisation.pk}/").content.decode()
    return {"row": row, "filters": {k for k, v in filtered.items() if v}, "detail": detail}


def assert_everywhere(client, period, on: datetime.date, expected: str) -> None:
    period.refresh_from_db()
    assert period.standing(on) == expected, on
    annotated = AgreementPeriod.objects.with_standing(on).get(pk=period.pk).standing_then
    assert annotated == expected, on
    in_force = selectors.periods_in_force(on=on).filter(pk=period.pk).exists()
    assert in_force == (expected in selectors.IN_FORCE_STANDINGS), on
    screens = shown(client, period, on)
    label = Standing(expected).label
    assert f"<td>{label}</td>" in screens["row"], (on, screens["row"])
    assert screens["filters"] == {LIST_FILTER[expected]}, on
    assert f"<td>{label}</td>" in screens["detail"], on


@pytest.mark.django_db
@pytest.mark.parametrize(("days_left", "expected"), BOUNDARIES)
def test_every_place_agrees_at_each_boundary(client, period, days_left, expected):
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    assert_everywhere(client, period, END - datetime.timedelta(days=days_left), expected)


@pytest.mark.django_db
def test_the_first_reminder_goes_on_the_first_day_the_term_is_renewal_due(period):
    services.run_renewals(today=END - datetime.timedelta(days=61))
    assert not Reminder.objects.exists() and mail.outbox == []
    day = END - datetime.timedelta(days=60)
    assert period.standing(day) == Standing.RENEWAL_DUE
    services.run_renewals(today=day)
    assert Reminder.objects.get().kind == "60"


@pytest.mark.django_db
def test_a_terminated_term_has_ended_everywhere(client, period):
    client.force_login(UserFactory(role=Role.STAFF_ADMIN))
    services.agreement_terminate(period=period, on=D(2025, 6, 30), reason="Closed the service")
    assert_everywhere(client, period, D(2025, 7, 1), Standing.ENDED)


@pytest.mark.django_db
def test_a_renewed_term_is_never_renewal_due(client, period):
    """Once its successor is in force nothing is due: current to its end,
    ended after it (no grace), and the partner shows its new term's standing."""
    AgreementPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.RENEWED)
    period.refresh_from_db()
    assert period.standing(END - datetime.timedelta(days=10)) == Standing.CURRENT
    assert period.standing(END + datetime.timedelta(days=1)) == Standing.ENDED
    on = END - datetime.timedelta(days=10)
    annotated = AgreementPeriod.objects.with_standing(on).get(pk=period.pk).standing_then
    assert annotated == Standing.CURRENT
