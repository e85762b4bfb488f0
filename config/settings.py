"""Levee settings, read from the environment (django-environ).

The embedded default (no DATABASE_URL, no REDIS_URL) is a SQLite file and Celery running
tasks eagerly in-process: enough for `make run` and a smoke test. Production sets
DATABASE_URL (PostgreSQL), REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and DEBUG=false.
"""

import secrets
from datetime import timedelta
from pathlib import Path

import environ
import structlog

from config import logs

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# The key signs every JWT: with DEBUG off there is no fallback, since any key written here
# would be public. A short key fails Django's deploy check (security.W009) for the same reason.
SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or "change-me" in SECRET_KEY:
    if not DEBUG:
        raise environ.ImproperlyConfigured(
            "SECRET_KEY must be set to a random string of at least 50 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))') when DEBUG is off"
        )
    SECRET_KEY = SECRET_KEY or secrets.token_urlsafe(50)  # DEBUG: a fresh key per process
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_celery_beat",
    "simple_history",
    "core",
    "traceability",
    "notices",
    "recalls",
    "sampling",
    "injury",
    "risk",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The admin's and the API docs' static files, from STATIC_ROOT (collectstatic).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "core.idempotency.IdempotencyMiddleware",
]

# The benchmarks mount their framework floor beside the API (bench/floor.py).
ROOT_URLCONF = env.str("LEVEE_ROOT_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

SQLITE_PATH = env.str("LEVEE_SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3"))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{SQLITE_PATH}")}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Django turns psycopg's prepared statements off (for transaction-pooling PgBouncer); the
# ORM's client-side cursors never prepare anyway, so this only lets the hot raw statements
# of core.db.fetchall_prepared (the trace, the JWT user) keep their plan per connection.
# Behind a transaction pooler without prepared-statement support, DB_PREPARED_STATEMENTS=false.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DB_PREPARED_STATEMENTS", default=True
):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The trace's covering indexes (INCLUDE) are PostgreSQL's; SQLite builds them without
    # the extra columns, which is all the embedded default needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": f"django.contrib.auth.password_validation.{name}"}
    for name in (
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    )
]
# Login lockout (core.auth): failures per username and per address within the window.
LEVEE_LOGIN = {
    "per_username": env.int("LOGIN_FAILURES_PER_USERNAME", default=10),
    "per_address": env.int("LOGIN_FAILURES_PER_ADDRESS", default=50),
    "window_seconds": env.int("LOGIN_LOCKOUT_MINUTES", default=15) * 60,
}

# One language per response (DESIGN.md §4): Chinese unless the client asks for English
# (LocaleMiddleware reads Accept-Language). The project's own messages are translated in
# locale/ (the compiled .mo is committed, so nothing runs gettext at install time).
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
# The admin shows every time with its offset (config/formats).
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))

# --- Cache: Redis when configured (shared across processes), falling back to a database
# table while Redis is unreachable (core.cache); else local memory.
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FallbackCache",
            "OPTIONS": {"PRIMARY": "redis", "FALLBACK": "database"},
        },
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "levee_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        },
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: Redis broker when configured, otherwise tasks run eagerly in-process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# Notices ordered by a disposition or a recall are issued by a worker after the deciding
# transaction commits; where tasks run eagerly, at once in that transaction instead.
LEVEE_NOTICES_INLINE = env.bool("LEVEE_NOTICES_INLINE", default=CELERY_TASK_ALWAYS_EAGER)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 600
CELERY_TASK_SOFT_TIME_LIMIT = 540
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 2}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Each entry runs one job of core.jobs through core.tasks.run_job; editable in the admin.
CELERY_BEAT_SCHEDULE = {
    name: {"task": "core.run_job", "schedule": timedelta(seconds=seconds), "args": [name]}
    for name, seconds in env.json(
        "LEVEE_JOB_SCHEDULE",
        default={
            "deliver_pending_alerts": 60,
            "sweep_deadlines": 900,
            "detect_injury_signals": 3600,
            "detect_nonconformance_clusters": 3600,
            "detect_complaint_clusters": 3600,
            "check_recall_progress": 3600,
            "purge_idempotency_keys": 3600,
            "purge_login_failures": 3600,
        },
    ).items()
}

