from django.http import HttpResponse
from django.test import RequestFactory

from smartnet.ratelimit import client_ip, rate_limited


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


def test_client_ip_reads_the_proxy_header_only_behind_a_proxy(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.0.0.8")
    settings.AXES_IPWARE_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.9"
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.8"
