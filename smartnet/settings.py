"""smartnet settings: one module, every value from the environment.

``DEBUG`` is off unless asked for: a laptop sets ``DEBUG=1`` (``make run`` does)
and then embedded defaults let it run with nothing else configured (SQLite,
tasks run in process, e-mail to the console). With ``DEBUG`` off the values
that must not have a default (``SECRET_KEY``, ``ALLOWED_HOSTS``) are required:
a missing or bad one stops start-up with the variable's name, and
``PRODUCTION=1`` refuses ``DEBUG=1`` outright. ``.env.example`` lists every
variable.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


def _env_or_fail(name: str, reader, **kwargs):
    """Read one variable; a malformed value fails with the variable's name."""
    try:
        return reader(name, **kwargs)
    except (ImproperlyConfigured, ValueError, KeyError) as exc:
        raise ImproperlyConfigured(f"{name} is not valid: {exc}") from exc


def _strict_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name} is not valid: {raw!r} is not one of 1/0, true/false, yes/no"
    )


# Marks a deployment holding real data: seed_demo refuses to run there, and
# DEBUG may not be on (debug pages list the URL map and show local variables).
PRODUCTION = _strict_bool("PRODUCTION", default=False)
# Off when forgotten: a production box that leaves DEBUG out must not get
# debug pages, insecure cookies and no second factor.
DEBUG = _strict_bool("DEBUG", default=False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when PRODUCTION=1: unset DEBUG or set DEBUG=0.")

_INSECURE_KEY = "django-insecure-smartnet-local-development-only"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off (a long random string). "
            "On a laptop, set DEBUG=1 (in the environment or .env) instead."
        )
    SECRET_KEY = _INSECURE_KEY
elif not DEBUG and (SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY is not a real secret: use at least 50 random characters."
    )

