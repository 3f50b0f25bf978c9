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
# matplotlib (portfolio charts) keeps its font cache here rather than in a home directory.
os.environ.setdefault("MPLCONFIGDIR", str(VAR_DIR / "matplotlib"))

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
# The payment gateway adapter, a dotted class path (docs/gateway.md). The sandbox signs its own
# callbacks (anyone could "pay"), so it is the default only outside production.
_SANDBOX_GATEWAY = "peerlend.ledger.gateway.sandbox.SandboxGateway"
PEERLEND_GATEWAY = os.environ.get("PEERLEND_GATEWAY", "").strip() or ("" if PRODUCTION else _SANDBOX_GATEWAY)
# Used by peerlend.ledger.gateway.bank.HttpCustodyBankGateway (the custody bank's endpoints).
PEERLEND_GATEWAY_API_URL = os.environ.get("PEERLEND_GATEWAY_API_URL", "")
PEERLEND_GATEWAY_PAY_URL = os.environ.get("PEERLEND_GATEWAY_PAY_URL", "")
PEERLEND_GATEWAY_MERCHANT_ID = os.environ.get("PEERLEND_GATEWAY_MERCHANT_ID", "")
PEERLEND_GATEWAY_NOTIFY_URL = os.environ.get("PEERLEND_GATEWAY_NOTIFY_URL", "")
# Outbox (gateway requests after commit): attempts before a message is marked failed.
PEERLEND_OUTBOX_MAX_ATTEMPTS = int(os.environ.get("PEERLEND_OUTBOX_MAX_ATTEMPTS", "8"))
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
    if PEERLEND_GATEWAY in ("", _SANDBOX_GATEWAY):
        raise ImproperlyConfigured(
            "PEERLEND_ENV=production refuses the sandbox payment gateway; set PEERLEND_GATEWAY to a real "
            "adapter (see docs/gateway.md)"
        )

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
    # Staff two-factor authentication (TOTP apps, one-time backup codes).
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # Serves the API docs' Swagger UI from local static files (no CDN, no inline script).
    "ninja",
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
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Outside the 2FA gate so that its redirects and refusals get the same headers.
    "peerlend.web.security_headers.SecurityHeadersMiddleware",
    # Before anything reads a body: one over the limit is a 413 on every route.
    "peerlend.web.request_limits.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "peerlend.web.twofactor_middleware.StaffTwoFactorMiddleware",
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
# Also a limit per client address over all usernames (password spraying), counted by this handler.
AXES_HANDLER = "peerlend.accounts.lockout.AddressThrottlingHandler"
PEERLEND_LOGIN_ADDRESS_FAILURE_LIMIT = int(os.environ.get("PEERLEND_LOGIN_ADDRESS_FAILURE_LIMIT", "20"))
# The client address is REMOTE_ADDR; X-Forwarded-For is believed only from these proxies
# (comma-separated addresses or networks, e.g. "10.0.0.5,10.8.0.0/16"; empty: no proxy).
PEERLEND_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("PEERLEND_TRUSTED_PROXIES", "").split(",")
                            if p.strip()]
AXES_CLIENT_IP_CALLABLE = "peerlend.accounts.lockout.client_address"
# API bearer tokens expire after this many days; POST /api/auth/token/refresh renews one.
PEERLEND_API_TOKEN_DAYS = int(os.environ.get("PEERLEND_API_TOKEN_DAYS", "30"))
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

