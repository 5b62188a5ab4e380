"""StudyShare configuration, read from environment variables.

`STUDYSHARE_ENV` picks the class: `production` (the default), `development` or `test`.
Each class reads a mapping (normally `os.environ`) so tests can pass their own.
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit


class ConfigError(Exception):
    """The environment does not describe a runnable StudyShare."""


def _bool(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}.")


def _int(value: str, name: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def _float(value: str, name: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}.") from None


def _at_least(value: int | float, minimum: int | float, name: str):
    # Zero page sizes, timeouts or attempts would fail later, far from their cause.
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}.")
    return value


def _viewer_token_keys(value: str) -> str:
    """`kid:secret,kid:secret`, checked at start so a typo cannot deny every viewer later."""
    for entry in filter(None, (part.strip() for part in value.split(","))):
        kid, _, secret = entry.partition(":")
        if not kid or len(secret) < 32:
            # Never quote the value: it holds keys.
            raise ConfigError(
                "VIEWER_TOKEN_KEYS must be kid:secret entries separated by commas, "
                "each secret at least 32 characters long."
            )
    return value.strip()


def _origins(value: str) -> frozenset[str]:
    """`https://viewer.example.org,http://127.0.0.1:3000`: exact origins, no paths."""
    origins = frozenset(filter(None, (part.strip().rstrip("/") for part in value.split(","))))
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if scheme not in ("http", "https") or not rest or "/" in rest:
            raise ConfigError(
                f"GATEWAY_CORS_ORIGINS entries must be origins like https://viewer.example.org, "
                f"not {origin!r}."
            )
    return origins


def normalize_database_url(url: str) -> str:
    """Select the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Settings shared by every environment; subclasses change defaults and requirements."""

    ENV_NAME = "production"
    DEBUG = False
    TESTING = False
    # Variables that must be set explicitly in this environment.
    REQUIRED: tuple[str, ...] = ()

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        self._env = env
        missing = [name for name in self.REQUIRED if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"StudyShare ({self.ENV_NAME}) cannot start: set the environment "
                f"variable(s) {', '.join(missing)}."
            )

        self.SECRET_KEY = env.get("SECRET_KEY") or self.default_secret_key()
        self.DATABASE_URL = env.get("DATABASE_URL", "")
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(self.DATABASE_URL) or None
        # hide_parameters: a logged database error must not carry birth dates or addresses.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

        self.ORTHANC_URL = env.get("ORTHANC_URL", "http://127.0.0.1:8042").rstrip("/")
        self.ORTHANC_USERNAME = env.get("ORTHANC_USERNAME") or None
        self.ORTHANC_PASSWORD = env.get("ORTHANC_PASSWORD") or None
        self.ORTHANC_TIMEOUT = self.env_float("ORTHANC_TIMEOUT", 10.0)
        self.ORTHANC_ANONYMIZE_TIMEOUT = self.env_float("ORTHANC_ANONYMIZE_TIMEOUT", 120.0)

        self.SEARCH_PAGE_SIZE = self.env_int("SEARCH_PAGE_SIZE", 25)
        self.SEARCH_SORT_WINDOW = self.env_int("SEARCH_SORT_WINDOW", 500)

        self.ALLOW_NEVER_EXPIRE = self.env_bool("ALLOW_NEVER_EXPIRE", False)

        self.VIEWER_TOKEN_TTL = self.env_int("VIEWER_TOKEN_TTL", 3600)
        self.VIEWER_TOKEN_KEYS = _viewer_token_keys(env.get("VIEWER_TOKEN_KEYS", ""))
        self.AUTHZ_USERNAME = env.get("AUTHZ_USERNAME") or None
        self.AUTHZ_PASSWORD = env.get("AUTHZ_PASSWORD") or None
        self.AUTHZ_VALIDITY_SECONDS = self.env_int("AUTHZ_VALIDITY_SECONDS", 10, minimum=0)
        self.SERVER_ID = env.get("SERVER_ID") or None
        self.AUTHZ_SERVICE_ACCOUNT = env.get(
            "AUTHZ_SERVICE_ACCOUNT", "orthanc-plugin@studyshare.invalid"
        )
        self.PUBLIC_ORTHANC_ROOT = env.get("PUBLIC_ORTHANC_ROOT", "").rstrip("/")
        self.PUBLIC_OHIF_ROOT = env.get("PUBLIC_OHIF_ROOT", "").rstrip("/")
        self.PUBLIC_STONE_ROOT = env.get("PUBLIC_STONE_ROOT", "").rstrip("/")
        self.MEDDREAM_URL = env.get("MEDDREAM_URL", "").rstrip("/")
        self.EXTERNAL_VIEWERS = env.get("EXTERNAL_VIEWERS", "stone,ohif")
        self.GATEWAY_CORS_ORIGINS = _origins(env.get("GATEWAY_CORS_ORIGINS", ""))
        self.AUTHZ_STATE_CACHE_SECONDS = self.env_float("AUTHZ_STATE_CACHE_SECONDS", 1.0, minimum=0)
        if math.ceil(self.AUTHZ_STATE_CACHE_SECONDS) > self.AUTHZ_VALIDITY_SECONDS:
            # A cached share state hides a revocation for that long: it must fit the validity.
            raise ConfigError(
                "AUTHZ_STATE_CACHE_SECONDS must not exceed AUTHZ_VALIDITY_SECONDS, or a revoked "
                "share would stay open longer than the validity."
            )
        self.AUTHZ_USAGE_FLUSH_SECONDS = self.env_float("AUTHZ_USAGE_FLUSH_SECONDS", 5.0, minimum=0)

        self.CHALLENGE_MAX_ATTEMPTS = self.env_int("CHALLENGE_MAX_ATTEMPTS", 5)
        self.PATIENT_SESSION_MINUTES = self.env_int("PATIENT_SESSION_MINUTES", 60)
        self.CODE_LIMIT_PER_IP = env.get("CODE_LIMIT_PER_IP", "10 per 15 minutes")
        self.CODE_LIMIT_GLOBAL = env.get("CODE_LIMIT_GLOBAL", "300 per hour")
        self.CHALLENGE_LIMIT_PER_IP = env.get("CHALLENGE_LIMIT_PER_IP", "30 per 15 minutes")

        self.PUBLIC_BASE_URL = env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        public = urlsplit(self.PUBLIC_BASE_URL)
        if public.scheme not in ("http", "https") or not public.netloc:
            raise ConfigError(
                f"PUBLIC_BASE_URL must be an http(s) address, not {self.PUBLIC_BASE_URL!r}."
            )
        # What the gateway tells Orthanc, so metadata URLs name StudyShare (RFC 7239).
        self.PUBLIC_FORWARDED = f"host={public.netloc};proto={public.scheme}"
        self.CLINIC_NAME = env.get("CLINIC_NAME", "StudyShare")

        backend = env.get("MAIL_BACKEND", "").strip().lower() or self.default_mail_backend()
        if backend not in ("smtp", "console"):
            raise ConfigError(f"MAIL_BACKEND must be one of smtp, console, not {backend!r}.")
        self.MAIL_BACKEND = backend
        self.MAIL_SERVER = env.get("MAIL_SERVER", "localhost")
        self.MAIL_PORT = self.env_int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = self.env_bool("MAIL_USE_TLS", False)
        self.MAIL_USE_SSL = self.env_bool("MAIL_USE_SSL", False)
        self.MAIL_USERNAME = env.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = env.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = env.get("MAIL_DEFAULT_SENDER", "studyshare@localhost")
        self.MAIL_SUPPRESS_SEND = False
        self.MAIL_TIMEOUT = self.env_float("MAIL_TIMEOUT", 15.0)

        self.RATELIMIT_STORAGE_URI = env.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_ENABLED = self.env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_HEADERS_ENABLED = True
        # If Redis goes away, keep limiting in memory rather than failing every request.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.LOGIN_LIMIT_PER_ACCOUNT = env.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per 15 minutes")
        self.LOGIN_LIMIT_PER_IP = env.get("LOGIN_LIMIT_PER_IP", "30 per 15 minutes")

        self.SESSION_COOKIE_SECURE = self.env_bool(
            "SESSION_COOKIE_SECURE", self.default_secure_cookies()
        )
        # `__Host-` makes browsers refuse the cookie unless it is Secure, host-only, path /.
        self.SESSION_COOKIE_NAME = (
            "__Host-studyshare" if self.SESSION_COOKIE_SECURE else "studyshare"
        )
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.env_int("SESSION_LIFETIME_HOURS", 8))
        self.WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session
        self.MAX_CONTENT_LENGTH = self.env_int("MAX_CONTENT_LENGTH", 1024 * 1024)
        self.PROXY_FIX_HOPS = self.env_int("PROXY_FIX_HOPS", 0, minimum=0)
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO").upper()

    def default_secret_key(self) -> str:
        # Production requires SECRET_KEY (see REQUIRED); elsewhere a per-process key is
        # enough: sessions simply do not survive a restart.
        return secrets.token_urlsafe(32)

    def default_secure_cookies(self) -> bool:
        return True

    def default_mail_backend(self) -> str:
        return "smtp"

    def env_bool(self, name: str, default: bool) -> bool:
        raw = self._env.get(name)
        return default if raw is None else _bool(raw, name)

    def env_int(self, name: str, default: int, minimum: int = 1) -> int:
        raw = self._env.get(name)
        value = default if raw is None or raw == "" else _int(raw, name)
        return _at_least(value, minimum, name)

    def env_float(self, name: str, default: float, minimum: float = 0.1) -> float:
        raw = self._env.get(name)
        value = default if raw is None or raw == "" else _float(raw, name)
        return _at_least(value, minimum, name)

    def to_flask(self) -> dict[str, object]:
        """The settings as the upper-case keys Flask and its extensions read."""
        return {key: value for key, value in vars(self).items() if key.isupper()}


class ProductionConfig(Config):
    ENV_NAME = "production"
    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "ORTHANC_URL")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the Werkzeug debugger is never switched on by configuration

    def default_secure_cookies(self) -> bool:
        # `make demo` serves plain http on loopback, where secure cookies would be dropped.
        return False

    def default_mail_backend(self) -> str:
        # `make demo` has no mail server: e-mails are written under instance/mail/.
        return "console"


class TestConfig(Config):
    __test__ = False  # not a pytest test class despite its name
    ENV_NAME = "test"
    TESTING = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        # Tests never inherit the developer's shell: only what they pass counts.
        super().__init__({} if environ is None else environ)
        self.SESSION_COOKIE_SECURE = self.env_bool("SESSION_COOKIE_SECURE", False)
        self.SESSION_COOKIE_NAME = "studyshare"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.MAIL_SUPPRESS_SEND = self.env_bool("MAIL_SUPPRESS_SEND", True)
        self.ORTHANC_TIMEOUT = self.env_float("ORTHANC_TIMEOUT", 5.0)


CONFIG_CLASSES: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_from_environ(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration selected by STUDYSHARE_ENV (production by default)."""
    env = os.environ if environ is None else environ
    name = env.get("STUDYSHARE_ENV", "production").strip().lower() or "production"
    try:
        config_class = CONFIG_CLASSES[name]
    except KeyError:
        choices = ", ".join(CONFIG_CLASSES)
        raise ConfigError(f"STUDYSHARE_ENV must be one of {choices}, not {name!r}.") from None
    return config_class(env)
