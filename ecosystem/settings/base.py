"""Settings read from the environment (django-environ).

With no environment at all the project runs on a SQLite file under ``var/`` and
executes Celery tasks in-process; ``DATABASE_URL`` and ``CELERY_BROKER_URL`` switch
to PostgreSQL and a Redis-backed worker.
"""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# A development-only key: production.py refuses to start without SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    # Project apps
    "ecosystem",
    "users",
    "partners",
    "accounts",
    "opportunities",
    "jobs",
    "insights",
    "commissions",
    "payments",
    "audit",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "users.middleware.SessionTimeoutMiddleware",
    "users.middleware.UserLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns lockouts into responses.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ecosystem.urls"
WSGI_APPLICATION = "ecosystem.wsgi.application"
ASGI_APPLICATION = "ecosystem.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "ecosystem" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'ecosystem.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# On PostgreSQL a connection per request costs a server process start, cold catalog caches and a
# SET TIME ZONE: keep connections for a minute (checked before reuse, so a restarted server is fine).
_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60 if _POSTGRES else 0))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while a job writes; the timeout waits out short locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "users.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# A session also ends after this many seconds without a request (users.middleware).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=60 * 60)
# Days an invitation link to a new partner user stays valid.
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
# Hours a password reset link stays valid.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT_HOURS", default=24) * 3600
# Password reset requests a client address, and an e-mail address, may make per window (0: no limit);
# beyond, the same neutral page and no e-mail (users/auth_views.py). Counted in CACHES["default"].
PASSWORD_RESET_LIMIT_PER_ADDRESS = env.int("PASSWORD_RESET_LIMIT_PER_ADDRESS", default=10)
PASSWORD_RESET_LIMIT_PER_EMAIL = env.int("PASSWORD_RESET_LIMIT_PER_EMAIL", default=3)
PASSWORD_RESET_LIMIT_WINDOW_MINUTES = env.int("PASSWORD_RESET_LIMIT_WINDOW_MINUTES", default=60)

# django-axes: lock an account+address out after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# 429 with a translated page (web) or {"detail": …} (API), see users/lockout.py.
AXES_LOCKOUT_CALLABLE = "users.lockout.lockout_response"
# Reverse proxies in front of the app (each appends to X-Forwarded-For). 0: the header is ignored and
# the client is REMOTE_ADDR. The lockout, the audit trail and the password-reset limit read the client
# address through ecosystem/client_ip.py. (axes' own AXES_IPWARE_* settings need django-ipware, which
# is not installed; AXES_CLIENT_IP_CALLABLE takes precedence over it anyway.)
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "ecosystem.client_ip.client_ip"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "ecosystem" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
# Uploads (CSV files for import jobs) are private: no URL serves MEDIA_ROOT (ecosystem/urls.py).
MEDIA_URL = "media/"
# Uploaded CSV files may be large; the importers stream them from disk.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ecosystem@localhost")
if env.str("EMAIL_URL", default=""):
    # smtp://user:password@host:587 (or smtp+tls://...) — django-environ parses it into EMAIL_* settings.
    vars().update(env.email_url("EMAIL_URL"))

REST_FRAMEWORK = {
    "EXCEPTION_HANDLER": "ecosystem.api.errors.exception_handler",
    # Token first: an anonymous API call then answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["ecosystem.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "ecosystem.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Ecosystem API",
    "DESCRIPTION": "Partner ecosystem CRM and commission tracker.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Some read-only fields are left out for some roles (e.g. conflict flags for partner users).
    "COMPONENT_NO_READ_ONLY_REQUIRED": True,
    "ENUM_NAME_OVERRIDES": {
        "RegionEnum": "ecosystem.choices.Region",
        "SectorEnum": "ecosystem.choices.Sector",
        "ProductLineEnum": "ecosystem.choices.ProductLine",
        "PartnerTierEnum": "partners.models.PartnerTier",
        "PartnerKindEnum": "partners.models.PartnerKind",
        "UserRoleEnum": "ecosystem.roles.Role",
        "PartnerUserRoleEnum": "users.forms.PARTNER_ROLE_CHOICES",
        "AssignmentRoleEnum": "accounts.models.AssignmentRole",
        "PaymentFileStatusEnum": "payments.models.PaymentFileStatus",
        "SettlementRunStatusEnum": "commissions.models.RunStatus",
    },
}

# Content Security Policy (django-csp 4): nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        "script-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# --- Celery -------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
if CELERY_BROKER_URL is None:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="cache+memory://")
else:
    CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Installed into the database by django-celery-beat at beat start-up; editable in the admin.
CELERY_BEAT_SCHEDULE = {
    "expire-registrations-nightly": {
        "task": "opportunities.expire_registrations",
        "schedule": crontab(hour=2, minute=15),
    },
    "insights-snapshot-nightly": {
        "task": "insights.snapshot_nightly",
        "schedule": crontab(hour=3, minute=30),
    },
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ecosystem",
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# --- Product settings -----------------------------------------------------------
# Days an approved deal registration protects the partner.
REGISTRATION_PROTECTION_DAYS = env.int("REGISTRATION_PROTECTION_DAYS", default=90)
# Days a pending registration may wait for the channel team's decision before it expires.
REGISTRATION_REVIEW_DAYS = env.int("REGISTRATION_REVIEW_DAYS", default=30)
# Days a partner's claimed win may wait for a booking or the channel team before it is listed as overdue.
CLAIM_CONFIRMATION_DAYS = env.int("CLAIM_CONFIRMATION_DAYS", default=90)
# A settlement run whose workers have not reported for this long may be taken over by a new attempt.
SETTLEMENT_STALE_SECONDS = env.int("SETTLEMENT_STALE_SECONDS", default=15 * 60)
#: Won deals per chunk of a settlement: chunks run in parallel on the workers.
SETTLEMENT_CHUNK_DEALS = env.int("SETTLEMENT_CHUNK_DEALS", default=25_000)
#: On PostgreSQL, compute percent and flat lines in SQL (commissions/sql_calculation.py); false:
#: every line through the pure reference module, several times slower, same result.
SETTLEMENT_SQL_ENGINE = env.bool("SETTLEMENT_SQL_ENGINE", default=True)
# Largest CSV file an import accepts.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Paying partners (payments app, SPEC §5.2) ------------------------------------
# The vendor's own identity: the customer on the self-billed invoices, the debtor of the SEPA
# payment files. The address's lines are separated by "|".
VENDOR_LEGAL_NAME = env.str("VENDOR_LEGAL_NAME", default="Vendeur Démo France SAS")
VENDOR_ADDRESS = env.str("VENDOR_ADDRESS", default="1 place de l'Exemple|75001 Paris|France")
VENDOR_SIREN = env.str("VENDOR_SIREN", default="912345675")
VENDOR_VAT_NUMBER = env.str("VENDOR_VAT_NUMBER", default="FR65912345675")
VENDOR_IBAN = env.str("VENDOR_IBAN", default="FR7630006000011234567890189")
VENDOR_BIC = env.str("VENDOR_BIC", default="AGRIFRPP")
# The VAT rate of a self-billed invoice when the partner is not exempt.
INVOICE_VAT_RATE = Decimal(env.str("INVOICE_VAT_RATE", default="0.20"))
# Invoice numbers: <prefix>-<year>-<6 digits> (AF: autofacturation).
INVOICE_NUMBER_PREFIX = env.str("INVOICE_NUMBER_PREFIX", default="AF")
