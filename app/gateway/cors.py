"""CORS for the gateway, only for the origins GATEWAY_CORS_ORIGINS lists (none by default).

Viewers served from another origin (OHIF on its own host) send the viewer token in an
`Authorization` header, never a cookie, so credentials are not allowed cross-origin.
"""

from __future__ import annotations

from collections.abc import Collection

from flask import Response, current_app, request
from werkzeug.datastructures import Headers

from app.gateway import bp

ALLOWED_HEADERS = "Authorization, Accept, Content-Type"
EXPOSED_HEADERS = "Content-Length, Content-Type, Content-Encoding"


def set_cors_headers(
    headers: Headers, *, origin: str | None, method: str, allowed: Collection[str]
) -> None:
    """The gateway's cross-origin headers for a request from `origin` (None: same origin)."""
    # Other sites may not embed the images (<img> and the like); CORS reads are decided below.
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    if origin is None or origin not in allowed:
        return
    headers["Access-Control-Allow-Origin"] = origin
    headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if method == "OPTIONS":
        headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        headers["Access-Control-Max-Age"] = "600"


@bp.after_request
def allow_listed_origins(response: Response) -> Response:
    response.vary.add("Origin")
    set_cors_headers(
        response.headers,
        origin=request.headers.get("Origin"),
        method=request.method,
        allowed=current_app.config["GATEWAY_CORS_ORIGINS"],
    )
    return response
