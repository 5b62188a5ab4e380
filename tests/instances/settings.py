"""The settings both servers run with: production's, with limits small enough to reach."""

from __future__ import annotations

import secrets

from tests.instances.browser import PUBLIC_ORIGIN
from tests.instances.people import Clinician

# The Redis database number this package alone uses: flushed before and after.
REDIS_URL = "redis://127.0.0.1:6379/12"
CLINICIAN = Clinician("two.instances@example.org", "a long and proper password 42")
PLUGIN_USER, PLUGIN_PASSWORD = "orthanc-plugin", secrets.token_urlsafe(16)
STATE_CACHE_SECONDS = 2
MAX_ATTEMPTS = 5
LIMIT_PER_ADDRESS = 4  # login failures, and access-code tries, per address per window


def signing_keys(kid: str) -> str:
    return f"{kid}:{secrets.token_urlsafe(32)}"


def production_settings(database_url: str, orthanc_server) -> dict[str, str]:
    return {
        "STUDYSHARE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "VIEWER_TOKEN_KEYS": signing_keys("first"),
        "DATABASE_URL": database_url,
        "ORTHANC_URL": orthanc_server.url,
        "ORTHANC_USERNAME": orthanc_server.username,
        "ORTHANC_PASSWORD": orthanc_server.password,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "PROXY_FIX_HOPS": "1",
        "WEB_CONCURRENCY": "2",
        "AUTHZ_USERNAME": PLUGIN_USER,
        "AUTHZ_PASSWORD": PLUGIN_PASSWORD,
        "AUTHZ_STATE_CACHE_SECONDS": str(STATE_CACHE_SECONDS),
        "CHALLENGE_MAX_ATTEMPTS": str(MAX_ATTEMPTS),
        "LOGIN_LIMIT_PER_IP": f"{LIMIT_PER_ADDRESS} per 15 minutes",
        "CODE_LIMIT_PER_IP": f"{LIMIT_PER_ADDRESS} per 15 minutes",
        "PUBLIC_BASE_URL": PUBLIC_ORIGIN,
        # The OHIF link is only read for its token: nothing is served there.
        "PUBLIC_OHIF_ROOT": "https://viewer.example.org/ohif",
        "EXTERNAL_VIEWERS": "ohif",
    }
