"""ApiKey and ApiIdempotencyKey: who may call the integration API, and what it already did."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.users.models import User


class Scope(StrEnum):
    SHARES_CREATE = "shares:create"
    SHARES_READ = "shares:read"
    SHARES_REVOKE = "shares:revoke"
    SHARES_UPDATE = "shares:update"  # edits after sending (PATCH)
    STUDIES_SEARCH = "studies:search"


class ApiKey(db.Model):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Names the integration in lists and as the actor of its audit events.
    name: Mapped[str] = mapped_column(String(80), unique=True)
    # Shares made with the key belong to this account; a deactivated owner stops the key.
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Space-separated Scope values.
    scopes: Mapped[str] = mapped_column(String(200))
    # SHA-256 of the key; the key itself is shown once and never stored.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The key's first characters: enough to tell keys apart in a list, useless to an attacker.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    owner: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.prefix}>"

    @property
    def scope_set(self) -> frozenset[Scope]:
        return frozenset(Scope(s) for s in self.scopes.split() if s in Scope._value2member_map_)

    def allows(self, scope: Scope) -> bool:
        return scope in self.scope_set

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ApiIdempotencyKey(db.Model):
    """An `Idempotency-Key` a key sent with a create, bound to the body it first came with."""

    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("api_key_id", "key_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    # SHA-256 of the header's value: the client's text is not kept.
    key_hash: Mapped[str] = mapped_column(String(64))
    # Keyed hash of the canonical JSON body: another body under the same key is refused.
    body_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
