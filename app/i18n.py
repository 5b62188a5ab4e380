"""Language selection: English for the console; the recipient's language on patient pages."""

from __future__ import annotations

from datetime import date

from flask import Flask, g, request
from flask_babel import format_date, get_locale

from app.areas import Area, current_area
from app.console_time import console_time

SUPPORTED_LANGUAGES = ("en", "fr", "de")


def select_locale() -> str:
    """The switcher's choice, else the share's language, else Accept-Language, else English."""
    if current_area() is not Area.PATIENT:
        return "en"
    # Both set by the patient pages (app/patient/language.py, app/patient/pages.py).
    for candidate in (g.get("recipient_language"), g.get("share_language")):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES) or "en"


def _to_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def init_app(app: Flask) -> None:
    """Date formatting in the page's language, and console times, for templates."""
    app.jinja_env.globals.update(format_date=format_date, get_locale=get_locale)
    app.jinja_env.filters["todate"] = _to_date
    app.jinja_env.filters["console_time"] = console_time