# Bodies over these sizes are refused with 413 (web/request_limits.py): any body, and a page's
# multipart form with documents.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
PEERLEND_MAX_UPLOAD_BYTES = int(os.environ.get("PEERLEND_MAX_UPLOAD_BYTES", str(12 * 1024 * 1024)))
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Security headers (web/security_headers.py adds Permissions-Policy and no-store) ---
# No inline script or style anywhere: behaviour lives in static/web/site.js, looks in site.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
PEERLEND_PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# HTTPS only in production: HSTS for a year (subdomains too) and a redirect from plain HTTP.
# PEERLEND_SSL_REDIRECT=0 when the proxy in front already redirects (or for a local HTTP smoke test).
SECURE_HSTS_SECONDS = int(os.environ.get("PEERLEND_HSTS_SECONDS", "31536000" if PRODUCTION else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = os.environ.get("PEERLEND_HSTS_PRELOAD", "0") == "1"
SECURE_SSL_REDIRECT = os.environ.get("PEERLEND_SSL_REDIRECT", "1" if PRODUCTION else "0") == "1"
# Behind a TLS-terminating proxy the request reaches us over HTTP; believe its X-Forwarded-Proto only
# when told a trusted proxy is in front (it must overwrite that header): PEERLEND_TLS_PROXY=1, or on
# by default once PEERLEND_TRUSTED_PROXIES names one.
_tls_proxy_default = "1" if PEERLEND_TRUSTED_PROXIES else "0"
if os.environ.get("PEERLEND_TLS_PROXY", _tls_proxy_default) == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# /api/docs and /api/openapi.json: "public", "staff" (staff sessions or tokens) or "off".
PEERLEND_API_DOCS = os.environ.get("PEERLEND_API_DOCS", "staff" if PRODUCTION else "public")
if PEERLEND_API_DOCS not in ("public", "staff", "off"):
    raise ImproperlyConfigured("PEERLEND_API_DOCS must be public, staff or off")
# Staff two-factor authentication (accounts/twofactor.py): on in production; off in development and
# demos so that `make run`'s demo logins work (a staff member who enrolled is asked all the same).
PEERLEND_STAFF_2FA = os.environ.get("PEERLEND_STAFF_2FA", "1" if PRODUCTION else "0") == "1"
OTP_TOTP_ISSUER = os.environ.get("PEERLEND_OTP_ISSUER", "peerlend")

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


def _money_limits() -> dict[str, dict[str, dict[str, int | None]]]:
    from peerlend.domain.limits import limits_from_env, parse_limits

    try:
        table = limits_from_env(os.environ)
        parse_limits(table)  # a bad figure stops the start, not the first deposit
    except ValueError as exc:
        raise ImproperlyConfigured(f"money limits: {exc}") from None
    return table


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
    # Auto-invest leaves the last part of each loan (basis points of its amount) to manual investors.
    "AUTO_INVEST_LAST_PART_BP": _env_int("PEERLEND_AUTO_INVEST_LAST_PART_BP", 1000),
    # Wealth plans bid alone on a fresh listing for this many minutes when one of them may buy it.
    "PLAN_HEAD_START_MINUTES": _env_int("PEERLEND_PLAN_HEAD_START_MINUTES", 30),
    # Applications above this amount need a second, different risk officer (maker-checker).
    "SECOND_REVIEW_ABOVE_MINOR": _env_int("PEERLEND_SECOND_REVIEW_ABOVE_MINOR", 50_000_00),
    # Anti-fraud: at most this many applications by one person within the window.
    "APPLICATION_VELOCITY_MAX": _env_int("PEERLEND_APPLICATION_VELOCITY_MAX", 3),
    "APPLICATION_VELOCITY_DAYS": _env_int("PEERLEND_APPLICATION_VELOCITY_DAYS", 30),
    # A person borrower may be at most this old on the loan's last due date (members are 18+ at KYC).
    "BORROWER_MAX_AGE_AT_MATURITY": _env_int("PEERLEND_BORROWER_MAX_AGE_AT_MATURITY", 60),
    # Online KYC submissions per member within 24 hours (throttles identity enumeration); 429 beyond.
    "KYC_ATTEMPTS_PER_DAY": _env_int("PEERLEND_KYC_ATTEMPTS_PER_DAY", 5),
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
    # Money limits per member type (person, company) and action (deposit, withdrawal, investment, promise),
    # per transaction and per business day, in minor units: the defaults and their PEERLEND_LIMIT_*
    # overrides are documented in peerlend/domain/limits.py and docs/limits.md.
    "LIMITS": _money_limits(),
}

# Filing information shown on /disclosure/about. Empty by default: the page marks each item "not yet set"
# until the real registration, custody and ICP details are set in the environment.
PEERLEND_FILING = {
    "COMPANY_NAME": os.environ.get("PEERLEND_FILING_COMPANY_NAME", ""),
    "REGISTRATION_NUMBER": os.environ.get("PEERLEND_FILING_REGISTRATION_NUMBER", ""),
    "REGISTERED_CAPITAL": os.environ.get("PEERLEND_FILING_REGISTERED_CAPITAL", ""),
    "FILING_AUTHORITY": os.environ.get("PEERLEND_FILING_AUTHORITY", ""),
    "CUSTODY_BANK": os.environ.get("PEERLEND_FILING_CUSTODY_BANK", ""),
    "ICP_NUMBER": os.environ.get("PEERLEND_FILING_ICP_NUMBER", ""),
}
# The HMAC-SHA256 key signing the monthly data filing and keying member pseudonyms in it
# (peerlend/disclosure/filing, docs/data-filing.md). Empty: a development key, never for production.
PEERLEND_FILING_KEY = os.environ.get("PEERLEND_FILING_KEY", "")

# Members, tiers and points (issue 15; peerlend/marketing/members/config.py documents each rule and its
# default). Tiers lowest first: reached by points earned OR activities over the last 12 months; the
# fee discount (basis points, at most 5000) is the only privilege: no tier ever gets priority in funding.
PEERLEND_MEMBERS = {
    "TIERS": [
        {"code": "bronze", "label": _("Bronze"), "min_points": 0, "min_activity": 0, "fee_discount_bp": 0},
        {"code": "silver", "label": _("Silver"), "min_points": 1_000, "min_activity": 6, "fee_discount_bp": 500},
        {"code": "gold", "label": _("Gold"), "min_points": 5_000, "min_activity": 12, "fee_discount_bp": 1000},
        {"code": "platinum", "label": _("Platinum"), "min_points": 20_000, "min_activity": 24,
         "fee_discount_bp": 2000},
    ],
    "REGISTRATION_POINTS": _env_int("PEERLEND_POINTS_REGISTRATION", 100),
    "IDENTITY_POINTS": _env_int("PEERLEND_POINTS_IDENTITY", 200),
    "OFFLINE_VISIT_POINTS": _env_int("PEERLEND_POINTS_OFFLINE_VISIT", 50),
    "BIRTHDAY_POINTS": _env_int("PEERLEND_POINTS_BIRTHDAY", 500),
    "INVEST_MINOR_PER_POINT": _env_int("PEERLEND_POINTS_INVEST_MINOR_PER_POINT", 100_00),
    "REPAY_MINOR_PER_POINT": _env_int("PEERLEND_POINTS_REPAY_MINOR_PER_POINT", 100_00),
    "MEMBER_DAY": _env_int("PEERLEND_MEMBER_DAY", 18),  # day of the month, 1-28
    "MEMBER_DAY_MULTIPLIER": _env_int("PEERLEND_MEMBER_DAY_MULTIPLIER", 2),
    "EXPIRY_MONTHS": _env_int("PEERLEND_POINTS_EXPIRY_MONTHS", 24),
    "LOOKBACK_DAYS": _env_int("PEERLEND_POINTS_LOOKBACK_DAYS", 60),
}