# --- REST framework and its companions.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.auth.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "core.api.filters.OrderingFilter",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.LeveeAutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "anon": "120/min",
        # Filing a complaint without an account, per address (DESIGN.md §4, §7).
        "public_complaints": env.str("LEVEE_COMPLAINT_RATE", default="10/hour"),
    },
    "DATETIME_FORMAT": "iso-8601",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append(
        "rest_framework.renderers.BrowsableAPIRenderer"
    )

DRF_STANDARDIZED_ERRORS = {
    "EXCEPTION_HANDLER_CLASS": "core.api.errors.LeveeExceptionHandler",
    "EXCEPTION_FORMATTER_CLASS": "core.api.errors.LeveeExceptionFormatter",
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "ALLOWED_ERROR_STATUS_CODES": [
        "400",
        "401",
        "403",
        "404",
        "405",
        "406",
        "409",
        "413",
        "415",
        "422",
        "429",
        "500",
        "503",
    ],
    "ERROR_SCHEMAS": {
        "409": "core.api.schema.ConflictResponseSerializer",
        "413": "core.api.schema.ErrorResponseSerializer",
        "422": "core.api.schema.ErrorResponseSerializer",
        "503": "core.api.schema.ErrorResponseSerializer",
    },
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=1)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "TOKEN_OBTAIN_SERIALIZER": "core.auth.TokenObtainPairSerializer",
    "TOKEN_REFRESH_SERIALIZER": "core.auth.TokenRefreshSerializer",
}
# Refreshing (which rotates the refresh token) cannot stretch a login past this.
LEVEE_SESSION_MAX_SECONDS = env.int("JWT_SESSION_MAX_HOURS", default=24) * 3600

_ERRORS = "drf_standardized_errors.openapi_serializers."
SPECTACULAR_SETTINGS = {
    "TITLE": "Levee API",
    "DESCRIPTION": "Product-quality safety supervision and traceability (质量安全监管筑堤工程).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "DEFAULT_GENERATOR_CLASS": "core.api.schema.LeveeSchemaGenerator",
    # drf-standardized-errors' documented settings for its error components.
    "ENUM_NAME_OVERRIDES": {
        # Levee's own choice sets used by more than one field (one line per set).
        "AlertKindEnum": "core.choices.AlertKind",
        "ErrorResponseTypeEnum": "core.api.schema.ERROR_TYPES",
        "RecallStateEnum": "recalls.choices.RecallState",
        "RecallKindEnum": "recalls.choices.RecallKind",
        "SampleStateEnum": "sampling.choices.SampleState",
        "TaskStateEnum": "sampling.choices.TaskState",
        "SampleConclusionEnum": "sampling.choices.Conclusion",
        "DispositionMeasureEnum": "sampling.choices.Measure",
        "DeliveryStatusEnum": "core.choices.DeliveryStatus",
        "NoticeStateEnum": "notices.choices.NoticeState",
        "NoticeMeasureEnum": "notices.choices.NoticeMeasure",
        "RiskMeasureEnum": "risk.choices.Measure",
        "RiskAssessmentStateEnum": "risk.choices.AssessmentState",
        "SiteKindEnum": "core.choices.SiteKind",
        "EventKindEnum": "traceability.choices.EventKind",
        "AccidentStateEnum": "injury.choices.AccidentState",
        "AccidentMeasureEnum": "injury.choices.Measure",
        "DeadlineUnitEnum": "injury.choices.DeadlineUnit",
        "InjurySeverityEnum": "injury.choices.Severity",
        "ValidationErrorEnum": _ERRORS + "ValidationErrorEnum.choices",
        "ClientErrorEnum": _ERRORS + "ClientErrorEnum.choices",
        "ServerErrorEnum": _ERRORS + "ServerErrorEnum.choices",
        "ErrorCode401Enum": _ERRORS + "ErrorCode401Enum.choices",
        "ErrorCode403Enum": _ERRORS + "ErrorCode403Enum.choices",
        "ErrorCode404Enum": _ERRORS + "ErrorCode404Enum.choices",
        "ErrorCode405Enum": _ERRORS + "ErrorCode405Enum.choices",
        "ErrorCode406Enum": _ERRORS + "ErrorCode406Enum.choices",
        "ErrorCode415Enum": _ERRORS + "ErrorCode415Enum.choices",
        "ErrorCode429Enum": _ERRORS + "ErrorCode429Enum.choices",
        "ErrorCode500Enum": _ERRORS + "ErrorCode500Enum.choices",
    },
    "POSTPROCESSING_HOOKS": ["drf_standardized_errors.openapi_hooks.postprocess_schema_enums"],
}

