"""Who is asking: the one client-address function of the project.

Sign-in lockout (django-axes, through ``AXES_CLIENT_IP_CALLABLE``), the rate
limits (``smartnet.ratelimit``) and the /healthz detail check all call
``client_ip``, so behind the HTTPS proxy they all see the visitor, not the proxy.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The visitor's address, or None for a request that came from no
    connection (``force_login``, a management command): django-axes then
    records no address rather than a word its address column refuses.

    With ``PROXY_COUNT`` trusted proxies in front, each appends the address it
    saw to X-Forwarded-For, so the visitor is the entry that many places from
    the right; whatever stands further left was written by the client and is
    not believed. With no proxy (``PROXY_COUNT=0``) the header is ignored: a
    client could write anything there. A malformed entry (a proxy that does not
    append) falls back to the connecting address.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not forwarded:
        return remote
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    if len(hops) < proxies:
        return remote
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
