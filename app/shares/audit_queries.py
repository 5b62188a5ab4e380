"""Searching the audit log for the admin page and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, Row, inspect, select
from sqlalchemy.orm import joinedload

from app.email_address import account_email
from app.extensions import db
from app.shares.audit_models import AuditEvent, actor_label
from app.shares.keyset import Cursor, Keys, Page, keyset_page
from app.shares.models import Share
from app.users.models import User

CSV_COLUMNS = ("time_utc", "share", "kind", "actor", "ip", "user_agent", "detail")


AUDIT_KEYS = Keys(AuditEvent.created_at, AuditEvent.id)


@dataclass(frozen=True)
class AuditFilter:
    share_public_id: str = ""
    kind: str = ""
    actor_email: str = ""
    day_from: date | None = None
    day_to: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL: the matching events; day bounds are whole UTC days."""
        # Subqueries, not joins: each filter is then one indexed column of audit_events, and
        # the same conditions serve the page (entities) and the CSV export (bare columns).
        conditions: list[ColumnElement[bool]] = []
        if self.share_public_id:
            share = select(Share.id).where(Share.public_id == self.share_public_id)
            conditions.append(AuditEvent.share_id == share.scalar_subquery())
        if self.kind:
            conditions.append(AuditEvent.kind == self.kind)
        if self.actor_email:
            user = select(User.id).where(User.email == account_email(self.actor_email))
            conditions.append(AuditEvent.actor_user_id == user.scalar_subquery())
        if self.day_from:
            conditions.append(AuditEvent.created_at >= datetime.combine(self.day_from, time(), UTC))
        if self.day_to:
            end = datetime.combine(self.day_to + timedelta(days=1), time(), UTC)
            conditions.append(AuditEvent.created_at < end)
        return conditions


def audit_page(
    audit_filter: AuditFilter,
    per_page: int,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> Page[AuditEvent]:
    """A page of the matching events, newest first, with their share and actor loaded."""
    query = (
        select(AuditEvent)
        .options(
            joinedload(AuditEvent.share),
            joinedload(AuditEvent.actor_user),
            joinedload(AuditEvent.api_key),
        )
        .where(*audit_filter.conditions())
    )
    return keyset_page(query, AUDIT_KEYS, per_page, after=after, before=before)


def _csv_line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas: keep them text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv(audit_filter: AuditFilter, batch: int = 2000) -> Iterator[str]:
    """The matching events as CSV lines, fetched in batches (the log can be large).

    The first batch is read now, before the caller starts the download: a filter the database
    refuses, or a database that is down, raises here and gets an error page, not a file cut
    short after its 200.
    """
    return _csv_lines(audit_filter, _csv_rows(audit_filter, None, batch), batch)


def _csv_rows(audit_filter: AuditFilter, after: Cursor | None, batch: int) -> list[Row]:
    # Bare columns, not entities: millions of rows stream at a steady, small memory cost.
    api_key = _api_key_entity()
    query = (
        select(
            AuditEvent.created_at,
            AuditEvent.id,
            Share.public_id,
            AuditEvent.kind,
            AuditEvent.actor_kind,
            User.email,
            api_key.name,
            AuditEvent.ip,
            AuditEvent.user_agent,
            AuditEvent.detail,
        )
        .outerjoin(Share, AuditEvent.share_id == Share.id)
        .outerjoin(User, AuditEvent.actor_user_id == User.id)
        .outerjoin(api_key, AuditEvent.api_key_id == api_key.id)
        .where(*audit_filter.conditions())
    )
    if after is not None:
        query = query.where(AUDIT_KEYS.beyond(after, newer=False))
    query = query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(batch)
    return list(db.session.execute(query).all())


def _api_key_entity():
    # Through the relationship: app.api_keys is a sibling package this one does not import.
    return inspect(AuditEvent).relationships["api_key"].mapper.class_


def _csv_lines(audit_filter: AuditFilter, rows: list[Row], batch: int) -> Iterator[str]:
    yield _csv_line(CSV_COLUMNS)
    while True:
        # A batch at a time: the server writes each piece it is given in a call of its own.
        if rows:
            yield _csv_text(rows)
        if len(rows) < batch:
            return
        last = rows[-1]
        rows = _csv_rows(audit_filter, Cursor(last.created_at, last.id), batch)


def _csv_text(rows: list[Row]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        tuple(
            _safe_cell(str(value))
            for value in (
                row.created_at.isoformat(),
                row.public_id or "",
                row.kind,
                actor_label(row.actor_kind, row.email, row.name),
                row.ip or "",
                row.user_agent or "",
                _detail_text(row.detail),
            )
        )
        for row in rows
    )
    return buffer.getvalue()


def _detail_text(detail: dict | None) -> str:
    return "; ".join(f"{key}={value}" for key, value in (detail or {}).items())
