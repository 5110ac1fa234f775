from django.http import HttpResponse
from django.test import RequestFactory

from smartnet.ratelimit import rate_limited


@rate_limited("test-scope", 3)
def view(request):
    return HttpResponse("ok")


def test_a_visitor_over_the_limit_gets_429_and_others_do_not():
    rf = RequestFactory()
    statuses = [view(rf.get("/", REMOTE_ADDR="10.0.0.1")).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    assert view(rf.get("/", REMOTE_ADDR="10.0.0.2")).status_code == 200
    limited = view(rf.get("/", REMOTE_ADDR="10.0.0.1"))
    assert limited["Retry-After"] == "60"
