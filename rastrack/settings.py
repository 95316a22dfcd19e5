"""RASTrack settings, read from the environment (see README "Configuration").

One settings module for every environment; `rastrack.settings_test` adjusts it for pytest.
Transaction model: ATOMIC_REQUESTS is off. Services own their transactions with
`@transaction.atomic`, and enqueue tasks with `transaction.on_commit`.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from rastrack.env import (
    check_key_set,
    env_bool,
    env_database,
    env_int,
    env_int_list,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("RASTRACK_VAR_DIR", str(BASE_DIR / "var")))

# --- Core ------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env_bool("DEBUG", False)
if DEBUG:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-never-used-when-debug-is-false")
else:
    SECRET_KEY = env_str("SECRET_KEY")  # no default outside DEBUG
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"] if DEBUG else [])
SITE_URL = env_url("SITE_URL", "http://127.0.0.1:8000", schemes=("http", "https")).rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [SITE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # The composition root (seed_demo, the home page): it may import every app.
    "rastrack",
    "rastrack.core",
    "rastrack.accounts",
    "rastrack.reference",
    "rastrack.audit",
    "rastrack.notifications",
    "curriculum",
    "accreditation",
    "labs",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rastrack.core.middleware.RequestIdMiddleware",
    # NUL in the path or query string: 400 before any lookup (PostgreSQL refuses NUL).
    "rastrack.core.middleware.RejectNulMiddleware",
    # Ids beyond 64 bits, dates outside the supported years: 400 before any lookup.
    "rastrack.core.middleware.EdgeInputMiddleware",
    "rastrack.core.replica.ReplicaReadsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "rastrack.accounts.mfa.RequireMFAMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "rastrack.core.middleware.DomainErrorMiddleware",
    # A view that loses the database answers 503 (page, or JSON on the API), not 500.
    "rastrack.core.middleware.DatabaseUnavailableMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rastrack.urls"
WSGI_APPLICATION = "rastrack.wsgi.application"

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
                "rastrack.navigation.nav_links",
            ],
        },
    },
]

# --- Database ----------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/databases/
# SQLite is the embedded default for a first run. Web, worker and beat share the file, so
# it runs in WAL mode with a busy timeout, and every transaction takes the write lock at
# BEGIN (IMMEDIATE) so that two writers wait instead of failing with "database is locked".
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rastrack.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 60, minimum=0)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Django turns psycopg's prepared statements off; its own cursors bind values on the
    # client and never prepare anyway. The compiled hot-path queries (rastrack/core/compiled.py)
    # bind on the server and are prepared on a connection once it has run them this often.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 5  # psycopg's own default
# Behind PgBouncer in transaction pooling (compose.yaml), a server connection serves another
# client between transactions: no server-side cursors (a named cursor outlives its
# transaction), and the pooling of connections is PgBouncer's, not Django's (CONN_MAX_AGE 0).
if env_bool("DATABASE_POOLED", False) and DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # psycopg prepares a statement run often; a prepared statement lives on one server
    # connection, which transaction pooling hands to others.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
# A read replica (optional): dashboards, exports and reports read there (rastrack/core/replica.py).
if env_url("DATABASE_REPLICA_URL", None, schemes=("postgres", "postgresql", "pgsql", "sqlite")):
    DATABASES["replica"] = env_database("DATABASE_REPLICA_URL", "")
    DATABASES["replica"].update({k: DATABASES["default"][k] for k in (
        "CONN_MAX_AGE", "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS", "OPTIONS") if k in DATABASES["default"]})
DATABASE_ROUTERS = ["rastrack.core.replica.ReplicaRouter"]
REPLICA_READS = True
REPLICA_READ_PATHS = [r"^/api/v1/dashboards/", r"^/dashboards/", r"/export(\.csv|\.pdf|/)", r"^/api/v1/portfolio/export/"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ATOMIC_REQUESTS = False

# --- Accounts and authorization ------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/auth/customizing/
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username + address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, whose session user comes with their roles (one query, not two).
    "rastrack.accounts.backends.PasswordBackend",
    "guardian.backends.ObjectPermissionBackend",
]
# https://django-guardian.readthedocs.io/en/stable/configuration.html
# No anonymous user row: anonymous callers never hold object permissions.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# API tokens (rastrack/accounts/tokens.py): idle and absolute lifetimes, and how many a
# person may hold at once (each sign-in issues one; the oldest beyond this end).
API_TOKEN_IDLE_DAYS = env_int("API_TOKEN_IDLE_DAYS", 30, minimum=1)
API_TOKEN_MAX_AGE_DAYS = env_int("API_TOKEN_MAX_AGE_DAYS", 90, minimum=1)
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 10, minimum=1)
INVITATION_VALID_DAYS = env_int("INVITATION_VALID_DAYS", 14, minimum=1)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24, minimum=300)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12, minimum=300)
# Database sessions stored with their user, so that deactivation ends them with one indexed
# delete (rastrack/accounts/session_store.py).
SESSION_ENGINE = "rastrack.accounts.session_store"
# https://django-otp-official.readthedocs.io/en/stable/overview.html#plugin-settings
# Programme admins and regional leads (roles.MFA_ROLES) need a TOTP code on top of the
# password: rastrack.accounts.mfa.RequireMFAMiddleware sends them to set-up or verify.
# Each wrong code doubles the wait before the next try (django-otp's throttling).
OTP_TOTP_ISSUER = "RASTrack"
OTP_TOTP_THROTTLE_FACTOR = 1

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
# The nation whose bank holidays close the skills labs (labs/opening.py): ENG, SCT, WLS or NIR.
BANK_HOLIDAY_SUBDIVISION = env_str("BANK_HOLIDAY_SUBDIVISION", "ENG")
USE_I18N = True
# Our own wording of Django's and DRF's refusals ("This field is required." and the like),
# which takes precedence over theirs: locale/en_GB/LC_MESSAGES/django.po.
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
# https://whitenoise.readthedocs.io/en/stable/django.html
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# In DEBUG (make run) files are served from the source folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
if DEBUG and not STATIC_ROOT.is_dir():
    STATIC_ROOT = None
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"  # never served directly: uploads go through a permission-checked view
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
if env_bool("USE_S3", False):
    # https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_url("S3_ENDPOINT_URL", None, schemes=("http", "https")),
            "default_acl": "private",
            "querystring_auth": True,
        },
    }

# --- Security -------------------------------------------------------------------------------
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Failed sign-ins (web, admin and the API token endpoint) are counted per e-mail address
# *and* client address: after AXES_FAILURE_LIMIT failures that pair is refused (429) for
# the cool-off, even with the right password. Locking the pair, not the e-mail alone, means
# an attacker elsewhere cannot lock a real user out of their own account.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "rastrack.accounts.login_protection.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
# The client address comes from our own resolver (django-ipware is not installed): with 0
# trusted proxies (the default) only REMOTE_ADDR counts and X-Forwarded-For is ignored; with
# N, only the N-th entry from the right, the one our outermost proxy appended, so whatever
# the client wrote into the header itself changes nothing.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "rastrack.accounts.login_protection.client_ip"
# https://docs.djangoproject.com/en/5.2/ref/middleware/#module-django.middleware.security
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# https://django-csp.readthedocs.io/en/latest/configuration.html (4.x format)
# No inline scripts or styles anywhere: every page's JavaScript is a static file.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Patient-identifiable data guard (rastrack/core/pii.py) ---------------------------------------
# Words after which an identifier is taken for a hospital number; comma-separated to override.
if env_list("PII_HOSPITAL_NUMBER_CUES", []):
    PII_HOSPITAL_NUMBER_CUES = env_list("PII_HOSPITAL_NUMBER_CUES", [])

# --- E-mail ---------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file backend
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "RASTrack <no-reply@rastrack.example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env_url("REDIS_URL", None, schemes=("redis", "rediss"))
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "rastrack.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rastrack",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- REST API ---------------------------------------------------------------------------------
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def _throttle_rate(name: str, default: str) -> str:
    value = env_str(name, default)
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must look like 100/minute, not {value!r}.")
    return value


# https://www.django-rest-framework.org/api-guide/settings/
# Token authentication (hashed, expiring: rastrack/accounts/tokens.py) comes first so that an anonymous call gets 401 with a
# WWW-Authenticate header rather than 403.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rastrack.accounts.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON too deep or with integers beyond 64 bits is a 400 (rastrack/core/edges.py).
    "DEFAULT_PARSER_CLASSES": [
        "rastrack.core.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rastrack.core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    # django-filter, skipped for a request that names no filter (rastrack/core/api/filtering.py).
    "DEFAULT_FILTER_BACKENDS": ["rastrack.core.api.filtering.FilterWhenAsked"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rastrack.core.api.exceptions.exception_handler",
    # DRF's rates, counted in one atomic Redis call when the cache is Redis.
    "DEFAULT_THROTTLE_CLASSES": [
        "rastrack.core.api.throttling.AnonRateThrottle",
        "rastrack.core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": _throttle_rate("THROTTLE_ANON", "60/minute"),
        "user": _throttle_rate("THROTTLE_USER", "2000/hour"),
        "auth": _throttle_rate("THROTTLE_AUTH", "10/minute"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Throttles identify clients by address; trust X-Forwarded-For only as far as our own
    # proxies (same rule as the sign-in lockout), so a spoofed header buys nothing.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
# The public certificate check (/verify/<code>/) is a plain Django page, not the API: it
# counts requests per client address itself (accreditation/certificates/views.py), against
# enumeration of verification codes; over the limit it answers 429 with Retry-After.
VERIFY_THROTTLE = _throttle_rate("VERIFY_THROTTLE", "30/minute")
# --- Interop (README "Interop") ---------------------------------------------------------------
# OpenID Connect sign-in (mozilla-django-oidc; rastrack/accounts/oidc.py). Off unless a client
# id and the issuer are set: the sign-in page then shows no SSO button. The endpoints come from
# the issuer's discovery document ({OIDC_ISSUER}/.well-known/openid-configuration).
OIDC_OP_ISSUER = env_url("OIDC_ISSUER", None, schemes=("http", "https"))
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET", "")
if bool(OIDC_RP_CLIENT_ID) != bool(OIDC_OP_ISSUER):
    raise ImproperlyConfigured("Set both OIDC_ISSUER and OIDC_CLIENT_ID for single sign-on, or neither.")
if OIDC_RP_CLIENT_ID and not OIDC_RP_CLIENT_SECRET:
    raise ImproperlyConfigured("OIDC_CLIENT_ID is set: set OIDC_CLIENT_SECRET too.")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "your organisation")
OIDC_RP_SIGN_ALGO = env_str("OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_SCOPES", "openid email profile")
# No account is made on a first sign-in unless this is set; then it has no role.
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", False)
# Trust the provider's amr/acr for the second factor of programme admins and regional leads.
OIDC_TRUST_PROVIDER_MFA = env_bool("OIDC_TRUST_PROVIDER_MFA", False)
OIDC_MFA_AMR = env_list("OIDC_MFA_AMR", ["mfa", "otp", "hwk", "sms"])
OIDC_MFA_ACR = env_list("OIDC_MFA_ACR", [])
# Claims that carry a registration number, as body:claim (bodies: gmc, nmc, hcpc).
OIDC_REGISTRATION_CLAIMS = env_list("OIDC_REGISTRATION_CLAIMS",
                                    ["gmc:gmc_number", "nmc:nmc_pin", "hcpc:hcpc_number"])
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10, minimum=1)
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False  # mozilla-django-oidc's own switch: our backend decides (OIDC_CREATE_USERS)
OIDC_AUTHENTICATE_CLASS = "rastrack.accounts.oidc.AuthenticateView"
OIDC_CALLBACK_CLASS = "rastrack.accounts.oidc.CallbackView"
LOGIN_REDIRECT_URL_FAILURE = "/signin/"
AUTHENTICATION_BACKENDS.insert(2, "rastrack.accounts.oidc.OIDCBackend")

# Open Badges 3.0 credentials (accreditation/certificates/credentials.py): Ed25519 keys as a JWK
# Set, the first key signs, every key is published (/.well-known/did.json) so that credentials
# signed before a rotation still verify. Required outside DEBUG, like SECRET_KEY; in DEBUG a
# key set is generated on first use in $RASTRACK_VAR_DIR/credential-signing-keys.json.
CREDENTIAL_SIGNING_KEYS = env_str("CREDENTIAL_SIGNING_KEYS", "")
CREDENTIAL_SIGNING_KEYS_FILE = env_str("CREDENTIAL_SIGNING_KEYS_FILE", "")
if not DEBUG and not (CREDENTIAL_SIGNING_KEYS or CREDENTIAL_SIGNING_KEYS_FILE):
    raise ImproperlyConfigured("Set the CREDENTIAL_SIGNING_KEYS environment variable (or "
                               "CREDENTIAL_SIGNING_KEYS_FILE): `manage.py credential_keys new` makes one.")
if CREDENTIAL_SIGNING_KEYS:
    check_key_set("CREDENTIAL_SIGNING_KEYS", CREDENTIAL_SIGNING_KEYS)
elif CREDENTIAL_SIGNING_KEYS_FILE:
    check_key_set("CREDENTIAL_SIGNING_KEYS_FILE", Path(CREDENTIAL_SIGNING_KEYS_FILE))
CREDENTIAL_KEYS_DEV_FILE = VAR_DIR / "credential-signing-keys.json"
CREDENTIAL_ISSUER_NAME = env_str("CREDENTIAL_ISSUER_NAME", "RASTrack")

# xAPI statements to a learning record store (rastrack/notifications/xapi.py). Off when
# XAPI_ENDPOINT is unset (nothing is stored). The endpoint is the LRS's base (".../xAPI/").
XAPI_ENDPOINT = env_url("XAPI_ENDPOINT", None, schemes=("http", "https"))
XAPI_USERNAME = env_str("XAPI_USERNAME", "")
XAPI_PASSWORD = env_str("XAPI_PASSWORD", "")
XAPI_ACTOR_EMAIL = env_bool("XAPI_ACTOR_EMAIL", False)
XAPI_TIMEOUT = env_int("XAPI_TIMEOUT", 10, minimum=1)
XAPI_MAX_ATTEMPTS = env_int("XAPI_MAX_ATTEMPTS", 8, minimum=1)
XAPI_BACKOFF_SECONDS = env_int("XAPI_BACKOFF_SECONDS", 60, minimum=1)
XAPI_CLAIM_TIMEOUT = env_int("XAPI_CLAIM_TIMEOUT", 900, minimum=60)
XAPI_SWEEP_SECONDS = env_int("XAPI_SWEEP_SECONDS", 60, minimum=5)

# eLogbook import (accreditation/logbook/elogbook.py): the default column of each field, as
# field=Column header pairs, comma-separated (the page and the API also take a mapping).
ELOGBOOK_COLUMNS = env_list("ELOGBOOK_COLUMNS", [])

# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "RASTrack API",
    "DESCRIPTION": "Training and accreditation tracker for robot-assisted surgery.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        # The faculty (accreditation/faculty/models.py): several fields are called "kind"
        # and "status" with different choices.
        "ApplicationKindEnum": "accreditation.faculty.models.ApplicationKind",
        "ApplicationStatusEnum": "accreditation.faculty.models.ApplicationStatus",
        "AccreditationStatusEnum": "accreditation.faculty.models.AccreditationStatus",
        "AssignmentKindEnum": "accreditation.faculty.models.AssignmentKind",
        # The curriculum (curriculum/models.py): "status", "kind" and "audience" again.
        "LifecycleEnum": "curriculum.models.Lifecycle",
        "EnrolmentStatusEnum": "curriculum.models.EnrolmentStatus",
        "ResourceStatusEnum": "curriculum.models.ResourceStatus",
        "ComponentKindEnum": "curriculum.models.ComponentKind",
        "PauseKindEnum": "curriculum.models.PauseKind",
        "PathwayAudienceEnum": "curriculum.models.Audience",
        "ResourceAudienceEnum": "curriculum.models.ResourceAudience",
        "PlatformEnum": "rastrack.reference.models.Platform",
        # Specialties: today's list, and the list an input accepts (with the first catalogue's codes).
        "SpecialtyEnum": "rastrack.reference.specialties.Specialty",
        "SpecialtyOrLegacyEnum": "rastrack.reference.specialties.specialty_choices_with_legacy",
        "CentreAccreditationStatusEnum": "labs.centres.models.CentreAccreditationStatus",
        "AnnualReturnStatusEnum": "labs.centres.models.AnnualReturnStatus",
        # Labs (labs/models.py): "role" (team role) and "type" (equipment type) also name other choices.
        "TeamRoleEnum": "labs.models.TeamRole",
        "EquipmentTypeEnum": "labs.models.EquipmentType",
        "UserRoleEnum": "rastrack.accounts.roles.Role",
        # The logbook (accreditation/logbook/models.py).
        "CaseRoleEnum": "accreditation.logbook.models.CaseRole",
        "SupervisionEnum": "accreditation.logbook.models.Supervision",
        "TrainerPositionEnum": "accreditation.logbook.models.TrainerPosition",
        "UrgencyEnum": "accreditation.logbook.models.Urgency",
        "CaseStatusEnum": "accreditation.logbook.models.CaseStatus",
        "StepRoleEnum": "accreditation.logbook.models.StepRole",
        "SimulatorEnum": "accreditation.logbook.models.Simulator",
        "ConversionEnum": "accreditation.logbook.models.Conversion",
        "ComplicationGradeEnum": "accreditation.logbook.models.ComplicationGrade",
        # Sign-off (accreditation/signoff/models.py).
        "SignoffStatusEnum": "accreditation.signoff.models.SignoffStatus",
        "SignoffTargetEnum": "accreditation.signoff.models.SignoffTarget",
        # Certificates (accreditation/certificates/models.py).
        "CertificateStatusEnum": "accreditation.certificates.models.CertificateStatus",
        # The labs (labs/models.py): "kind" and "status" again.
        "LabSessionKindEnum": "labs.models.LabSessionKind",
        "LabSessionStatusEnum": "labs.models.LabSessionStatus",
        "BookingStatusEnum": "labs.models.BookingStatus",
        "EquipmentKindEnum": "labs.models.EquipmentKind",
        "EquipmentStatusEnum": "labs.models.EquipmentStatus",
    },
}

# --- Celery -------------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html (why each is set: README)
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1),
        # How often a worker looks for tasks whose worker died (unacknowledged past the
        # visibility timeout) and puts them back: every interval x throttle seconds.
        "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10, minimum=1),
        "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10, minimum=1),
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
    }
else:
    # kombu's filesystem transport: an embedded broker that needs no server.
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # Broadcasts (worker control commands) go here; kombu's default is ./control.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 60, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 90, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# ...but a task whose worker died this often is poison: given up (rastrack/core/task_guard.py).
TASK_MAX_DELIVERIES = env_int("TASK_MAX_DELIVERIES", 3, minimum=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
BEAT_HEARTBEAT_SECONDS = env_int("BEAT_HEARTBEAT_SECONDS", 30, minimum=1)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Workers scaled by queue (README "Scaling"): with CELERY_ROUTE_BY_QUEUE on, e-mail and xAPI
# delivery go to "mail", summary and dashboard rebuilds to "reports", the scheduled sweeps to
# "sweeps", everything else to the default queue; run workers with `-Q` per queue. Off (the
# default), every task goes to the default queue and one kind of worker serves them all.
CELERY_ROUTE_BY_QUEUE = env_bool("CELERY_ROUTE_BY_QUEUE", False)
CELERY_QUEUE_OF_TASK = {
    "rastrack.notifications.send_email": "mail",
    "rastrack.notifications.send_xapi": "mail",
    "labs.refresh_dashboards": "reports",
    "dashboards.rebuild_summaries": "reports",
    "curriculum.refresh_progress_summaries": "reports",
    "rastrack.notifications.relay_outbox": "sweeps",
    "rastrack.notifications.relay_xapi": "sweeps",
    "accreditation.lapse_expired": "sweeps",
    "accreditation.sync_supervision_rights": "sweeps",
    "accreditation.expiry_notices": "sweeps",
    "accreditation.unvalidated_cases_digest": "sweeps",
    "accreditation.enrolment_target_warnings": "sweeps",
    "accreditation.signoff_reminders": "sweeps",
    "accreditation.video_review_reminders": "sweeps",
    "labs.send_session_reminders": "sweeps",
}
CELERY_TASK_ROUTES = ({name: {"queue": queue} for name, queue in CELERY_QUEUE_OF_TASK.items()}
                      if CELERY_ROUTE_BY_QUEUE else {})
NOTIFICATION_SWEEP_SECONDS = env_int("NOTIFICATION_SWEEP_SECONDS", 60, minimum=1)
NOTIFICATION_EMAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_EMAIL_MAX_ATTEMPTS", 5, minimum=1)
NOTIFICATION_EMAIL_BACKOFF_SECONDS = env_int("NOTIFICATION_EMAIL_BACKOFF_SECONDS", 60, minimum=1)
NOTIFICATION_EMAIL_CLAIM_TIMEOUT = env_int("NOTIFICATION_EMAIL_CLAIM_TIMEOUT", 900, minimum=60)
# Workflows (each context's workflows.py, run by its app's tasks.py). Sweeps pick up whatever is
# due and not yet sent, so they run often and catch up after beat was down.
WORKFLOW_SWEEP_SECONDS = env_int("WORKFLOW_SWEEP_SECONDS", 3600, minimum=60)
PRIVILEGE_CURRENCY_SECONDS = env_int("PRIVILEGE_CURRENCY_SECONDS", 86400, minimum=60)
ACCREDITATION_EXPIRY_NOTICE_DAYS = env_int_list("ACCREDITATION_EXPIRY_NOTICE_DAYS", [90, 30, 7])
# Accredited centres and courses (labs/centres/): notices before an accreditation expires, the
# days before an annual return is due that its reminder goes, and the fewest feedback answers
# before their aggregate is shown.
CENTRE_ACCREDITATION_NOTICE_DAYS = env_int_list("CENTRE_ACCREDITATION_NOTICE_DAYS", [180, 60])
ANNUAL_RETURN_NOTICE_DAYS = env_int("ANNUAL_RETURN_NOTICE_DAYS", 30, minimum=1)
FEEDBACK_MIN_RESPONSES = env_int("FEEDBACK_MIN_RESPONSES", 5, minimum=2)
CASE_DIGEST_AFTER_DAYS = env_int("CASE_DIGEST_AFTER_DAYS", 14, minimum=1)
ENROLMENT_TARGET_WARNING_DAYS = env_int("ENROLMENT_TARGET_WARNING_DAYS", 60, minimum=1)
SIGNOFF_REMIND_BEFORE_DAYS = env_int("SIGNOFF_REMIND_BEFORE_DAYS", 3, minimum=0)
SIGNOFF_ESCALATE_AFTER_DAYS = env_int("SIGNOFF_ESCALATE_AFTER_DAYS", 7, minimum=0)
DECISION_LINK_VALID_DAYS = env_int("DECISION_LINK_VALID_DAYS", 7, minimum=1)
# Progress summaries for the dashboards (curriculum/progress_summary.py): how often the task
# recomputes stale ones, how many per run, and the age after which any is recomputed.
PROGRESS_SUMMARY_SECONDS = env_int("PROGRESS_SUMMARY_SECONDS", 60, minimum=5)
PROGRESS_SUMMARY_BATCH = env_int("PROGRESS_SUMMARY_BATCH", 500, minimum=1)
PROGRESS_SUMMARY_MAX_AGE_SECONDS = env_int("PROGRESS_SUMMARY_MAX_AGE_SECONDS", 86400, minimum=60)
# Dashboard snapshots (dashboards/snapshots.py): how often beat recomputes the default
# dashboards, and how old a snapshot may be before a request computes the figures itself.
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 300, minimum=10)
DASHBOARD_SNAPSHOT_MAX_AGE_SECONDS = env_int("DASHBOARD_SNAPSHOT_MAX_AGE_SECONDS", 900, minimum=10)
# The whole schedule is defined in code: a fresh deployment needs no manual set-up.
CELERY_BEAT_SCHEDULE = {
    "beat-heartbeat": {"task": "rastrack.core.beat_heartbeat", "schedule": BEAT_HEARTBEAT_SECONDS},
    "notifications-relay-outbox": {
        "task": "rastrack.notifications.relay_outbox",
        "schedule": NOTIFICATION_SWEEP_SECONDS,
    },
    # Robotic privileges' currency: warnings 30 and 7 days ahead (each once), lapses (daily).
    "privilege-currency": {"task": "accreditation.privilege_currency", "schedule": PRIVILEGE_CURRENCY_SECONDS},
    "accreditation-lapse-expired": {"task": "accreditation.lapse_expired",
                                    "schedule": WORKFLOW_SWEEP_SECONDS},
    "accreditation-sync-supervision-rights": {"task": "accreditation.sync_supervision_rights",
                                              "schedule": WORKFLOW_SWEEP_SECONDS},
    "accreditation-expiry-notices": {"task": "accreditation.expiry_notices",
                                     "schedule": WORKFLOW_SWEEP_SECONDS},
    "logbook-unvalidated-cases-digest": {"task": "accreditation.unvalidated_cases_digest",
                                         "schedule": WORKFLOW_SWEEP_SECONDS},
    "enrolment-target-warnings": {"task": "accreditation.enrolment_target_warnings",
                                  "schedule": WORKFLOW_SWEEP_SECONDS},
    "signoff-reminders": {"task": "accreditation.signoff_reminders", "schedule": WORKFLOW_SWEEP_SECONDS},
    "video-review-reminders": {"task": "accreditation.video_review_reminders",
                               "schedule": WORKFLOW_SWEEP_SECONDS},
    "curriculum-refresh-progress-summaries": {"task": "curriculum.refresh_progress_summaries",
                                              "schedule": PROGRESS_SUMMARY_SECONDS},
    # Hourly, for sessions starting within the next 24 hours (labs/services.py).
    "labs-session-reminders": {"task": "labs.send_session_reminders", "schedule": 3600},
    "labs-centre-reminders": {"task": "labs.centre_reminders", "schedule": WORKFLOW_SWEEP_SECONDS},
    "labs-refresh-dashboards": {"task": "labs.refresh_dashboards", "schedule": DASHBOARD_REFRESH_SECONDS},
    # Nightly, when nobody logs cases: the summary tables recomputed, their drift reported.
    "dashboards-rebuild-summaries": {"task": "dashboards.rebuild_summaries",
                                     "schedule": crontab(hour=2, minute=30)},
    "xapi-relay-outbox": {"task": "rastrack.notifications.relay_xapi", "schedule": XAPI_SWEEP_SECONDS},
}

# --- Logging ------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
