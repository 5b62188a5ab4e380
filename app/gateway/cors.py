"""CORS for the gateway, only for the origins GATEWAY_CORS_ORIGINS lists (none by default).

Viewers served from another origin (OHIF on its own host) send the viewer token in an
`Authorization` header, never a cookie, so credentials are not allowed cross-origin.
"""

from __future__ import annotations

from flask import Response, current_app, request

from app.gateway import bp

ALLOWED_HEADERS = "Authorization, Accept, Content-Type"
EXPOSED_HEADERS = "Content-Length, Content-Type, Content-Encoding"


@bp.after_request
def allow_listed_origins(response: Response) -> Response:
    # Other sites may not embed the images (<img> and the like); CORS reads are decided below.
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    origin = request.headers.get("Origin")
    response.vary.add("Origin")
    if origin is None or origin not in current_app.config["GATEWAY_CORS_ORIGINS"]:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response
