"""Every setting StudyShare reads from the environment, in one table.

A row gives the variable, its kind (type and bounds), its default as it would be written in
the environment (with the profiles where it differs), and what it means. The README's table
and docs/configuration.md describe the same rows (tests/unit/test_docs.py checks both).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from config.values import (
    Boolean,
    Choice,
    HttpAddress,
    ImageFile,
    Kind,
    LogLevel,
    Names,
    Number,
    Origins,
    RateLimit,
    Secret,
    Secrets,
    SigningKeys,
    Text,
    TimeZone,
    Whole,
)

PROFILES = ("production", "development", "test")
# The external viewers StudyShare can link to (app/shares/viewer_urls.py labels each).
VIEWERS = ("stone", "ohif", "osimis", "webviewer", "volview", "meddream")


def _random_key() -> str:
    # Production requires SECRET_KEY; elsewhere a per-process key is enough: sessions
    # simply do not survive a restart.
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class Setting:
    name: str
    kind: Kind
    default: str | Callable[[], str]  # as written in the environment, or made at start
    doc: str
    development: str | None = None  # the default in a profile where it differs
    test: str | None = None
    required_in: tuple[str, ...] = ()  # profiles that refuse to start without it
    read_in: tuple[str, ...] = PROFILES  # profiles that read it at all
    shown: str | None = None  # how the docs write a default that is not a plain value

    def default_in(self, profile: str) -> str:
        default = {"development": self.development, "test": self.test}.get(profile)
        default = self.default if default is None else default
        return default() if callable(default) else default

    def read(self, environ: Mapping[str, str], profile: str) -> Any:
        """The typed value in `profile`: the variable's if set, else the default's."""
        raw = environ.get(self.name)
        if raw is None or (raw == "" and self.kind.empty_is_default):
            raw = self.default_in(profile)
        return self.kind.parse(raw, self.name)


S = Setting
ADDRESS, OPTIONAL = Text(address=True), Text(optional=True)
SECONDS_OR_ZERO = Number(minimum=0)

# Read by config_from_environ to pick the profile; the profiles themselves never read it.
PROFILE = S("STUDYSHARE_ENV", Choice(PROFILES), "production", "configuration profile")

SETTINGS: tuple[Setting, ...] = (
    S("SECRET_KEY", Secret(), _random_key, "signs sessions and CSRF tokens; the root of derived "
      "keys", required_in=("production",)),
    S("SECRET_KEY_FALLBACKS", Secrets(), "", "former SECRET_KEYs, comma-separated: still "
      "accepted, never used for new values"),
    S("DATABASE_URL", Text(), "", "SQLAlchemy URL (postgresql:// uses psycopg 3)",
      required_in=("production",), shown="`sqlite:///instance/studyshare.db`"),
    S("ORTHANC_URL", ADDRESS, "http://127.0.0.1:8042", "the internal Orthanc",
      required_in=("production",)),
    S("ORTHANC_USERNAME", OPTIONAL, "", "HTTP Basic user for the internal Orthanc"),
    S("ORTHANC_PASSWORD", OPTIONAL, "", "HTTP Basic password for the internal Orthanc"),
    S("ORTHANC_TIMEOUT", Number(), "10", "seconds for each Orthanc call", test="5"),
    S("ORTHANC_ANONYMIZE_TIMEOUT", Number(), "120", "seconds an anonymized copy may take"),
    S("SEARCH_PAGE_SIZE", Whole(), "25", "studies per page of search results"),
    S("SEARCH_SORT_WINDOW", Whole(), "500", "matches sorted most recent first, at most"),
    S("ALLOW_NEVER_EXPIRE", Boolean(), "false", "let clinicians create shares that never expire"),
    S("VIEWER_TOKEN_TTL", Whole(), "3600", "viewer token lifetime in seconds"),
    S("VIEWER_TOKEN_KEYS", SigningKeys(), "", "kid:secret viewer-token keys; the first signs",
      shown="derived from `SECRET_KEY`"),
    S("AUTHZ_USERNAME", OPTIONAL, "", "HTTP Basic user of the authorization plugin"),
    S("AUTHZ_PASSWORD", OPTIONAL, "", "HTTP Basic password of the authorization plugin"),
    S("AUTHZ_VALIDITY_SECONDS", Whole(minimum=0), "10", "longest a revocation takes to apply"),
    S("SERVER_ID", OPTIONAL, "", "the plugin's server-id must equal it, when set"),
    S("AUTHZ_SERVICE_ACCOUNT", Text(), "orthanc-plugin@studyshare.invalid",
      "owner of shares made through the plugin"),
    S("PUBLIC_ORTHANC_ROOT", ADDRESS, "", "public Orthanc for external viewers"),
    S("PUBLIC_OHIF_ROOT", ADDRESS, "", "where OHIF is served",
      shown="`PUBLIC_ORTHANC_ROOT/ohif`"),
    S("PUBLIC_STONE_ROOT", ADDRESS, "", "where the Stone Web Viewer is served",
      shown="`PUBLIC_ORTHANC_ROOT/stone-webviewer`"),
    S("MEDDREAM_URL", ADDRESS, "", "MedDream viewer address"),
    S("EXTERNAL_VIEWERS", Names(VIEWERS), "stone,ohif", "viewers offered to recipients"),
    S("GATEWAY_CORS_ORIGINS", Origins(), "", "origins that may call the gateway"),
    S("AUTHZ_STATE_CACHE_SECONDS", SECONDS_OR_ZERO, "1", "share states reused this long"),
    S("AUTHZ_USAGE_FLUSH_SECONDS", SECONDS_OR_ZERO, "5", "use counters written this often"),
    S("CHALLENGE_MAX_ATTEMPTS", Whole(), "5", "wrong answers before a share locks"),
    S("PATIENT_SESSION_MINUTES", Whole(), "60", "how long a recipient stays in"),
    S("PATIENT_IDLE_MINUTES", Whole(), "30", "a recipient session ends after this long unused"),
    S("CODE_LIMIT_PER_IP", RateLimit(), "10 per 15 minutes", "access-code attempts per IP"),
    S("CODE_LIMIT_PER_NETWORK", RateLimit(), "30 per 15 minutes", "access-code attempts per "
      "IPv4 /24 or IPv6 /64"),
    S("CODE_CAMPAIGN_WARNING", RateLimit(), "300 per hour", "failed access codes from everyone "
      "that warn operators (never a limit)"),
    S("CHALLENGE_LIMIT_PER_IP", RateLimit(), "30 per 15 minutes", "challenge answers per IP"),
    S("PUBLIC_BASE_URL", HttpAddress(), "http://127.0.0.1:5000", "where recipients reach us"),
    S("CLINIC_NAME", Text(), "StudyShare", "shown on patient pages, handouts and e-mails"),
    S("CLINIC_LOGO", ImageFile(), "", "PNG, JPEG, WebP or SVG file (at most 512 KB) shown "
      "with the clinic's name; StudyShare serves it at /clinic/logo"),
    S("CLINIC_PHONE", OPTIONAL, "", "the clinic's phone number, for recipients"),
    S("CLINIC_EMAIL", OPTIONAL, "", "the clinic's e-mail address, for recipients"),
    S("CLINIC_ADDRESS", OPTIONAL, "", "the clinic's postal address, as written"),
    S("CLINIC_HOURS", OPTIONAL, "", "when the clinic answers, free text"),
    S("CLINIC_TIMEZONE", TimeZone(), "UTC", "IANA time zone of the times the console shows"),
    S("MAIL_BACKEND", Choice(("smtp", "console")), "smtp", "smtp, or console: files under "
      "instance/mail/", development="console"),
    S("MAIL_SERVER", Text(), "localhost", "SMTP server"),
    S("MAIL_PORT", Whole(), "25", "SMTP port"),
    S("MAIL_USE_TLS", Boolean(), "false", "STARTTLS to the SMTP server"),
    S("MAIL_USE_SSL", Boolean(), "false", "implicit TLS to the SMTP server"),
    S("MAIL_USERNAME", OPTIONAL, "", "SMTP user"),
    S("MAIL_PASSWORD", OPTIONAL, "", "SMTP password"),
    S("MAIL_DEFAULT_SENDER", Text(), "studyshare@localhost", "From address of e-mails"),
    S("MAIL_SUPPRESS_SEND", Boolean(), "true", "tests only: send nothing", read_in=("test",)),
    S("MAIL_TIMEOUT", Number(), "15", "seconds to wait for the SMTP server"),
    S("RATELIMIT_STORAGE_URI", Text(), "memory://", "Flask-Limiter storage"),
    S("RATELIMIT_ENABLED", Boolean(), "true", "rate limiting on (off for load tests only)"),
    S("API_RATE_LIMIT", RateLimit(), "120 per minute", "integration API calls per API key"),
    S("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", RateLimit(), "5 per 15 minutes", "failed logins per "
      "account from one IP, or from one trusted browser"),
    S("LOGIN_LIMIT_PER_ACCOUNT", RateLimit(), "30 per hour", "failed logins per account from "
      "untrusted browsers"),
    S("LOGIN_LIMIT_PER_IP", RateLimit(), "30 per 15 minutes", "failed logins per IP from "
      "untrusted browsers"),
    S("SESSION_COOKIE_SECURE", Boolean(), "true", "HTTPS-only cookies, named __Host-…",
      development="false", test="false"),
    S("SESSION_LIFETIME_HOURS", Whole(), "8", "how long a console login lasts"),
    S("SESSION_IDLE_MINUTES", Whole(), "60", "a console login ends after this long unused"),
    S("SESSION_REMEMBER_DAYS", Whole(), "30", "how long \"keep me logged in\" lasts"),
    S("MAX_CONTENT_LENGTH", Whole(), "1048576", "largest request body, in bytes"),
    S("PROXY_FIX_HOPS", Whole(minimum=0), "0", "reverse proxies trusted for X-Forwarded-*"),
    S("LOG_LEVEL", LogLevel(), "INFO", "Python logging level"),
)  # fmt: skip

BY_NAME = {setting.name: setting for setting in (PROFILE, *SETTINGS)}


def required_in(profile: str) -> tuple[str, ...]:
    """The variables `profile` refuses to start without, in table order."""
    return tuple(s.name for s in SETTINGS if profile in s.required_in)
