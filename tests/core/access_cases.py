from tests.access import EVERYONE, PORTAL, SIGNED_IN, STAFF, Case

CASES = {
    "home": Case("/", allow=EVERYONE),
    "healthz": Case("/healthz", allow=EVERYONE),
    "login": Case("/accounts/login/", allow=EVERYONE),
    # Signing out is a POST; everyone (even anonymous) is sent back home.
    "logout": Case(
        "/accounts/logout/", allow=SIGNED_IN, ok=302, method="post", overrides={"anonymous": 302}
    ),
    "staff_dashboard": Case("/staff/", allow=STAFF),
    "portal:home": Case("/portal/", allow=PORTAL),
}
