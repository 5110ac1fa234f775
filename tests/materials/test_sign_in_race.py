"""One sign-in link posted six times at the same moment signs in once (PostgreSQL)."""

import datetime

import pytest
from django.core import mail
from django.test import Client

from materials import services
from tests.concurrency import at_once, raised
from tests.factories import PersonFactory
from tests.training.factories import make_trained_facilitator

pytestmark = pytest.mark.django_db(transaction=True)


def _token() -> str:
    person = make_trained_facilitator(
        PersonFactory(email="robin@example.org"), completed_on=datetime.date(2026, 1, 5)
    )
    assert services.sign_in_link_request(email=person.email)  # eager: the e-mail is sent
    body = next(m.body for m in mail.outbox if "sign-in link" in m.subject)
    return body.split("sesame=", 1)[1].split()[0]


def test_six_parallel_posts_of_one_link_give_one_session(postgres):
    token = _token()

    def post() -> bool:
        client = Client()
        client.post("/materials/request/sign-in/", {"sesame": token})
        return "_auth_user_id" in client.session

    outcomes = at_once(*[post for _ in range(6)])
    assert raised(outcomes) == []
    assert outcomes.count(True) == 1, outcomes


def test_six_parallel_claims_of_one_link_give_one_user(postgres):
    token = _token()
    outcomes = at_once(*[lambda: services.sign_in_link_claim(token=token) for _ in range(6)])
    assert raised(outcomes) == []
    assert sum(1 for o in outcomes if o is not None) == 1
