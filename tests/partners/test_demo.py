import datetime
import random

import pytest

from partners import demo, selectors
from partners.models import Agreement, AgreementKind, Invoice, Organisation, Payment, Site
from smartnet.demo import DemoContext

TODAY = datetime.date(2026, 11, 1)


@pytest.mark.django_db
def test_demo_at_scale_one():
    ctx = DemoContext(scale=1, today=TODAY, rng=random.Random(2014), log=lambda m: None)
    demo.seed(ctx)
    assert Organisation.objects.exclude(kind="commissioner").count() == 300
    assert Organisation.objects.filter(kind="commissioner").count() == 40
    assert Site.objects.count() == 500
    assert Agreement.objects.filter(kind=AgreementKind.BLOCK).count() == 40
    partners_now = selectors.active_partner_count(on=TODAY)
    partners_then = selectors.active_partner_count(on=TODAY - datetime.timedelta(days=4 * 365))
    assert 240 < partners_now <= 300 and partners_then < 80
    assert Invoice.objects.count() > 800 and Payment.objects.count() > 500
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [f"INV-{n:06d}" for n in range(1, len(numbers) + 1)]
    assert selectors.renewal_rate(on=TODAY) > 0.85
    roles = {role for role, _, _ in ctx.logins}
    assert {"Partner contact", "Commissioner contact"} <= roles
    assert ctx.shared["partners_partner_org_id"]
