"""Searching the audit log for the admin page and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from app.email_address import account_email
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import Share
from app.users.models import User

CSV_COLUMNS = ("time_utc", "share", "kind", "actor", "ip", "user_agent", "detail")


@dataclass(frozen=True)
class AuditFilter:
    share_public_id: str = ""
    kind: str = ""
    actor_email: str = ""
    day_from: date | None = None
    day_to: date | None = None

    def query(self) -> Select:
        """Newest first; day bounds are whole UTC days."""
        query = (
            select(AuditEvent)
            .options(
                joinedload(AuditEvent.share),
                joinedload(AuditEvent.actor_user),
                joinedload(AuditEvent.api_key),
            )
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
        if self.share_public_id:
            query = query.join(Share, AuditEvent.share_id == Share.id).where(
                Share.public_id == self.share_public_id
            )
        if self.kind:
            query = query.where(AuditEvent.kind == self.kind)
        if self.actor_email:
            query = query.join(User, AuditEvent.actor_user_id == User.id).where(
                User.email == account_email(self.actor_email)
            )
        if self.day_from:
            query = query.where(
                AuditEvent.created_at >= datetime.combine(self.day_from, time(), UTC)
            )
        if self.day_to:
            end = datetime.combine(self.day_to + timedelta(days=1), time(), UTC)
            query = query.where(AuditEvent.created_at < end)
        return query


def audit_page(
    audit_filter: AuditFilter, page: int, per_page: int
) -> tuple[list[AuditEvent], bool]:
    rows = (
        db.session.scalars(audit_filter.query().offset((page - 1) * per_page).limit(per_page + 1))
        .unique()
        .all()
    )
    return list(rows[:per_page]), len(rows) > per_page


def _csv_line(values: tuple[object, ...]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(values)
    return buffer.getvalue()


def _safe_cell(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas: keep them text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def audit_csv(audit_filter: AuditFilter, batch: int = 500) -> Iterator[str]:
    """The matching events as CSV lines, fetched in batches (the log can be large).

    The first batch is read now, before the caller starts the download: a filter the database
    refuses, or a database that is down, raises here and gets an error page, not a file cut
    short after its 200.
    """
    return _csv_lines(audit_filter, _events(audit_filter, 0, batch), batch)


def _events(audit_filter: AuditFilter, offset: int, batch: int) -> list[AuditEvent]:
    query = audit_filter.query().offset(offset).limit(batch)
    return list(db.session.scalars(query).unique().all())


def _csv_lines(audit_filter: AuditFilter, events: list[AuditEvent], batch: int) -> Iterator[str]:
    yield _csv_line(CSV_COLUMNS)
    offset = 0
    while True:
        for event in events:
            yield _csv_line(
                tuple(
                    _safe_cell(str(value))
                    for value in (
                        event.created_at.isoformat(),
                        event.share.public_id if event.share else "",
                        event.kind,
                        event.actor_name,
                        event.ip or "",
                        event.user_agent or "",
                        _detail_text(event.detail),
                    )
                )
            )
        if len(events) < batch:
            return
        offset += batch
        events = _events(audit_filter, offset, batch)


def _detail_text(detail: dict | None) -> str:
    return "; ".join(f"{key}={value}" for key, value in (detail or {}).items())
