"""What the console's forms share; each feature's forms are in its `<feature>_forms.py`."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import DateField
from wtforms.widgets import Select

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


class LongSelect(Select):
    """A select of hundreds of options (every account), each written in one step: WTForms's
    own widget formats every option's attributes one by one, which was most of a page's time."""

    @classmethod
    def render_option(cls, choice, **kwargs) -> Markup:
        if choice.render_kw or kwargs or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = " selected" if choice.selected else ""
        label = escape(choice.label or choice.value)
        value = escape(choice.value)
        # Both escaped above (Markup.format would, slowly); attributes in html_params' order.
        return Markup(f'<option{selected} value="{value}">{label}</option>')  # noqa: S704


class EmptyForm(FlaskForm):
    """A CSRF-protected form for buttons that POST (logout, revoke...)."""