# --- Production hardening: on unless DEBUG; each can be turned off from the environment
# when a proxy terminates TLS differently.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG and SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG and SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=32 * 1024 * 1024)

# --- Logs: structlog, one JSON line per event, request id carried into Celery tasks. Every
# line has its time in TIME_ZONE with the offset (+08:00), as the API's timestamps, and the
# standard library's records (Django, Celery) get the same time, level and logger fields.
DJANGO_STRUCTLOG_CELERY_ENABLED = True
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
_LOG_FIELDS = [
    logs.local_timestamper(TIME_ZONE),
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_per_request": {
            "()": "django.utils.log.CallbackFilter",
            "callback": logs.drop_request_started,
        },
        "no_hash_generator_chatter": {
            "()": "django.utils.log.CallbackFilter",
            "callback": logs.drop_hash_generator_chatter,
        },
    },
    "formatters": {
        "json": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.processors.JSONRenderer(ensure_ascii=False),
            "foreign_pre_chain": _LOG_FIELDS,
        },
        "console": {
            "()": structlog.stdlib.ProcessorFormatter,
            "processor": structlog.dev.ConsoleRenderer(colors=False),
            "foreign_pre_chain": _LOG_FIELDS,
        },
    },
    "handlers": {
        "default": {
            "class": "logging.StreamHandler",
            "formatter": env.str("LOG_FORMAT", default="json"),
            "filters": ["one_line_per_request"],
        },
    },
    "loggers": {
        "": {
            "handlers": ["default"],
            "level": LOG_LEVEL,
            "filters": ["no_hash_generator_chatter"],
        },
        "django_structlog": {"level": env.str("REQUEST_LOG_LEVEL", default=LOG_LEVEL)},
        # django-structlog's request_finished says it already: runserver's own request
        # line and django.request's "Unauthorized: ..." only for server errors.
        "django.server": {"level": "ERROR"},
        "django.request": {"level": "ERROR"},
        "django.utils.autoreload": {"level": "WARNING"},
    },
}
structlog.configure(
    processors=[
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.filter_by_level,
        *_LOG_FIELDS,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
    ],
    logger_factory=structlog.stdlib.LoggerFactory(),
    cache_logger_on_first_use=True,
)

