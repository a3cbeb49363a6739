"""Groundwork settings: every knob comes from the environment (see .env.example).

With nothing set, Groundwork starts embedded, for a user on this machine: DEBUG off, served
over plain http to localhost only, SQLite and media under var/, a generated SECRET_KEY kept in
var/, and Celery on kombu's filesystem transport with a real worker. DEBUG=1 is for
developers (Django's debug pages). Naming the hosts in ALLOWED_HOSTS serves the site to
others: then SECRET_KEY is required and the HTTPS hardening is on unless HTTPS=0. Production
sets SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, REDIS_URL and STORAGE_*.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in env(name, default).split(",") if part.strip()]


VAR_DIR = Path(env("VAR_DIR", str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# Off unless asked for: an unknown URL gets the app's own 404 page, never Django's debug page.
DEBUG = env_bool("DEBUG", False)
# Where the site answers. Unset: this machine only (the embedded start, over plain http).
# Named hosts mean the site is served to others: a generated key will not do, and HTTPS is
# assumed (directly or behind a proxy that sets X-Forwarded-Proto) unless HTTPS=0.
SERVED_TO_OTHERS = bool(env_list("ALLOWED_HOSTS"))
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
HTTPS = env_bool("HTTPS", SERVED_TO_OTHERS and not DEBUG)


def _secret_key() -> str:
    key = env("SECRET_KEY")
    if key:
        return key
    if SERVED_TO_OTHERS and not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when ALLOWED_HOSTS serves the site to other hosts. "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    # The embedded start: every process (web, worker, beat) shares var/ and so this key.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "core",
    "accounts",
    "datasets",
    "exports",
    "evaluation",
    "vendors",
    "guides",
    "labeling",
    "review",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "core.middleware.RequestBodyLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.navigation.navigation",
                "config.catalog.javascript_catalog_context",
            ],
        },
    },
]

# Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in tests and
# production).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'groundwork.sqlite3'}",
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Languages: the user's own setting first, then the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ko", _("Korean"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "UTC")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/katex", BASE_DIR / "node_modules" / "katex" / "dist"),
]
# DEBUG serves the source folders as they change; otherwise whitenoise serves what
# collectstatic wrote to STATIC_ROOT (make run collects it first), hashed and compressed.
WHITENOISE_USE_FINDERS = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Storage: local files under var/media, or S3-compatible storage through django-storages.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGE_BACKEND = env("STORAGE_BACKEND", "local")
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "core.storage.TypedS3Storage",
        "OPTIONS": {
            "bucket_name": env("STORAGE_BUCKET"),
            "endpoint_url": env("STORAGE_ENDPOINT_URL") or None,
            "access_key": env("STORAGE_ACCESS_KEY") or None,
            "secret_key": env("STORAGE_SECRET_KEY") or None,
            "region_name": env("STORAGE_REGION") or None,
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": int(env("STORAGE_URL_EXPIRE", "300")),
        },
    }
    if not 0 < _default_storage["OPTIONS"]["querystring_expire"] <= 900:
        raise ImproperlyConfigured(
            "STORAGE_URL_EXPIRE is the seconds a signed URL lives: keep it short, 1 to 900."
        )
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("STORAGE_BACKEND=s3 needs STORAGE_BUCKET.")
elif STORAGE_BACKEND == "local":
    _default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
else:
    raise ImproperlyConfigured(f"STORAGE_BACKEND must be 'local' or 's3', not {STORAGE_BACKEND!r}.")
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "core.static_storage.MinifiedStaticFilesStorage"
        )
    },
}

# Uploads: what one image or one archive may be. Django spools uploads over 2.5 MB to disk.
ITEM_MAX_BYTES = int(env("ITEM_MAX_BYTES", str(64 * 1024 * 1024)))
ITEM_MAX_PIXELS = int(env("ITEM_MAX_PIXELS", str(64_000_000)))
UPLOAD_MAX_ARCHIVE_BYTES = int(env("UPLOAD_MAX_ARCHIVE_BYTES", str(20 * 1024**3)))
UPLOAD_MAX_ENTRIES = int(env("UPLOAD_MAX_ENTRIES", "50000"))
# The most bytes an archive's entries may declare in all (its central directory says so).
UPLOAD_MAX_DECLARED_BYTES = int(env("UPLOAD_MAX_DECLARED_BYTES", str(40 * 1024**3)))
# The largest request body other than uploaded files (JSON, forms); larger is a 413.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(env("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = int(env("DATA_UPLOAD_MAX_NUMBER_FILES", "1000"))
# Exports are cut into chunks of this many items, built by workers in parallel, then joined.
EXPORT_CHUNK_ITEMS = int(env("EXPORT_CHUNK_ITEMS", "5000"))

# Redis: Celery broker, result backend and cache when REDIS_URL is set.
REDIS_URL = env("REDIS_URL")
CELERY_BROKER_DIR = VAR_DIR / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A task a killed worker had taken goes back to the queue after this many seconds; it
    # must exceed the longest task (export chunks take minutes, not hours).
    _visibility = int(env("CELERY_VISIBILITY_TIMEOUT", "3600"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": _visibility,
        # look for such tasks about as often as they can expire
        "unacked_restore_interval": max(1, min(10, _visibility // 2)),
        "unacked_restore_throttle": 1 if _visibility < 60 else 10,
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    # The embedded broker: kombu's filesystem transport, polled every 0.1 s (see NOTES.md).
    for _folder in ("queue", "control"):
        (CELERY_BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
    # A host of its own, or kombu warns "No hostname was supplied" on every connection.
    CELERY_BROKER_URL = "filesystem://localhost//"
    # kombu's filesystem transport, with messages written whole (core/broker.py).
    CELERY_BROKER_TRANSPORT = "core.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = "django-db"
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = int(env("CELERY_TASK_TIME_LIMIT", "3600"))
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_EXTENDED = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Jobs that recover (core/tasks.py): a working step writes its row's heartbeat every
# JOB_HEARTBEAT_SECONDS; the sweep (Celery beat, every JOB_SWEEP_SECONDS) queues again a step
# whose heartbeat is older than JOB_STALE_SECONDS (its worker died, or its message was lost)
# and gives up, failed, on one that JOB_MAX_ATTEMPTS workers started and left.
JOB_HEARTBEAT_SECONDS = float(env("JOB_HEARTBEAT_SECONDS", "5"))
JOB_STALE_SECONDS = float(env("JOB_STALE_SECONDS", "30"))
JOB_SWEEP_SECONDS = float(env("JOB_SWEEP_SECONDS", "10"))
JOB_MAX_ATTEMPTS = int(env("JOB_MAX_ATTEMPTS", "3"))
if JOB_STALE_SECONDS < 3 * JOB_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "JOB_STALE_SECONDS must be at least three JOB_HEARTBEAT_SECONDS, so a live worker "
        "is never taken for a dead one."
    )

# How many days a vendor's sign-up link stays good before it expires.
VENDOR_INVITE_DAYS = int(env("VENDOR_INVITE_DAYS", "7"))

# The deepest nesting a JSON body may have (an annotation needs 5).
API_JSON_MAX_DEPTH = int(env("API_JSON_MAX_DEPTH", "64"))

# An annotation's limits: regions in one annotation, characters in one attribute's text
# (LaTeX included), levels of parents; a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413.
ANNOTATION_MAX_REGIONS = int(env("ANNOTATION_MAX_REGIONS", "2000"))
ANNOTATION_MAX_TEXT = int(env("ANNOTATION_MAX_TEXT", "2000"))
ANNOTATION_MAX_DEPTH = int(env("ANNOTATION_MAX_DEPTH", "8"))

# The task hand-out: how long a lease lasts without a heartbeat, the longest gap between
# two heartbeats counted as active time, how often the sweep reopens expired leases.
TASK_LEASE_SECONDS = int(env("TASK_LEASE_SECONDS", "1800"))
TASK_ACTIVE_GAP_SECONDS = int(env("TASK_ACTIVE_GAP_SECONDS", "60"))
LEASE_SWEEP_SECONDS = float(env("LEASE_SWEEP_SECONDS", "30"))
# Annotations delivered as a file by a vendor's own tool (JSON lines, one task a line): the
# largest file (larger is a 413 naming the limit) and the longest line (longer is refused
# as that line, the rest of the file goes on).
DELIVERY_MAX_BYTES = int(env("DELIVERY_MAX_BYTES", str(50 * 1024 * 1024)))
DELIVERY_MAX_LINE_BYTES = int(env("DELIVERY_MAX_LINE_BYTES", str(1024 * 1024)))
# How often beat folds labeling's coverage deltas into the counters: the coverage pages lag
# labeling by at most this plus the worker's queue (they say "as of").
COVERAGE_APPLY_SECONDS = float(env("COVERAGE_APPLY_SECONDS", "5"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.StrictJsonParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.errors.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "core.schema.GroundworkAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Groundwork API",
    # What the API does today, in Markdown, shown at the top of /api/docs/.
    "DESCRIPTION": (BASE_DIR / "config" / "openapi.md").read_text(),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ItemStatusEnum": "datasets.models.Item.Status",
        "UploadStatusEnum": "datasets.models.Upload.Status",
        "JobStatusEnum": "datasets.models.items.JobStatus",
        "AttributeKindEnum": "datasets.models.AttributeDef.Kind",
        "UploadKindEnum": "datasets.models.Upload.Kind",
        "ContractKindEnum": "vendors.models.Contract.Kind",
        "ContractUnitEnum": "vendors.models.Contract.Unit",
        "DeliveryLineOutcomeEnum": "labeling.models.DeliveryLine.Outcome",
        "UploadEntryOutcomeEnum": "datasets.models.UploadEntry.Outcome",
    },
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# HTTPS hardening: on by default when the site is served over https (HTTPS, above), each
# one switchable. The embedded start over plain http://127.0.0.1 keeps them off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", HTTPS)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = ["security.W021"] if not SECURE_HSTS_PRELOAD else []

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"client_error": {"()": "core.logs.ClientErrorWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["client_error"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # mathtext notes "Substituting symbol … from STIXGeneral" at INFO for every glyph the
        # synthetic photos take from a fallback font: hundreds of lines per seed_demo.
        "matplotlib": {"level": "WARNING"},
    },
}
