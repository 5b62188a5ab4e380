"""Two session cookies: one for the console, one for recipients (patient pages).

With one cookie, a clinician who opens a share in their own browser (to check it) would be
logged out by the recipient's session swap, which clears the session; and a recipient's
session would carry a console login. Each keeps its own signed cookie instead; the DICOMweb
gateway reads the recipient's, so the built-in viewer needs no token.
"""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from app.areas import RECIPIENT_AREAS, current_area

PATIENT_SUFFIX = "-recipient"


class AreaSessionInterface(SecureCookieSessionInterface):
    def get_cookie_name(self, app: Flask) -> str:
        name = super().get_cookie_name(app)
        if current_area() in RECIPIENT_AREAS:
            return name + PATIENT_SUFFIX
        return name


def init_app(app: Flask) -> None:
    app.session_interface = AreaSessionInterface()
