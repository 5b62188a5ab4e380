"""Read-only share queries used outside the share pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from app.db_types import utcnow
from app.extensions import db
from app.shares.models import Share, ShareStudy


def live_condition(now: datetime):
    """SQL condition: not revoked, not locked, not expired."""
    return (
        Share.revoked_at.is_(None)
        & Share.locked_at.is_(None)
        & or_(Share.expires_at.is_(None), Share.expires_at > now)
    )


def live_share_counts(source_study_ids: list[str]) -> dict[str, int]:
    """How many live shares each of these Orthanc studies has (absent means none)."""
    if not source_study_ids:
        return {}
    rows = db.session.execute(
        select(ShareStudy.source_orthanc_study_id, func.count(func.distinct(Share.id)))
        .join(Share, Share.id == ShareStudy.share_id)
        .where(ShareStudy.source_orthanc_study_id.in_(source_study_ids))
        .where(live_condition(utcnow()))
        .group_by(ShareStudy.source_orthanc_study_id)
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
