"""Audit events written during an API call name the calling key.

The share services record the key's owner as the acting user (shares belong to that
account); this adds the key's name and id to each event's detail, in the same flush, so the
trail says which integration acted.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.shares.models import AuditEvent


def _name_the_key(session: Session, flush_context: Any, instances: Any) -> None:
    api_key = g.get("api_key") if has_request_context() else None
    if api_key is None:
        return
    for item in session.new:
        if isinstance(item, AuditEvent):
            item.detail = {**(item.detail or {}), "api_key": api_key.name, "api_key_id": api_key.id}


def install() -> None:
    """Listen on every session once (the app factory runs many times in tests)."""
    if not event.contains(Session, "before_flush", _name_the_key):
        event.listen(Session, "before_flush", _name_the_key)
