from django_otp.plugins.otp_totp.models import TOTPDevice

from smartnet.models import JobRun
from tests.access import EVERYONE, PORTAL, SIGNED_IN, STAFF, Case

CASES = {
    # The public welcome; a signed-in user is sent on to their role's home.
    "home": Case("/", allow=EVERYONE, overrides=dict.fromkeys(SIGNED_IN, 302)),
    "healthz": Case("/healthz", allow=EVERYONE),
    "login": Case("/accounts/login/", allow=EVERYONE),
    # Signing out is a POST; everyone (even anonymous) is sent back home.
    "logout": Case(
        "/accounts/logout/", allow=SIGNED_IN, ok=302, method="post", overrides={"anonymous": 302}
    ),
    "staff_dashboard": Case("/staff/", allow=STAFF),
    # The header search: staff only (each kind of result only for the roles it admits).
    "staff_search": Case("/staff/search/?q=Alpha", allow=STAFF),
    "portal:home": Case("/portal/", allow=PORTAL),
}

# Two-factor pages: staff only; anyone else is sent to sign in (302), not refused.
CASES["two_factor_setup"] = Case(
    "/accounts/two-factor/setup/", allow=STAFF, denied=302, overrides={"anonymous": 302}
)
CASES["two_factor_verify"] = Case(
    "/accounts/two-factor/", allow=STAFF, ok=302, denied=302, overrides={"anonymous": 302}
)


def _staff_reset_url(world) -> str:
    # Another staff member with a second factor: the staff admin may reset it.
    target = world.users["finance"]
    TOTPDevice.objects.create(user=target, name="Authenticator app", confirmed=True)
    return f"/staff/two-factor/{target.pk}/reset/"


# The staff two-factor screen: the staff admin only.
CASES["two_factor_staff"] = Case("/staff/two-factor/", allow=frozenset({"staff_admin"}))
CASES["two_factor_staff_reset"] = Case(
    _staff_reset_url, allow=frozenset({"staff_admin"}), ok=302, method="post"
)


def _failed_run_url(world) -> str:
    run = JobRun.objects.create(
        job="smartnet.tasks.flush_outbox",
        key="access-case",
        outcome=JobRun.Outcome.FAILED,
        error="OSError: mail server away",
    )
    return f"/staff/jobs/{run.pk}/rerun/"


# The job watch: the monitor's endpoint is open (details only for staff and the
# allowed addresses, as /healthz); the jobs screen and its re-run: staff admin.
CASES["healthz_jobs"] = Case("/healthz/jobs", allow=EVERYONE)
CASES["jobs_staff"] = Case("/staff/jobs/", allow=frozenset({"staff_admin"}))
CASES["jobs_staff_rerun"] = Case(
    _failed_run_url, allow=frozenset({"staff_admin"}), ok=302, method="post"
)
