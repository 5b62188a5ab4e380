"""Console lists paged by cursor (app/shares/keyset.py): the form fields and the page links."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Optional, Regexp

from app.clinician.query_urls import with_current_query
from app.shares.keyset import CURSOR_PATTERN, Cursor, Page

CURSOR_MESSAGE = "This page link is damaged: start again from the newest page."


class CursorForm(FlaskForm):
    """A list's filter form, with the cursor its page links add (never shown as fields)."""

    after = StringField(
        "Older than", validators=[Optional(), Regexp(CURSOR_PATTERN, 0, CURSOR_MESSAGE)]
    )
    before = StringField(
        "Newer than", validators=[Optional(), Regexp(CURSOR_PATTERN, 0, CURSOR_MESSAGE)]
    )

    def cursors(self) -> dict[str, Cursor | None]:
        """`after` and `before` for keyset_page()."""
        return {"after": Cursor.parse(self.after.data), "before": Cursor.parse(self.before.data)}


@dataclass(frozen=True)
class PageLinks:
    newest: str | None
    newer: str | None
    older: str | None


def page_links(endpoint: str, page: Page) -> PageLinks:
    """Links to the pages around `page` that keep this request's filters."""

    # `page` is what numbered links carried before cursors: a bookmark of one must not stick.
    def link(**cursor: str | None) -> str:
        return with_current_query(endpoint, page=None, **cursor)

    paged = bool(request.args.get("after") or request.args.get("before"))
    return PageLinks(
        newest=link(after=None, before=None) if paged else None,
        newer=link(after=None, before=str(page.newer)) if page.newer else None,
        older=link(before=None, after=str(page.older)) if page.older else None,
    )
