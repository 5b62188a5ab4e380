"""What the console's forms share; each feature's forms are in its `<feature>_forms.py`."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import DateField

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y")
EARLIEST = date(1800, 1, 1)


def strip_spaces(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


class FlexibleDateField(DateField):
    """Accepts ISO dates (what date inputs send) and the usual typed forms."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if self.data < EARLIEST:
                self.data = None
                raise ValueError(f"Enter a date after {EARLIEST.year}.")
            return
        raise ValueError("Enter a date like 2024-03-31.")


class EmptyForm(FlaskForm):
    """A CSRF-protected form for buttons that POST (logout, revoke...)."""
