"""Read-only share queries for the console."""

from __future__ import annotations

from functools import cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.keyset import Cursor, Keys, Page, keyset_page
from app.shares.models import Share, ShareState, ShareStudy
from app.studies.names import fold, words


@cache
def _live_share_counts() -> Select:
    # Built once (on first use, when the mappers are known): every results page of the
    # console asks it, and SQLAlchemy computes a statement's cache key once per statement.
    return (
        select(ShareStudy.source_orthanc_study_id, func.count(func.distinct(Share.id)))
        .join(Share, Share.id == ShareStudy.share_id)
        .where(ShareStudy.source_orthanc_study_id.in_(bindparam("ids", expanding=True)))
        .where(Share.live_condition(bindparam("now", type_=UTCDateTime())))
        .group_by(ShareStudy.source_orthanc_study_id)
    )


def live_share_counts(source_study_ids: list[str]) -> dict[str, int]:
    """How many live shares each of these Orthanc studies has (absent means none)."""
    if not source_study_ids:
        return {}
    rows = db.session.execute(
        _live_share_counts(), {"ids": list(source_study_ids), "now": utcnow()}
    )
    return dict(rows.tuples().all())


def shares_of_study(source_study_id: str) -> list[Share]:
    """Every share that includes this Orthanc study, newest first."""
    return list(
        db.session.scalars(
            select(Share)
            .join(ShareStudy, Share.id == ShareStudy.share_id)
            .where(ShareStudy.source_orthanc_study_id == source_study_id)
            .order_by(Share.created_at.desc())
            .distinct()
        )
    )


def may_see_share(share: Share, user) -> bool:
    """Whether the user owns the share or is an admin (others see nothing of it)."""
    return bool(user.is_admin or share.owner_id == user.id)


def share_for_user(public_id: str, user) -> Share | None:
    """The share if it exists and the user may see it."""
    share = Share.by_public_id(public_id)
    if share is None or not may_see_share(share, user):
        return None
    return share


def patient_condition(text: str) -> ColumnElement[bool]:
    """SQL: shares with a study of this patient, by ID (exact, any case) or name (as
    names.NameSearch matches it: every word, folded, in any order)."""
    # ILIKE without wildcards, not lower() = lower(): a trigram index answers it.
    by_id = ShareStudy.patient_id.ilike(_like_literal(text.strip()), escape="/")
    folded = [fold(word) for word in words(text)]
    by_name = and_(*(ShareStudy.patient_name_folded.contains(w, autoescape=True) for w in folded))
    return Share.studies.any(or_(by_id, by_name) if folded else by_id)


SHARE_KEYS = Keys(Share.created_at, Share.id)


def shares_matching(*, owner_id: int | None, state: ShareState | None, patient: str = "") -> Select:
    """SQL: the shares of this owner (None: everyone's), in this state, of this patient."""
    query = select(Share)
    if owner_id is not None:
        query = query.where(Share.owner_id == owner_id)
    if state is not None:
        query = query.where(Share.state_condition(state, utcnow()))
    if patient.strip():
        query = query.where(patient_condition(patient))
    return query


def page_of_shares(
    query: Select,
    per_page: int,
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
) -> Page[Share]:
    """A page of these shares, newest first, with what the list shows of each loaded."""
    # Loaded with the page, not row by row as the template reads them.
    query = query.options(selectinload(Share.studies), joinedload(Share.owner))
    return keyset_page(query, SHARE_KEYS, per_page, after=after, before=before)


def _like_literal(text: str) -> str:
    """`text` as a LIKE pattern that matches only itself (escaped with "/")."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def list_shares(
    *,
    owner_id: int | None,
    state: ShareState | None,
    page: int,
    per_page: int,
    patient: str = "",
) -> tuple[list[Share], bool]:
    """A numbered page of shares, newest first, and whether another page follows (the CLI's:
    the console pages with cursors, page_of_shares)."""
    query = shares_matching(owner_id=owner_id, state=state, patient=patient)
    query = query.order_by(Share.created_at.desc(), Share.id.desc())
    rows = db.session.scalars(query.offset((page - 1) * per_page).limit(per_page + 1)).all()
    return list(rows[:per_page]), len(rows) > per_page


def audit_trail(share: Share) -> list[AuditEvent]:
    """The share's events, oldest first."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.share_id == share.id)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        )
    )
