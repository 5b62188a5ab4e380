"""What the validation endpoint needs to know of a share, read from the database.

Each snapshot is reused for at most `ttl` seconds (AUTHZ_STATE_CACHE_SECONDS), and the
validity returned to the plugin is shortened by the same amount, so a revocation is
always seen within AUTHZ_VALIDITY_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.shares.models import Share
from app.shares.snapshot import ShareSnapshot, load_snapshot

MAX_CACHED_SHARES = 10_000

log = logging.getLogger(__name__)


class ShareStateCache:
    """Per-process snapshots of shares, refreshed from the database after `ttl` seconds."""

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._entries: dict[str, tuple[float, ShareSnapshot | None]] = {}
        self._lock = threading.Lock()

    def get(self, public_id: str, now: datetime) -> ShareSnapshot | None:
        clock = time.monotonic()
        entry = self._entries.get(public_id)
        if entry is not None and clock - entry[0] < self.ttl:
            return entry[1]
        snapshot = load_snapshot(public_id)
        with self._lock:
            if len(self._entries) >= MAX_CACHED_SHARES:
                self._entries.clear()
            self._entries[public_id] = (clock, snapshot)
        return snapshot


class UsageRecorder:
    """Counts grants per share in memory and writes them at most every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._pending: dict[int, tuple[int, datetime]] = {}  # share id → (uses, last use)
        self._last_flush = time.monotonic()
        self._lock = threading.Lock()

    def count(self, share_id: int, now: datetime) -> None:
        with self._lock:
            self._add(share_id, 1, now)
            if time.monotonic() - self._last_flush < self.interval:
                return
        self.flush()

    def flush(self) -> None:
        """Write what is pending (in an app context); on a database error keep it for later."""
        with self._lock:
            pending, self._pending = self._pending, {}
            self._last_flush = time.monotonic()
        if not pending:
            return
        try:
            for share_id, (uses, last_used) in pending.items():
                db.session.execute(
                    update(Share)
                    .where(Share.id == share_id)
                    .values(use_count=Share.use_count + uses, last_used_at=last_used)
                )
            db.session.commit()
        except SQLAlchemyError as exc:
            # Statistics must not turn a valid grant into a denial: keep them for next time.
            db.session.rollback()
            log.warning("Share usage not written yet (%s); kept for later", type(exc).__name__)
            with self._lock:
                for share_id, (uses, last_used) in pending.items():
                    self._add(share_id, uses, last_used)

    def _add(self, share_id: int, uses: int, last_used: datetime) -> None:
        before, before_used = self._pending.get(share_id, (0, last_used))
        self._pending[share_id] = (before + uses, max(before_used, last_used))
