"""Edits of one share never overwrite each other: each claims the version it was made from."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update

from app.extensions import db
from app.shares.models import Share


class StaleShareError(Exception):
    """The share changed since the page (or request) the edit was made from read it."""


def claim_version(share: Share, expected: int | None) -> None:
    """Bump the share's version, in one statement, if it is still `expected` (None: any).

    The row stays locked until the caller commits, so of two concurrent edits made from the
    same version exactly one passes, on every instance and database.
    """
    condition = Share.id == share.id
    if expected is not None:
        condition &= Share.version == expected
    bumped = db.session.execute(
        update(Share)
        .where(condition)
        .values(version=Share.version + 1)
        .returning(Share.version)
        .execution_options(synchronize_session=False)
    ).first()
    if bumped is None:
        db.session.rollback()
        raise StaleShareError(share.public_id)
    db.session.expire(share, ["version"])


def change(before: Any, after: Any) -> dict[str, Any]:
    """One audited change, old and new value, as JSON."""
    return {"from": _json(before), "to": _json(after)}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json(item) for item in value]
    return value
