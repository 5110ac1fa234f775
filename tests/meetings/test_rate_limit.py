import pytest

pytestmark = pytest.mark.django_db


def test_the_feed_is_rate_limited_per_client(client, settings):
    settings.PUBLIC_RATE_LIMIT_PER_MINUTE = 3
    statuses = [client.get("/meetings/feed.json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    other = client.get("/meetings/feed.json", REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200
