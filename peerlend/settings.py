"""Django settings, read from the environment with safe development defaults.

Production (``PEERLEND_ENV=production``) refuses to start while any secret still has
its development default.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("PEERLEND_VAR_DIR", PROJECT_DIR / "var"))

ENVIRONMENT = os.environ.get("PEERLEND_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"

_DEV_SECRET_KEY = "dev-only-insecure-secret-key-change-me"
# Fernet key (urlsafe base64 of 32 bytes) used only in development and tests.
_DEV_PII_KEY = "ZGV2LW9ubHktcGlpLWtleS0wMDAwMDAwMDAwMDAwMDA="
_DEV_GATEWAY_SECRET = "dev-only-sandbox-gateway-secret"
# Key of the blind index (HMAC) over resident ID numbers; kept apart from the Fernet keys so
# that rotating those never changes an index value (the uniqueness check stays valid).
_DEV_PII_INDEX_KEY = "dev-only-pii-blind-index-key"

SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)
# Comma-separated Fernet keys, newest first: the first encrypts, all decrypt (rotation).
PEERLEND_PII_KEYS = [
    key.strip() for key in os.environ.get("PEERLEND_PII_KEY", _DEV_PII_KEY).split(",") if key.strip()
]
PEERLEND_PII_INDEX_KEY = os.environ.get("PEERLEND_PII_INDEX_KEY", _DEV_PII_INDEX_KEY)
PEERLEND_GATEWAY_SECRET = os.environ.get("PEERLEND_GATEWAY_SECRET", _DEV_GATEWAY_SECRET)
DEBUG = os.environ.get("DEBUG", "0" if PRODUCTION else "1") == "1"

if PRODUCTION:
    _defaults = {
        "SECRET_KEY": SECRET_KEY == _DEV_SECRET_KEY,
        "PEERLEND_PII_KEY": _DEV_PII_KEY in PEERLEND_PII_KEYS,
        "PEERLEND_PII_INDEX_KEY": PEERLEND_PII_INDEX_KEY == _DEV_PII_INDEX_KEY,
        "PEERLEND_GATEWAY_SECRET": PEERLEND_GATEWAY_SECRET == _DEV_GATEWAY_SECRET,
        "DATABASE_URL": "DATABASE_URL" not in os.environ,
    }
    _missing = sorted(name for name, is_default in _defaults.items() if is_default)
    if _missing:
        raise ImproperlyConfigured(
            "PEERLEND_ENV=production refuses development defaults; set: " + ", ".join(_missing)
        )
    if DEBUG:
        raise ImproperlyConfigured("PEERLEND_ENV=production refuses DEBUG=1")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "peerlend.accounts",
    "peerlend.ledger",
    "peerlend.compliance",
    "peerlend.scoring",
    "peerlend.lending",
    "peerlend.servicing",
    "peerlend.investing",
    "peerlend.marketing",
    "peerlend.disclosure",
    "peerlend.simulation",
    "peerlend.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "peerlend.accounts.middleware.RememberLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks, so that it sees the authenticated user.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "peerlend.urls"
WSGI_APPLICATION = "peerlend.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

_default_db = f"sqlite:///{VAR_DIR / 'peerlend.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL plus a generous busy timeout: SQLite serialises writers instead of failing them.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;",
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# A clear 429: JSON under /api/, a page elsewhere.
AXES_LOCKOUT_CALLABLE = "peerlend.accounts.lockout.lockout_response"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PEERLEND_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
# Static files are served from the apps' folders by whitenoise's finders outside production.
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    # The SQLite file and uploads live here; create it so a fresh clone needs no set-up step.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = VAR_DIR / "media"
# Private uploads (income documents, ...) live outside any public URL; views serve them to staff.
PRIVATE_STORAGE_ROOT = VAR_DIR / "private"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024  # a larger JSON body is refused with 400
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"peerlend": {"handlers": ["console"], "level": os.environ.get("PEERLEND_LOG_LEVEL", "INFO")}},
}

# Platform rules (defaults from the cn-2016 profile); every one can be overridden by env.
def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


PEERLEND = {
    "CURRENCY": "CNY",
    "RULES_PROFILE": os.environ.get("PEERLEND_RULES_PROFILE", "cn-2016"),
    "GUARANTEE_MODE": os.environ.get("PEERLEND_GUARANTEE_MODE", "none"),
    # Borrowing caps on outstanding principal (cn-2016: 200k CNY a person, 1M CNY a company).
    "CAP_PERSON_MINOR": _env_int("PEERLEND_CAP_PERSON_MINOR", 200_000_00),
    "CAP_COMPANY_MINOR": _env_int("PEERLEND_CAP_COMPANY_MINOR", 1_000_000_00),
    "MIN_LOAN_MINOR": _env_int("PEERLEND_MIN_LOAN_MINOR", 1_000_00),
    # Notes are bought in multiples of this unit; loan amounts are multiples of it too.
    "NOTE_UNIT_MINOR": _env_int("PEERLEND_NOTE_UNIT_MINOR", 50_00),
    "LISTING_DAYS": _env_int("PEERLEND_LISTING_DAYS", 7),
    # Applications above this amount need a second, different risk officer (maker-checker).
    "SECOND_REVIEW_ABOVE_MINOR": _env_int("PEERLEND_SECOND_REVIEW_ABOVE_MINOR", 50_000_00),
    # Anti-fraud: at most this many applications by one person within the window.
    "APPLICATION_VELOCITY_MAX": _env_int("PEERLEND_APPLICATION_VELOCITY_MAX", 3),
    "APPLICATION_VELOCITY_DAYS": _env_int("PEERLEND_APPLICATION_VELOCITY_DAYS", 30),
    # Servicing (peerlend/servicing): overdue rules, fees, guarantee mode. Rates are decimal strings.
    "GRACE_DAYS": _env_int("PEERLEND_GRACE_DAYS", 15),
    "LATE_FEE_RATE": os.environ.get("PEERLEND_LATE_FEE_RATE", "0.05"),  # of the unpaid installment, once
    "LATE_FEE_MIN_MINOR": _env_int("PEERLEND_LATE_FEE_MIN_MINOR", 15_00),
    "PENALTY_DAILY_RATE": os.environ.get("PEERLEND_PENALTY_DAILY_RATE", "0.0005"),  # on overdue principal
    "DEFAULT_DAYS": _env_int("PEERLEND_DEFAULT_DAYS", 121),
    "CHARGE_OFF_DAYS": _env_int("PEERLEND_CHARGE_OFF_DAYS", 150),
    "INVESTOR_SERVICE_FEE_RATE": os.environ.get("PEERLEND_INVESTOR_SERVICE_FEE_RATE", "0.01"),
    # GUARANTEE_MODE above: "none" or "risk_reserve".
    "RESERVE_SHARE_OF_FEE": os.environ.get("PEERLEND_RESERVE_SHARE_OF_FEE", "0.30"),
    "COMPENSATION_DAYS": _env_int("PEERLEND_COMPENSATION_DAYS", 30),
    "PREPAYMENT_PENALTY_RATE": os.environ.get("PEERLEND_PREPAYMENT_PENALTY_RATE", "0"),
    "SMS_BACKEND": os.environ.get("PEERLEND_SMS_BACKEND", "peerlend.servicing.notifications.ConsoleSms"),
}
