"""The recipient's chosen language, for every page of the patient area (404s included)."""

from __future__ import annotations

from flask import g, request

from app.areas import Area, current_area
from app.i18n import SUPPORTED_LANGUAGES
from app.patient import bp
from app.shares import recipient_session as recipient


@bp.before_app_request
def remember_chosen_language() -> None:
    if current_area() is not Area.PATIENT:
        return
    language = request.args.get("lang")
    if language in SUPPORTED_LANGUAGES:
        recipient.choose_language(language)
    g.recipient_language = recipient.chosen_language()
