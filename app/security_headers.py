"""Security headers on every response, set in one place."""

from flask import Flask, Response, request
from werkzeug.datastructures import Headers

from app.areas import Area, current_area

# No inline scripts or styles, no third-party origins, no framing.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def set_security_headers(headers: Headers, *, area: Area, static: bool, https: bool) -> None:
    """Add what a response of `area` lacks (`static`: a static file; `https`: the site is)."""
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Pages and exports show patient data: no copy on disk or in a shared cache. Responses
    # that are safe to cache (thumbnails, static files) say so themselves.
    if not static:
        headers.setdefault("Cache-Control", "no-store")
    # Patient pages can carry a link secret in their URL: never leak, cache or index it.
    if area is Area.PATIENT:
        headers["Referrer-Policy"] = "no-referrer"
        headers["Cache-Control"] = "no-store"
        headers["X-Robots-Tag"] = "noindex, nofollow"
    if https:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")


def init_app(app: Flask) -> None:
    @app.after_request
    def security_headers(response: Response) -> Response:
        set_security_headers(
            response.headers,
            area=current_area(),
            static=request.endpoint == "static",
            https=app.config["SESSION_COOKIE_SECURE"],
        )
        return response
