"""Two session cookies: one for the console, one for recipients (patient pages).

With one cookie, a clinician who opens a share in their own browser (to check it) would be
logged out by the recipient's session swap, which clears the session; and a recipient's
session would carry a console login. Each keeps its own signed cookie instead; the DICOMweb
gateway reads the recipient's, so the built-in viewer needs no token.

A logged-in or unlocked cookie carries only the token of a server-side session
(app/web_sessions.py), which ends it; the cookie's own age limit is the outer bound.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature
from werkzeug.wrappers import Request as HttpRequest

from app.areas import COOKIELESS_AREAS, RECIPIENT_AREAS, Area, current_area
from app.db_types import utcnow
from app.web_sessions import remembered_lifetime

PATIENT_SUFFIX = "-recipient"


def cookie_name(app: Flask, area: Area) -> str:
    name = app.config["SESSION_COOKIE_NAME"]
    return name + PATIENT_SUFFIX if area in RECIPIENT_AREAS else name


class AreaSessionInterface(SecureCookieSessionInterface):
    def get_cookie_name(self, app: Flask) -> str:
        return cookie_name(app, current_area())

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        # The token service and the integration API authenticate by Basic credentials or a
        # key alone: a browser's console cookie sent along must not lend them a login.
        if current_area() in COOKIELESS_AREAS:
            return self.session_class()
        return self.read(app, request.cookies.get(self.get_cookie_name(app)))

    def read(self, app: Flask, value: str | None) -> SecureCookieSession:
        """The session a cookie's value holds: empty when absent, forged or too old."""
        serializer = self.get_signing_serializer(app)
        if not value or serializer is None:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(value, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        # Flask allows every cookie PERMANENT_SESSION_LIFETIME; a "keep me logged in" one
        # must outlive it (its server-side session decides when it really ends).
        permanent = isinstance(data, dict) and data.get("_permanent")
        max_age = remembered_lifetime() if permanent else app.permanent_session_lifetime
        if utcnow() - signed_at > max_age:
            return self.session_class()
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        # Their answers never depend on a cookie (open_session ignores it), so they neither
        # set one nor send `Vary: Cookie`, which would keep caches from storing public JSON
        # (Flask-Login's after-request hook reads the session on every request). Nor do static
        # files': under `Vary: Cookie` a browser reuses one only while its cookie is unchanged.
        if current_area() in COOKIELESS_AREAS or request.endpoint == "static":
            return
        super().save_session(app, session, response)

    def get_expiration_time(self, app: Flask, session: SessionMixin) -> datetime | None:
        if session.permanent:
            return utcnow() + remembered_lifetime()
        return None


def recipient_session(app: Flask, request: HttpRequest) -> SecureCookieSession:
    """The recipient's session from `request`'s cookie, read in front of Flask's request
    handling (app/gateway/front.py), as Flask reads it for the gateway and patient pages."""
    interface = cast(AreaSessionInterface, app.session_interface)
    return interface.read(app, request.cookies.get(cookie_name(app, Area.GATEWAY)))


def init_app(app: Flask) -> None:
    app.session_interface = AreaSessionInterface()
