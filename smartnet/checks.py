"""Production settings that cannot be half set (``manage.py check --deploy``).

When ``PRODUCTION=1`` these refuse the start (errors, so ``check --deploy``
fails): e-mail that goes nowhere, a ``SITE_URL`` without https, no
``REDIS_URL`` (tasks would run in the web process and beat would have no
broker), the demo's made-up charity or bank details still set
(``DEMO_CHARITY_DETAILS``), a wildcard in ``ALLOWED_HOSTS``, and the demo's
data in the database. Each message names the variable and what to set.
Without ``PRODUCTION`` (a laptop, ``make lint``) nothing here is checked.
"""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from smartnet.models import JobRun, User

DEMO_EMAIL_DOMAIN = "@smartnet.example"
NOWHERE_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "console",
    "django.core.mail.backends.filebased.EmailBackend": "file",
    "django.core.mail.backends.locmem.EmailBackend": "memory (locmem)",
    "django.core.mail.backends.dummy.EmailBackend": "dummy",
}


def demo_data_present() -> bool:
    """The demo's marks: its seed run recorded, or its made-up logins."""
    return (
        JobRun.objects.filter(job="seed_demo").exists()
        or User.objects.filter(email__endswith=DEMO_EMAIL_DOMAIN).exists()
    )


@register(Tags.security, deploy=True)
def production_settings(app_configs=None, **kwargs) -> list[Error]:
    if not getattr(settings, "PRODUCTION", False):
        return []
    errors = []
    backend = NOWHERE_BACKENDS.get(settings.EMAIL_BACKEND)
    if backend:
        errors.append(
            Error(
                f"EMAIL_URL sends e-mail to the {backend} backend, so nobody receives it.",
                hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:password@host:587.",
                id="smartnet.E101",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        errors.append(
            Error(
                f"SITE_URL is {settings.SITE_URL!r}: links in e-mails would not use https.",
                hint="Set SITE_URL to the site's https address, e.g. https://network.example.org.",
                id="smartnet.E102",
            )
        )
    if not settings.REDIS_URL:
        errors.append(
            Error(
                "REDIS_URL is not set: tasks would run inside web requests and the "
                "scheduled jobs (celery beat) would have no broker.",
                hint="Set REDIS_URL, e.g. redis://127.0.0.1:6379/0.",
                id="smartnet.E103",
            )
        )
    for name, demo in getattr(settings, "DEMO_CHARITY_DETAILS", {}).items():
        if demo and getattr(settings, name, None) == demo:
            errors.append(
                Error(
                    f"{name} is still the demo's made-up value {demo!r}.",
                    hint=f"Set {name} to the charity's own value (invoices print it).",
                    id="smartnet.E104",
                )
            )
    wild = [h for h in settings.ALLOWED_HOSTS if h == "*" or h.startswith((".", "*"))]
    if wild:
        errors.append(
            Error(
                f"ALLOWED_HOSTS has a wildcard ({', '.join(wild)}).",
                hint="Set ALLOWED_HOSTS to the site's own host names, e.g. network.example.org.",
                id="smartnet.E105",
            )
        )
    try:
        demo_data = demo_data_present()
    except DatabaseError:
        demo_data = False  # no database yet: migrate first; checked again at the next start
    if demo_data:
        errors.append(
            Error(
                "PRODUCTION=1 but the database holds the demo's data (seed_demo's logins "
                f"ending {DEMO_EMAIL_DOMAIN}).",
                hint="Point DATABASE_URL at a database without the demo, or unset PRODUCTION "
                "if this is a trial copy.",
                id="smartnet.E106",
            )
        )
    return errors