# --- Levee's rules (DESIGN.md §8). Defaults; the governing rules change them, so they
# live in settings and a deployment overrides them with LEVEE_RULES_JSON (deep-merged).
LEVEE_RULES = {
    # How far ahead of the server a field device's clock may run (times it sends).
    "clock_skew_seconds": 300,
    "sampling": {
        # stage -> (amount, unit); unit "working_days", "days" or "hours"
        "deadlines": {
            "receive": (5, "working_days"),
            "report": (20, "working_days"),
            "notify": (5, "working_days"),
            "objection_window": (15, "days"),
            "reinspection": (10, "working_days"),
            "dispose": (10, "working_days"),
            "rectification": (60, "days"),
            "follow_up": (75, "days"),
        },
        "rapid_deadlines": {
            "test": (24, "hours"),
            "notify": (24, "hours"),
            "dispose": (24, "hours"),
        },
        "repeat_window_months": 6,
        "min_inspectors": 2,
        "second_follow_up_days": (60, 90),
    },
    "recalls": {
        "plan_due": (10, "working_days"),
        "plan_due_vehicle": (5, "working_days"),
        "announce_due": (3, "working_days"),
        "announce_due_vehicle": (5, "working_days"),
        "progress_every_months": 3,
        "summary_due": (15, "working_days"),
        "objection_window": (15, "working_days"),
        "vehicle_categories": ["motor_vehicle"],
    },
    "accidents": {
        "key_categories": [
            "motor_vehicle",
            "electric_bicycle",
            "electrical_appliance",
            "children_product",
        ],
        # category -> deadline; "default" applies to any other key category
        "deadlines": {
            "default": (2, "working_days"),
            "motor_vehicle": (12, "hours"),
            "motor_vehicle_casualty": (6, "hours"),
            "motor_vehicle_full": (48, "hours"),
        },
    },
    "injury_estimates": {"min_cases": 20, "min_estimate": 1200, "max_cv": 0.33, "z": 1.96},
    "risk_matrix_version": "eu-2019-417",
    "risk": {
        # A "monitor" decision is reviewed this many days later unless a date is given.
        "monitor_review_days": 90,
        # Signal detection (risk/jobs.py): EARS C1-C3 over daily counts, a weekly
        # threshold, and the proportional reporting ratio within the province.
        "signals": {
            "baseline_days": 7,
            "c2_lag_days": 2,
            "sigma_floor": 0.5,
            "ears_threshold": 3.0,
            "c3_threshold": 2.0,
            "min_count": 5,
            "baseline_weeks": 4,
            "weekly_min_count": 10,
            "prr_window_days": 28,
            "prr_min_a": 3,
            "prr_min": 2.0,
            "chi2_min": 4.0,
        },
        # Non-conforming samples of one category or producer across regions.
        "clusters": {"window_days": 90, "min_regions": 3, "min_samples": 5},
        # Complaint clusters use the EARS parameters of "signals", overridden by these;
        # a complaint by the same contact about the same product within duplicate_days
        # is a repeat.
        "complaints": {"min_count": 5, "duplicate_days": 30},
        # Task suggestions: counting windows (days) and the weight of one item of each
        # kind in the score.
        "suggestions": {
            "complaint_days": 90,
            "injury_days": 90,
            "nonconformance_days": 730,
            "weights": {"complaints": 1.0, "injury_reports": 3.0, "nonconforming_samples": 5.0},
        },
    },
    "alerts": {
        # Webhook delivery: attempts before a delivery is dead, exponential backoff
        # (base * 2^(n-1), capped), HTTP timeouts, and the lease a sender holds on a claim.
        "delivery": {
            "max_attempts": 8,
            "backoff_seconds": 30,
            "backoff_max_seconds": 3600,
            "connect_timeout_seconds": 2,
            "timeout_seconds": 5,
            "lease_seconds": 60,
            # Deliveries handed to one Celery task (sent in parallel by its worker).
            "batch_size": 50,
        },
    },
    # Notices to holders (DESIGN.md §8): acknowledged within 24 hours for a recall or a
    # serious risk, 72 hours otherwise.
    "notices": {
        "due": {"urgent": (24, "hours"), "default": (72, "hours")},
    },
}
# Where Levee is reached from outside: the links in notices (acknowledge URLs).
LEVEE_BASE_URL = env("LEVEE_BASE_URL", default="http://localhost:8000").rstrip("/")
LEVEE_RULES_OVERRIDE = env.json("LEVEE_RULES_JSON", default={})
# The key of the hash that keeps a complainant's contact (risk.services.contact_hash);
# changing it makes earlier complaints unmatched for de-duplication, nothing else.
LEVEE_CONTACT_HASH_KEY = env.str("LEVEE_CONTACT_HASH_KEY", default="") or f"contact:{SECRET_KEY}"
