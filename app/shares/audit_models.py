"""AuditEvent: what happened to a share, and who did it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.shares.models import Share
from app.users.models import User


class ActorKind(StrEnum):
    USER = "user"
    RECIPIENT = "recipient"
    SYSTEM = "system"
    # An integration's API key, acting for its owner account (actor_user_id).
    API_KEY = "api_key"


class AuditEvent(db.Model):
    __tablename__ = "audit_events"
    # The audit log lists events newest first, all or of one kind or one user, paged by
    # cursor (app/shares/keyset.py): each index hands a page over without sorting.
    __table_args__ = (
        Index("ix_audit_events_created_at_id", "created_at", "id"),
        Index("ix_audit_events_kind_created_at_id", "kind", "created_at", "id"),
        Index("ix_audit_events_actor_user_id_created_at_id", "actor_user_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    share_id: Mapped[int | None] = mapped_column(
        ForeignKey("shares.id", ondelete="SET NULL"), index=True
    )
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="SET NULL"), index=True
    )
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(512))
    # What the recipient's access history shows: the /24 or /48 (never the address) and
    # "Firefox (Android)" (app/shares/request_origin.py).
    network: Mapped[str | None] = mapped_column(String(49))
    browser: Mapped[str | None] = mapped_column(String(60))
    # Never holds a secret, token, access code or password.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)

    share: Mapped[Share | None] = relationship()
    actor_user: Mapped[User | None] = relationship()
    # By name: app.api_keys is a sibling package this one does not import (app/models.py
    # imports both, so the mapper finds it).
    api_key = relationship("ApiKey")

    def __repr__(self) -> str:
        return f"<AuditEvent {self.kind} share={self.share_id}>"

    @property
    def actor_name(self) -> str:
        """Who acted, for the console: an API key (for its owner), a user, or the kind."""
        return actor_label(
            self.actor_kind,
            self.actor_user.email if self.actor_user else None,
            self.api_key.name if self.api_key is not None else None,
        )


def actor_label(actor_kind: str, user_email: str | None, api_key_name: str | None) -> str:
    """An event's actor in words, from its columns (the CSV export reads them without objects)."""
    if api_key_name is not None:
        owner = f" for {user_email}" if user_email else ""
        return f"API key {api_key_name}{owner}"
    return user_email or actor_kind
