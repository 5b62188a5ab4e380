"""What a share's viewers may reach, read from the database in one query.

The token service and the DICOMweb gateway decide on this snapshot, not on the ORM object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select

from app.extensions import db
from app.shares.models import Share, ShareStudy, state_of
from app.shares.study_ref import StudyRef


@dataclass(frozen=True)
class ShareSnapshot:
    share_id: int
    revoked: bool
    locked: bool
    expires_at: datetime | None
    allow_download: bool
    studies: tuple[StudyRef, ...]

    def is_live(self, now: datetime) -> bool:
        # Opens are not loaded: a used-up share is as live as an active one.
        state = state_of(
            revoked=self.revoked, locked=self.locked, expires_at=self.expires_at, now=now
        )
        return state.is_live

    def find_study(self, *, uid: str | None, orthanc_id: str | None) -> StudyRef | None:
        """The shared study matching every id given (callers give at least one)."""
        for study in self.studies:
            if (uid is None or uid == study.uid) and (
                orthanc_id is None or orthanc_id == study.orthanc_id
            ):
                return study
        return None


_SNAPSHOT_QUERY = (
    select(
        Share.id,
        Share.revoked_at,
        Share.locked_at,
        Share.expires_at,
        Share.allow_download,
        ShareStudy.study_instance_uid,
        ShareStudy.orthanc_study_id,
    )
    .outerjoin(ShareStudy, ShareStudy.share_id == Share.id)
    .where(Share.public_id == bindparam("public_id"))
)


def load_snapshot(public_id: str) -> ShareSnapshot | None:
    """One query: the share's state and its studies' ids."""
    # Built once and run on a pooled connection of its own, not through the ORM session: the
    # gateway asks this for every image, and the session's set-up and teardown cost more
    # than the query.
    with db.engine.connect() as connection:
        rows = connection.execute(_SNAPSHOT_QUERY, {"public_id": public_id}).all()
    if not rows:
        return None
    first = rows[0]
    return ShareSnapshot(
        share_id=first.id,
        revoked=first.revoked_at is not None,
        locked=first.locked_at is not None,
        expires_at=first.expires_at,
        allow_download=first.allow_download,
        studies=tuple(
            StudyRef(row.orthanc_study_id, row.study_instance_uid)
            for row in rows
            if row.study_instance_uid is not None
        ),
    )