if DEBUG:
    ALLOWED_HOSTS = _env_or_fail(
        "ALLOWED_HOSTS", env.list, default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
else:
    ALLOWED_HOSTS = _env_or_fail("ALLOWED_HOSTS", env.list, default=[])
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")

SITE_URL = _env_or_fail("SITE_URL", env.str, default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "smartnet.admin_config.SmartnetAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "smartnet",
    # Domain apps, base first: partners <- training <- meetings <- materials <- board;
    # outreach (communications) reads partners, training and meetings.
    "partners",
    "training",
    "meetings",
    "materials",
    "board",
    "outreach",
    "feedback",
]

MIDDLEWARE = [
    # First: the request id and the one log line per request (smartnet.logs).
    "smartnet.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartnet.urls"
WSGI_APPLICATION = "smartnet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "smartnet.context_processors.navigation_areas",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": _env_or_fail(
        "DATABASE_URL", env.db_url, default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
if DATABASES["default"]["ENGINE"] not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured(
        "DATABASE_URL is not valid: use postgres://... or sqlite:///... "
        f"(got engine {DATABASES['default']['ENGINE']!r})"
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    # Fail fast when the server is unreachable, so /healthz answers quickly.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 3)
    DATABASES["default"]["CONN_MAX_AGE"] = _env_or_fail(
        "DATABASE_CONN_MAX_AGE", env.int, default=60
    )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    # A file, not memory, so a Celery worker thread in the tests sees the same
    # data; one per process, so test runs side by side do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ---------------------------------------------
REDIS_URL = _env_or_fail("REDIS_URL", env.str, default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "smartnet.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "TIMEOUT": 300,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
CELERY_BROKER_URL = REDIS_URL or "memory://"
# No broker configured: run every task in process, at once (laptop default).
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it has finished, and a worker that dies
# mid-task hands it back: the services underneath are idempotent, so a rerun
# does nothing twice.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TIMEZONE = "Europe/London"
# Each domain app adds its schedule here; every entry names a task whose
# service also has a management command.
CELERY_BEAT_SCHEDULE: dict = {
    "flush-outbox": {
        "task": "smartnet.tasks.flush_outbox",
        "schedule": timedelta(minutes=5),
    },
    # The job watch (smartnet.jobs): every entry of this schedule is watched.
    "jobs-watch": {
        "task": "smartnet.tasks.watch_jobs",
        "schedule": timedelta(minutes=15),
    },
}
# A scheduled job is overdue when it has not succeeded within its period plus
# this margin; JOBS_OVERDUE_MARGINS sets one per beat entry ("partners-renewals=180").
JOBS_OVERDUE_MARGIN_MINUTES = _env_or_fail("JOBS_OVERDUE_MARGIN_MINUTES", env.int, default=60)
JOBS_OVERDUE_MARGINS = _env_or_fail(
    "JOBS_OVERDUE_MARGINS", env.dict, cast={"value": int}, default={}
)
# Days the record of each successful scheduled run is kept (failures stay until
# staff run them again).
JOBS_RUN_RETENTION_DAYS = _env_or_fail("JOBS_RUN_RETENTION_DAYS", env.int, default=90)
if JOBS_OVERDUE_MARGIN_MINUTES < 0 or JOBS_RUN_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(
        "JOBS_OVERDUE_MARGIN_MINUTES must be 0 or more and JOBS_RUN_RETENTION_DAYS 1 or more"
    )

# --- E-mail -------------------------------------------------------------------
_email = _env_or_fail("EMAIL_URL", env.email_url, default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key, _value in _email.items():
    if _key != "EMAIL_BACKEND":
        globals()[_key] = _value
DEFAULT_FROM_EMAIL = _env_or_fail(
    "DEFAULT_FROM_EMAIL", env.str, default="SMART Recovery network <network@smartnet.example>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Users and sign-in --------------------------------------------------------
AUTH_USER_MODEL = "smartnet.User"
AUTHENTICATION_BACKENDS = [
    # Lockout after repeated failures; must come first.
    "smartnet.auth_backends.LockoutBackend",
    # Lets the sign-in form tell a deactivated user so (once the password is right);
    # smartnet.access refuses a deactivated user's remaining sessions.
    "django.contrib.auth.backends.AllowAllUsersModelBackend",
]
# Lockout (django-axes): this many failures for one e-mail address from one IP
# address locks that pair out for AXES_COOLOFF_MINUTES.
AXES_FAILURE_LIMIT = _env_or_fail("AXES_FAILURE_LIMIT", env.int, default=5)
AXES_COOLOFF_TIME = timedelta(minutes=_env_or_fail("AXES_COOLOFF_MINUTES", env.int, default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The sign-in form posts the e-mail address as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "smartnet/locked_out.html"
# Trusted proxies in front of the app, for the client address (smartnet.client):
# the lockout above, the rate limits and /healthz all count by the same one.
PROXY_COUNT = _env_or_fail("PROXY_COUNT", env.int, default=0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured("PROXY_COUNT is not valid: use 0 or more")
AXES_CLIENT_IP_CALLABLE = "smartnet.client.client_ip"
# Client addresses or networks (comma-separated) that see /healthz's details
# (error text, variable names, backends) without signing in: the monitor.
try:
    HEALTHZ_ALLOWED_IPS = [
        str(ipaddress.ip_network(_net, strict=False))
        for _net in _env_or_fail("HEALTHZ_ALLOWED_IPS", env.list, default=["127.0.0.1", "::1"])
    ]
except ValueError as _exc:
    raise ImproperlyConfigured(f"HEALTHZ_ALLOWED_IPS is not valid: {_exc}") from _exc
# Staff roles sign in with a second factor (TOTP) when this is on.
STAFF_2FA_REQUIRED = _strict_bool("STAFF_2FA_REQUIRED", default=not DEBUG)
OTP_TOTP_ISSUER = "smartnet"
# Requests per minute per client address to public pages and feeds.
PUBLIC_RATE_LIMIT_PER_MINUTE = _env_or_fail("PUBLIC_RATE_LIMIT_PER_MINUTE", env.int, default=120)
# Seconds a password reset link works (once: setting the password spends it).
PASSWORD_RESET_TIMEOUT = _env_or_fail("PASSWORD_RESET_TIMEOUT", env.int, default=2 * 60 * 60)
if PASSWORD_RESET_TIMEOUT < 60:
    raise ImproperlyConfigured("PASSWORD_RESET_TIMEOUT is not valid: use 60 seconds or more")
# Requests a minute per client address (and per e-mail address typed) to the
# password reset and invitation request forms.
ACCOUNTS_RATE_LIMIT_PER_MINUTE = _env_or_fail("ACCOUNTS_RATE_LIMIT_PER_MINUTE", env.int, default=5)
# Days an invitation link works (once); an unused invitation is reminded
# this many days after it was sent, once, with a fresh link.
INVITATION_MAX_AGE_DAYS = _env_or_fail("INVITATION_MAX_AGE_DAYS", env.int, default=14)
INVITATION_REMINDER_DAYS = _env_or_fail("INVITATION_REMINDER_DAYS", env.int, default=7)
if INVITATION_MAX_AGE_DAYS < 1 or INVITATION_REMINDER_DAYS < 1:
    raise ImproperlyConfigured(
        "INVITATION_MAX_AGE_DAYS and INVITATION_REMINDER_DAYS are not valid: use 1 or more days"
    )
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = _env_or_fail("SESSION_COOKIE_AGE", env.int, default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Days sign-in records (django-axes: sign-ins, failed sign-ins) are kept before
# the nightly purge_sign_in_logs job deletes them; erasure removes a person's at once.
SIGN_IN_LOG_RETENTION_DAYS = _env_or_fail("SIGN_IN_LOG_RETENTION_DAYS", env.int, default=90)
if SIGN_IN_LOG_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("SIGN_IN_LOG_RETENTION_DAYS is not valid: use 1 or more days")
CELERY_BEAT_SCHEDULE["sign-in-logs-purge"] = {
    "task": "smartnet.tasks.purge_sign_in_logs",
    "schedule": timedelta(days=1),
}

# --- Static files -------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic writes and whitenoise serves from when DEBUG is off.
STATIC_ROOT = _env_or_fail("STATIC_ROOT", env.path, default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = _env_or_fail("MEDIA_ROOT", env.path, default=BASE_DIR / "media")
MEDIA_URL = "media/"

# --- Locale -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Maps (issue 18) ------------------------------------------------------------
# The tile server for the finder's and meeting pages' maps (Leaflet, served by
# the app), e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png. Off when empty:
# the pages are then as without a map. The CSP allows images from its host only.
MAP_TILE_URL = _env_or_fail("MAP_TILE_URL", env.str, default="")
MAP_TILE_ATTRIBUTION = _env_or_fail(
    "MAP_TILE_ATTRIBUTION", env.str, default="© OpenStreetMap contributors"
)


def tile_origin(url: str) -> str:
    """The scheme and host of a tile URL template, for the CSP's img-src."""
    parts = urlsplit(url.replace("{s}", "tile-subdomain"))
    host = parts.netloc.replace("tile-subdomain", "*")  # {s}.tile... -> *.tile...
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


# --- Security (production) ------------------------------------------------------
# No inline script anywhere: every script is a static file. Inline style is
# allowed for the SVG charts drawn on the server.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *([tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else [])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = _strict_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = _env_or_fail("SECURE_HSTS_SECONDS", env.int, default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^healthz/jobs$"]

# --- Logs and error reports (smartnet.logs, smartnet.reporting) ----------------------
# One line per request and per task: "plain" text (default) or "json".
LOG_FORMAT = _env_or_fail("LOG_FORMAT", env.str, default="plain")
if LOG_FORMAT not in {"plain", "json"}:
    raise ImproperlyConfigured("LOG_FORMAT is not valid: use plain or json")
# Who gets an e-mail for each unhandled error (comma-separated addresses);
# the same error at the same place is mailed once per ERROR_MAIL_QUIET_SECONDS.
ADMINS = [("", address) for address in _env_or_fail("ADMINS", env.list, default=[])]
ERROR_MAIL_QUIET_SECONDS = _env_or_fail("ERROR_MAIL_QUIET_SECONDS", env.int, default=600)
EMAIL_SUBJECT_PREFIX = "[smartnet] "
# Errors to Sentry too when set (scrubbed of personal data before sending).
SENTRY_DSN = _env_or_fail("SENTRY_DSN", env.str, default="")
SENTRY_ENVIRONMENT = _env_or_fail("SENTRY_ENVIRONMENT", env.str, default="") or (
    "production" if PRODUCTION else "development"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "smartnet.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {
            "()": "smartnet.logs.PlainFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
        "json": {"()": "smartnet.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
        # Replaces Django's own admin e-mail handler (which sends request bodies and cookies).
        "admins": {"()": "smartnet.reporting.AdminEmailHandler", "filters": ["request_id"]},
    },
    "loggers": {
        # Django's default handlers dropped: its records go to the root's console.
        "django": {"handlers": [], "level": "INFO"},
        # Django logs each unhandled request error here, Celery each failed task.
        # Django's 4xx warnings (with the raw path) are left out: the request
        # line has the status and a path without secrets.
        "django.request": {"handlers": ["admins"], "level": "ERROR"},
        "celery.app.trace": {"handlers": ["admins"], "level": "INFO"},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}
# The worker keeps this logging (and its format) instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# --- Domain settings ------------------------------------------------------------
# Each app documents its own settings in README.md; the defaults live here so
# that there is one place to read them.

# --- Materials (issue 6) --------------------------------------------------------
# Facilitators sign in to the request form with a one-time link (django-sesame):
# an extra backend beside the password one; links work once and expire.
AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "sesame.backends.ModelBackend"]
SESAME_ONE_TIME = True
SESAME_MAX_AGE = _env_or_fail("SESAME_MAX_AGE", env.int, default=30 * 60)
# Fair use: how much of each item one meeting may ask for in a rolling window.
MATERIALS_FAIR_USE_DAYS = _env_or_fail("MATERIALS_FAIR_USE_DAYS", env.int, default=90)
MATERIALS_FAIR_USE_DEFAULT = _env_or_fail("MATERIALS_FAIR_USE_DEFAULT", env.int, default=50)
# Per item code, e.g. "poster=20;leaflet=500"; items not listed get the default.
MATERIALS_FAIR_USE_LIMITS = _env_or_fail(
    "MATERIALS_FAIR_USE_LIMITS",
    env.dict,
    cast={"value": int},
    default={"poster": 20, "leaflet": 500, "flyer": 500, "handbook": 20, "family-leaflet": 200},
)
# Anonymous submissions (sign-in link requests, requests from people not on
# record) allowed per IP address per hour.
MATERIALS_ANON_RATE_LIMIT = _env_or_fail("MATERIALS_ANON_RATE_LIMIT", env.int, default=5)
# Days after a parcel is dispatched, delivered or rejected before its delivery
# address is removed (the nightly retention job; counts and costs stay).
MATERIALS_ADDRESS_RETENTION_DAYS = _env_or_fail(
    "MATERIALS_ADDRESS_RETENTION_DAYS", env.int, default=180
)
if MATERIALS_ADDRESS_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("MATERIALS_ADDRESS_RETENTION_DAYS is not valid: use 1 or more days")
CELERY_BEAT_SCHEDULE["materials-purge-delivery-addresses"] = {
    "task": "materials.tasks.purge_delivery_addresses",
    "schedule": timedelta(days=1),
}

# --- Partners (issue 3) -----------------------------------------------------------
# How a site that joins mid-term is charged: "pro_rata" (by day, for the days
# left in the term) or "full_year" (the whole annual fee whatever the day).
PARTNERS_MID_TERM_CHARGING = _env_or_fail("PARTNERS_MID_TERM_CHARGING", env.str, default="pro_rata")
if PARTNERS_MID_TERM_CHARGING not in {"pro_rata", "full_year"}:
    raise ImproperlyConfigured("PARTNERS_MID_TERM_CHARGING is not valid: use pro_rata or full_year")
# Days after the end of a term before an unrenewed agreement lapses.
PARTNERS_GRACE_DAYS = _env_or_fail("PARTNERS_GRACE_DAYS", env.int, default=30)
# Days from issue to due date of an invoice.
PARTNERS_INVOICE_DUE_DAYS = _env_or_fail("PARTNERS_INVOICE_DUE_DAYS", env.int, default=30)
# A period stands "renewal due" this many days before its end (first reminder).
PARTNERS_RENEWAL_DUE_DAYS = _env_or_fail("PARTNERS_RENEWAL_DUE_DAYS", env.int, default=60)
# Days before the end when the renewal period and its invoice are drafted.
PARTNERS_RENEWAL_DRAFT_DAYS = _env_or_fail("PARTNERS_RENEWAL_DRAFT_DAYS", env.int, default=30)
# Periods the renewals job acts on per run; a longer catch-up runs again at once.
PARTNERS_RENEWALS_BATCH = _env_or_fail("PARTNERS_RENEWALS_BATCH", env.int, default=300)
if PARTNERS_RENEWALS_BATCH < 1:
    raise ImproperlyConfigured("PARTNERS_RENEWALS_BATCH must be 1 or more")
CELERY_BEAT_SCHEDULE["partners-renewals"] = {
    "task": "partners.tasks.run_renewals",
    "schedule": timedelta(days=1),
}
CELERY_BEAT_SCHEDULE["partners-invitation-reminders"] = {
    "task": "partners.tasks.run_invitation_reminders",
    "schedule": timedelta(days=1),
}

# --- The charity's details and bank (issue 17): printed on invoices, credit notes
# and statements. Demo values are made up; production must set every one of them
# (a system check refuses any still equal to its demo value).
DEMO_CHARITY_DETAILS = {
    "CHARITY_NAME": "SMART Recovery UK (demo)",
    "CHARITY_ADDRESS": "1 Example Street, Demo Town, AB1 2CD",
    "CHARITY_NUMBER": "0000000",
    "CHARITY_VAT_NUMBER": "",
    "BANK_NAME": "Example Bank plc",
    "BANK_ACCOUNT_NAME": "SMART Recovery UK (demo)",
    "BANK_SORT_CODE": "00-00-00",
    "BANK_ACCOUNT_NUMBER": "00000000",
    "BANK_IBAN": "",
    "BANK_BIC": "",
}
# Empty CHARITY_VAT_NUMBER: not VAT registered. Empty IBAN/BIC: not printed.
CHARITY_NAME = _env_or_fail("CHARITY_NAME", env.str, default=DEMO_CHARITY_DETAILS["CHARITY_NAME"])
CHARITY_ADDRESS = _env_or_fail(
    "CHARITY_ADDRESS", env.str, default=DEMO_CHARITY_DETAILS["CHARITY_ADDRESS"]
)
CHARITY_NUMBER = _env_or_fail(
    "CHARITY_NUMBER", env.str, default=DEMO_CHARITY_DETAILS["CHARITY_NUMBER"]
)
CHARITY_VAT_NUMBER = _env_or_fail(
    "CHARITY_VAT_NUMBER", env.str, default=DEMO_CHARITY_DETAILS["CHARITY_VAT_NUMBER"]
)
BANK_NAME = _env_or_fail("BANK_NAME", env.str, default=DEMO_CHARITY_DETAILS["BANK_NAME"])
BANK_ACCOUNT_NAME = _env_or_fail(
    "BANK_ACCOUNT_NAME", env.str, default=DEMO_CHARITY_DETAILS["BANK_ACCOUNT_NAME"]
)
BANK_SORT_CODE = _env_or_fail(
    "BANK_SORT_CODE", env.str, default=DEMO_CHARITY_DETAILS["BANK_SORT_CODE"]
)
BANK_ACCOUNT_NUMBER = _env_or_fail(
    "BANK_ACCOUNT_NUMBER", env.str, default=DEMO_CHARITY_DETAILS["BANK_ACCOUNT_NUMBER"]
)
BANK_IBAN = _env_or_fail("BANK_IBAN", env.str, default=DEMO_CHARITY_DETAILS["BANK_IBAN"])
BANK_BIC = _env_or_fail("BANK_BIC", env.str, default=DEMO_CHARITY_DETAILS["BANK_BIC"])

# Overdue invoices: reminders go this many days after the due date, each once.
PARTNERS_CHASE_DAYS = sorted(
    _env_or_fail("PARTNERS_CHASE_DAYS", env.list, cast=int, default=[7, 30, 60])
)
if not PARTNERS_CHASE_DAYS or min(PARTNERS_CHASE_DAYS) < 1:
    raise ImproperlyConfigured("PARTNERS_CHASE_DAYS must list days of 1 or more, e.g. 7,30,60")
CELERY_BEAT_SCHEDULE["partners-chasing"] = {
    "task": "partners.tasks.run_chasing",
    "schedule": timedelta(days=1),
}

# --- Board (issue 7) ----------------------------------------------------------------
# The RAG rule (board/rag.py): an objective is green within this percentage of its
# planned change (|target - baseline|) below the straight line, amber within a
# further band, red below that. Each objective may set its own tolerance.
BOARD_RAG_TOLERANCE_PERCENT = _env_or_fail("BOARD_RAG_TOLERANCE_PERCENT", env.int, default=5)
BOARD_RAG_AMBER_BAND_PERCENT = _env_or_fail("BOARD_RAG_AMBER_BAND_PERCENT", env.int, default=10)
# An action not done is amber this many days before it is due (red once overdue).
BOARD_ACTION_DUE_SOON_DAYS = _env_or_fail("BOARD_ACTION_DUE_SOON_DAYS", env.int, default=14)
# The report for a board meeting is drafted this many days before it.
BOARD_REPORT_LEAD_DAYS = _env_or_fail("BOARD_REPORT_LEAD_DAYS", env.int, default=7)
# The headline target shown on the staff dashboard (meetings per week).
BOARD_MEETINGS_TARGET = _env_or_fail("BOARD_MEETINGS_TARGET", env.int, default=400)
# Seconds the staff dashboard keeps its expensive figures.
BOARD_DASHBOARD_CACHE_SECONDS = _env_or_fail("BOARD_DASHBOARD_CACHE_SECONDS", env.int, default=300)
CELERY_BEAT_SCHEDULE["board-draft-reports"] = {
    "task": "board.tasks.draft_board_reports",
    "schedule": timedelta(hours=6),
}
# The dashboard's daily roll-ups, rebuilt each night (board.rollups).
CELERY_BEAT_SCHEDULE["board-rollup-figures"] = {
    "task": "board.tasks.rollup_figures",
    "schedule": timedelta(days=1),
}

# --- Training (issue 5) -------------------------------------------------------------
# Largest Moodle export accepted for import, in bytes (the upload is refused above it).
TRAINING_IMPORT_MAX_BYTES = _env_or_fail(
    "TRAINING_IMPORT_MAX_BYTES", env.int, default=20 * 1024 * 1024
)
# Rows checked and committed together by the import (one transaction each).
TRAINING_IMPORT_BATCH_ROWS = _env_or_fail("TRAINING_IMPORT_BATCH_ROWS", env.int, default=2000)
# Rows per page of the staff lists (people, Champion register).
TRAINING_PAGE_SIZE = _env_or_fail("TRAINING_PAGE_SIZE", env.int, default=50)
# Days before a Champion's or facilitator's status lapses (the course's
# validity_months after completion) when they are reminded, once each.
TRAINING_REFRESHER_REMINDER_DAYS = sorted(
    _env_or_fail("TRAINING_REFRESHER_REMINDER_DAYS", env.list, cast=int, default=[60, 14]),
    reverse=True,
)
if not TRAINING_REFRESHER_REMINDER_DAYS or min(TRAINING_REFRESHER_REMINDER_DAYS) < 1:
    raise ImproperlyConfigured(
        "TRAINING_REFRESHER_REMINDER_DAYS is not valid: use whole days of 1 or more, e.g. 60,14"
    )
# Days a person offered a freed place on a full event has to accept it before
# it goes to the next in line.
TRAINING_WAITING_OFFER_DAYS = _env_or_fail("TRAINING_WAITING_OFFER_DAYS", env.int, default=3)
if TRAINING_WAITING_OFFER_DAYS < 1:
    raise ImproperlyConfigured("TRAINING_WAITING_OFFER_DAYS is not valid: use 1 or more days")
# The bookings job: expires offers, offers free places, sends the day-before reminders.
CELERY_BEAT_SCHEDULE["training-bookings"] = {
    "task": "training.tasks.bookings_daily",
    "schedule": timedelta(days=1),
}
CELERY_BEAT_SCHEDULE["training-refresher-reminders"] = {
    "task": "training.tasks.refresher_reminders",
    "schedule": timedelta(days=1),
}

# --- Outreach (issue 19) -----------------------------------------------------------
# Recipients one background batch of a communication sends before queuing the next.
OUTREACH_BATCH_SIZE = _env_or_fail("OUTREACH_BATCH_SIZE", env.int, default=500)
if OUTREACH_BATCH_SIZE < 1:
    raise ImproperlyConfigured("OUTREACH_BATCH_SIZE is not valid: use 1 or more")

# --- Public reports on meetings (issue 19) ---------------------------------------
# Reports a minute one client address may send from the meeting pages.
FEEDBACK_REPORTS_PER_MINUTE = _env_or_fail("FEEDBACK_REPORTS_PER_MINUTE", env.int, default=5)

# --- Meetings (issue 4) -------------------------------------------------------------
# Seconds the public feeds (feed.json, calendar.ics) stay cached; any meeting change
# invalidates them at once, so this is only the longest a quiet cache lives.
MEETINGS_FEED_CACHE_SECONDS = _env_or_fail("MEETINGS_FEED_CACHE_SECONDS", env.int, default=3600)
# Where "request a change" (the feed's feedback_url, the meeting page) sends the public.
MEETINGS_FEEDBACK_EMAIL = _env_or_fail(
    "MEETINGS_FEEDBACK_EMAIL", env.str, default="meetings@smartnet.example"
)
# Rows per page of the finder and the staff meeting list.
MEETINGS_PAGE_SIZE = _env_or_fail("MEETINGS_PAGE_SIZE", env.int, default=25)
# The postcode lookup service for postcodes missing from the postcode table
# (postcodes.io's API, or a self-hosted copy): off when empty.
POSTCODES_IO_URL = _env_or_fail("POSTCODES_IO_URL", env.str, default="").rstrip("/")
POSTCODES_IO_TIMEOUT = _env_or_fail("POSTCODES_IO_TIMEOUT", env.float, default=3.0)
