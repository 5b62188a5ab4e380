"""`Idempotency-Key` on share creation: a retry makes no second share, another body is refused.

The share service already turns a repeated creation key into the first share (with fresh
secrets, while nobody can have seen the first ones); this module only binds each client key
to the body it first came with, and names the creation key after both the API key and it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from app.api_keys.models import ApiIdempotencyKey, ApiKey
from app.db_types import utcnow
from app.extensions import db
from config import derive_key

MAX_IDEMPOTENCY_KEY = 255
# Past this the body check is dropped; the share's creation key still refuses a second share.
KEPT_FOR = timedelta(days=1)
FINGERPRINT_PURPOSE = b"studyshare api idempotency"


class IdempotencyMismatch(Exception):  # noqa: N818
    """The Idempotency-Key came before with another body."""


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()


def body_fingerprint(body: Any) -> str:
    """The same JSON, whatever its key order and spacing, has the same fingerprint.

    Keyed: a body can hold the share's password, which a plain hash would let anyone with
    the database guess offline.
    """
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    key = derive_key(current_app.config["SECRET_KEY"], FINGERPRINT_PURPOSE)
    return hmac.new(key, canonical.encode("utf-8", "replace"), hashlib.sha256).hexdigest()


def creation_key_for(api_key: ApiKey, idempotency_key: str, body: Any) -> str:
    """The share service's creation key for this request (64 hex characters, the column's size).

    Raises IdempotencyMismatch when the key was first sent with another body.
    """
    key_hash = _sha256(idempotency_key)
    body_hash = body_fingerprint(body)
    bound = _bound_body(api_key.id, key_hash)
    if bound is None:
        db.session.execute(
            delete(ApiIdempotencyKey).where(ApiIdempotencyKey.created_at < utcnow() - KEPT_FOR)
        )
        db.session.add(
            ApiIdempotencyKey(api_key_id=api_key.id, key_hash=key_hash, body_hash=body_hash)
        )
        try:
            db.session.commit()
            bound = body_hash
        except IntegrityError:  # a concurrent retry bound it first
            db.session.rollback()
            bound = _bound_body(api_key.id, key_hash)
    if bound != body_hash:
        raise IdempotencyMismatch
    # Namespaced by the API key: two integrations sending the same value never collide, and
    # the console's form keys (32 URL-safe characters) never look like these.
    return _sha256(f"api-key:{api_key.id}:{key_hash}")


def _bound_body(api_key_id: int, key_hash: str) -> str | None:
    return db.session.scalar(
        select(ApiIdempotencyKey.body_hash).where(
            ApiIdempotencyKey.api_key_id == api_key_id, ApiIdempotencyKey.key_hash == key_hash
        )
    )
