"""The public certificate lookup is rate-limited per client (one budget for both pages)."""

import pytest

pytestmark = pytest.mark.django_db


def test_certificate_lookup_is_rate_limited_per_client(client, settings):
    settings.PUBLIC_RATE_LIMIT_PER_MINUTE = 3
    statuses = [client.get("/training/certificates/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/training/certificates/")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    other = client.get("/training/certificates/", REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200


def test_guessing_codes_shares_the_same_budget(client, settings):
    settings.PUBLIC_RATE_LIMIT_PER_MINUTE = 2
    assert client.get("/training/certificates/NOPE1/").status_code == 404
    assert client.get("/training/certificates/").status_code == 200
    # Over the limit: refused before the code is even looked up.
    assert client.get("/training/certificates/NOPE2/").status_code == 429
    assert client.get("/training/certificates/NOPE2/", REMOTE_ADDR="10.2.2.2").status_code == 404
