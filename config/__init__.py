"""StudyShare configuration: the environment, parsed once at start by the table of settings.

`STUDYSHARE_ENV` picks the profile: `production` (the default), `development` or `test`.
Each class reads a mapping (normally `os.environ`) so tests can pass their own. The rows
(type, bounds, defaults per profile, meaning) are in `config/settings.py`; this module adds
the values derived from them and the fixed ones Flask and its extensions expect.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from config.settings import PROFILE, SETTINGS, required_in
from config.values import ConfigError

__all__ = [
    "CONFIG_CLASSES",
    "Config",
    "ConfigError",
    "DevelopmentConfig",
    "ProductionConfig",
    "TestConfig",
    "config_from_environ",
    "derive_key",
    "normalize_database_url",
]


def normalize_database_url(url: str) -> str:
    """Select the psycopg 3 driver for PostgreSQL URLs written the usual way."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def derive_key(secret_key: str, purpose: bytes) -> bytes:
    """The key for one purpose, derived from a SECRET_KEY: every derived key is made here, so
    a leaked one (say, of access codes) reveals neither SECRET_KEY nor the others."""
    return hmac.new(secret_key.encode(), purpose, "sha256").digest()


def derived_viewer_key(secret_key: str, fallbacks: tuple[str, ...] = ()) -> Mapping[str, bytes]:
    """The viewer-token keys without VIEWER_TOKEN_KEYS: derived from SECRET_KEY, which signs,
    then from each of SECRET_KEY_FALLBACKS, which only verify; a kid names a key without
    revealing it."""
    keys = (derive_key(root, b"viewer tokens") for root in (secret_key, *fallbacks))
    return MappingProxyType({"sk-" + hashlib.sha256(key).hexdigest()[:8]: key for key in keys})


class Config:
    """Settings shared by every environment; subclasses change defaults and requirements."""

    ENV_NAME = "production"
    DEBUG = False
    TESTING = False
    # Variables that must be set explicitly in this environment.
    REQUIRED: tuple[str, ...] = ()

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        missing = [name for name in self.REQUIRED if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(
                f"StudyShare ({self.ENV_NAME}) cannot start: set the environment "
                f"variable(s) {', '.join(missing)}."
            )
        self.set_fixed()
        for setting in SETTINGS:
            if self.ENV_NAME in setting.read_in:
                setattr(self, setting.name, setting.read(env, self.ENV_NAME))
        self.derive()

    def set_fixed(self) -> None:
        """What Flask and its extensions need that no variable changes."""
        # hide_parameters: a logged database error must not carry birth dates or addresses.
        self.SQLALCHEMY_ENGINE_OPTIONS = {"hide_parameters": True}  # pings: app/database.py
        self.MAIL_SUPPRESS_SEND = False
        self.RATELIMIT_HEADERS_ENABLED = True
        # If Redis goes away, keep limiting in memory rather than failing every request.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.WTF_CSRF_TIME_LIMIT = None  # the CSRF token lives as long as the session

    def derive(self) -> None:
        """Values computed once from the settings, and the checks that span several."""
        self.SQLALCHEMY_DATABASE_URI = normalize_database_url(self.DATABASE_URL) or None
        if math.ceil(self.AUTHZ_STATE_CACHE_SECONDS) > self.AUTHZ_VALIDITY_SECONDS:
            # A cached share state hides a revocation for that long: it must fit the validity.
            raise ConfigError(
                "AUTHZ_STATE_CACHE_SECONDS must not exceed AUTHZ_VALIDITY_SECONDS, or a revoked "
                "share would stay open longer than the validity."
            )
        if not self.VIEWER_TOKEN_KEYS:
            self.VIEWER_TOKEN_KEYS = derived_viewer_key(self.SECRET_KEY, self.SECRET_KEY_FALLBACKS)
        public = urlsplit(self.PUBLIC_BASE_URL)
        # What the gateway tells Orthanc, so metadata URLs name StudyShare (RFC 7239).
        self.PUBLIC_FORWARDED = f"host={public.netloc};proto={public.scheme}"
        self.SESSION_COOKIE_NAME = self.session_cookie_name()
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.PERMANENT_SESSION_LIFETIME = timedelta(hours=self.SESSION_LIFETIME_HOURS)
        # Dates on patient pages (Flask-Babel's format_date) fall on the clinic's calendar too.
        self.BABEL_DEFAULT_TIMEZONE = self.CLINIC_TIMEZONE.key

    def session_cookie_name(self) -> str:
        # `__Host-` makes browsers refuse the cookie unless it is Secure, host-only, path /.
        return "__Host-studyshare" if self.SESSION_COOKIE_SECURE else "studyshare"

    def to_flask(self) -> dict[str, Any]:
        """The settings as the upper-case keys Flask and its extensions read."""
        return {key: value for key, value in vars(self).items() if key.isupper()}


class ProductionConfig(Config):
    ENV_NAME = "production"
    REQUIRED = required_in("production")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the Werkzeug debugger is never switched on by configuration


class TestConfig(Config):
    __test__ = False  # not a pytest test class despite its name
    ENV_NAME = "test"
    TESTING = True

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        # Tests never inherit the developer's shell: only what they pass counts.
        super().__init__({} if environ is None else environ)

    def session_cookie_name(self) -> str:
        return "studyshare"


CONFIG_CLASSES: dict[str, type[Config]] = {
    "production": ProductionConfig,
    "development": DevelopmentConfig,
    "test": TestConfig,
}


def config_from_environ(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration selected by STUDYSHARE_ENV (production by default)."""
    env = os.environ if environ is None else environ
    written = env.get(PROFILE.name, "").strip()  # blank is the default too
    profile = PROFILE.kind.parse(written or PROFILE.default_in("production"), PROFILE.name)
    return CONFIG_CLASSES[profile](env)
