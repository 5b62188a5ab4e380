"""Which part of StudyShare a request is for, decided by its path in this one place.

Cookies, security headers, error pages and languages all depend on it.
"""

from __future__ import annotations

from enum import StrEnum

from flask import has_request_context, request


class Area(StrEnum):
    CONSOLE = "console"
    PATIENT = "patient"
    # The recipient's study-scoped DICOMweb gateway: JSON errors, the recipient's cookie.
    GATEWAY = "gateway"
    API = "api"
    # The integration API (/api/v1/): problem+json errors, a bearer key, no cookie.
    INTEGRATION = "integration"
    HEALTH = "health"


_PREFIXES: tuple[tuple[tuple[str, ...], Area], ...] = (
    (("/s/", "/code", "/v/"), Area.PATIENT),
    (("/dicom-web/",), Area.GATEWAY),
    (("/auth/",), Area.API),
    (("/api/",), Area.INTEGRATION),
    (("/healthz", "/readyz"), Area.HEALTH),
)

# Areas whose errors are JSON for programs, not pages for people.
JSON_AREAS = frozenset({Area.GATEWAY, Area.API, Area.INTEGRATION, Area.HEALTH})
# Areas that carry the recipient's session cookie instead of the console's.
RECIPIENT_AREAS = frozenset({Area.PATIENT, Area.GATEWAY})
# Areas for programs that authenticate otherwise (Basic, a key) or not at all: no session cookie.
COOKIELESS_AREAS = frozenset({Area.API, Area.INTEGRATION, Area.HEALTH})


def area_of(path: str) -> Area:
    """The area a request path belongs to."""
    for prefixes, area in _PREFIXES:
        if path.startswith(prefixes):
            return area
    return Area.CONSOLE


def current_area() -> Area:
    """The area of the request being handled (the console outside a request)."""
    return area_of(request.path) if has_request_context() else Area.CONSOLE
