"""Training's demo data at scale 1: counts, derived statuses, no events sent."""

import datetime
import random

import pytest

from partners.models import Person
from smartnet.demo import DemoContext
from tests.factories import OrganisationFactory
from tests.partners.factories import make_partner
from training import demo, selectors
from training.models import Completion, TrainingProfile
from training.signals import facilitator_trained

pytestmark = pytest.mark.django_db

D = datetime.date


def test_seed_at_scale_one(django_capture_on_commit_callbacks):
    today = D(2014, 12, 31)
    for i in range(6):
        make_partner(
            signed_on=D(2011 + i % 3, 4, 1), start=D(2011 + i % 3, 4, 1), end=D(2015, 3, 31)
        )
    OrganisationFactory(name="Not Yet A Partner")
    received = []
    facilitator_trained.connect(lambda sender, **kw: received.append(kw), weak=False)
    ctx = DemoContext(scale=1, today=today, rng=random.Random(2014), log=lambda m: None)
    with django_capture_on_commit_callbacks(execute=True):
        demo.seed(ctx)
    assert Person.objects.filter(email__endswith="@staff.example").count() == 3000
    assert TrainingProfile.objects.filter(is_peer=True).count() == 300
    assert selectors.facilitator_count(on=today) == 300
    champions = selectors.champion_count(on=today)
    assert 1500 < champions < 2500
    assert not Completion.objects.filter(completed_on__gt=today).exists()
    assert selectors.staff_mobility()["moves"]
    assert received == []
    assert ctx.shared["training_facilitator_person_id"]
    assert ("Facilitator", "facilitator@smartnet.example", "smartnet-demo-2026") in ctx.logins
