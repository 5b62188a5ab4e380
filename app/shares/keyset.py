"""Keyset paging, newest first: a page starts next to the row its cursor names.

OFFSET makes the database read and drop every row before the page, so the thousandth page
of the audit log costs a thousand pages; a cursor (a row's creation time and id, the order's
two keys) lets an index start right there. Rows added meanwhile never shift a page: no row is
shown twice or skipped between pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import ColumnElement, Select, literal, tuple_

from app.extensions import db

Row = TypeVar("Row")

# "<microseconds since 1970>.<id>": what the page links carry in `after` and `before`.
CURSOR_PATTERN = re.compile(r"^\d{1,16}\.\d{1,18}$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    created_at: datetime
    id: int

    def __str__(self) -> str:
        delta = self.created_at - _EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return f"{micros}.{self.id}"

    @classmethod
    def parse(cls, text: str | None) -> Cursor | None:
        """The cursor a link carries; None for none or a malformed one (forms refuse those)."""
        if not text or not CURSOR_PATTERN.fullmatch(text):
            return None
        micros, row_id = text.split(".")
        try:
            return cls(_EPOCH + timedelta(microseconds=int(micros)), int(row_id))
        except OverflowError:
            return None


@dataclass(frozen=True)
class Page(Generic[Row]):
    rows: list[Row]
    newer: Cursor | None  # `before` of the previous page, when there is one
    older: Cursor | None  # `after` of the next page, when there is one


@dataclass(frozen=True)
class Keys:
    """The two columns a listing is ordered by, newest first (an index holds both)."""

    created_at: ColumnElement
    id: ColumnElement

    def cursor_of(self, row: object) -> Cursor:
        return Cursor(getattr(row, self.created_at.key), getattr(row, self.id.key))

    def beyond(self, cursor: Cursor, newer: bool) -> ColumnElement[bool]:
        # A row comparison, which a two-column index answers directly (PostgreSQL, SQLite).
        keys = tuple_(self.created_at, self.id)
        bound = tuple_(
            literal(cursor.created_at, self.created_at.type), literal(cursor.id, self.id.type)
        )
        return keys > bound if newer else keys < bound


def keyset_page(
    query: Select,
    keys: Keys,
    per_page: int,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    fetch: Callable[[Select], list] | None = None,
) -> Page:
    """The page of `query` just older than `after`, just newer than `before`, or the newest."""
    fetch = fetch or _fetch
    query = query.order_by(None)
    if before is not None:
        oldest_first = query.where(keys.beyond(before, newer=True))
        rows = fetch(oldest_first.order_by(keys.created_at, keys.id).limit(per_page + 1))
        more = len(rows) > per_page
        rows = rows[:per_page][::-1]
        return Page(
            rows,
            newer=keys.cursor_of(rows[0]) if more else None,
            older=keys.cursor_of(rows[-1]) if rows else None,
        )
    if after is not None:
        query = query.where(keys.beyond(after, newer=False))
    rows = fetch(query.order_by(keys.created_at.desc(), keys.id.desc()).limit(per_page + 1))
    more = len(rows) > per_page
    rows = rows[:per_page]
    return Page(
        rows,
        newer=keys.cursor_of(rows[0]) if after is not None and rows else None,
        older=keys.cursor_of(rows[-1]) if more else None,
    )


def _fetch(query: Select) -> list:
    # unique(): a joined eager load repeats an entity per joined row.
    return list(db.session.scalars(query).unique().all())
