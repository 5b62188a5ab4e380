"""The recipient home's "Who opened this share": the audit entries, with times to read."""

from __future__ import annotations

from dataclasses import dataclass

from babel.dates import format_datetime
from flask import current_app
from flask_babel import get_locale

from app.shares.access_history import AccessEntry, access_history
from app.shares.models import Share


@dataclass(frozen=True)
class HistoryRow:
    entry: AccessEntry
    # In the clinic's time zone (where the recipient most likely is), in the page's language.
    when: str
    when_iso: str


def history_rows(share: Share) -> list[HistoryRow]:
    """The share's access history for the recipient, newest first."""
    zone = current_app.config["CLINIC_TIMEZONE"]
    locale = get_locale() or "en"
    rows = []
    for entry in access_history(share):
        local = entry.at.astimezone(zone)
        text = format_datetime(local, "medium", tzinfo=zone, locale=locale)
        rows.append(HistoryRow(entry, f"{text} {local.tzname()}", entry.at.isoformat()))
    return rows
