"""Console times: shown in the clinic's time zone (CLINIC_TIMEZONE), with UTC on hover."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from markupsafe import Markup

MINUTES = "%Y-%m-%d %H:%M"


def clinic_time_text(moment: datetime) -> str:
    """`2025-03-30 14:05 CEST`: a moment as plain text in the clinic's time zone."""
    local = moment.astimezone(current_app.config["CLINIC_TIMEZONE"])
    return f"{local:{MINUTES}} {local.tzname()}"


def console_time(moment: datetime | None, empty: str = "—") -> Markup:
    """A <time> in the clinic's time zone; its datetime and title give the moment in UTC."""
    if moment is None:
        return Markup.escape(empty)
    utc = moment.astimezone(UTC)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.isoformat(), f"{utc:{MINUTES}} UTC", clinic_time_text(moment)
    )
