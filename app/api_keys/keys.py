"""Making, checking and revoking API keys: 256 random bits, shown once, stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from app.api_keys.models import ApiKey, Scope
from app.db_types import utcnow
from app.extensions import db
from app.users.models import User

# The prefix tells a leaked key apart in a log or a repository (secret scanners match it).
KEY_PREFIX = "ssk_"
KEY_BYTES = 32
KEY_PATTERN = re.compile(r"^ssk_[A-Za-z0-9_-]{43}$")
SHOWN_PREFIX_LENGTH = 12  # "ssk_" and 8 random characters: 48 of the key's 256 bits
# Writing last_used_at on every call would make each API call a write.
LAST_USED_PRECISION = timedelta(minutes=1)
MAX_NAME = 80
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ApiKeyError(Exception):
    """A key cannot be made or changed; the message is for the administrator."""


class KeyRefused(Exception):  # noqa: N818
    """The presented key opens nothing; the message says why, without any secret."""


@dataclass(frozen=True)
class CreatedKey:
    api_key: ApiKey
    key: str  # shown once


def hash_key(key: str) -> str:
    """SHA-256 is enough for a 256-bit random value: no dictionary to attack."""
    return hashlib.sha256(key.encode("ascii", "replace")).hexdigest()


def parse_scopes(values: Iterable[str]) -> list[Scope]:
    """The scopes named, in Scope order; ApiKeyError on an unknown one or none."""
    names = {value.strip() for value in values if value.strip()}
    unknown = sorted(names - set(Scope._value2member_map_))
    if unknown:
        choices = ", ".join(scope.value for scope in Scope)
        raise ApiKeyError(f"Unknown scope {unknown[0]!r}: choose from {choices}.")
    if not names:
        raise ApiKeyError("Give the key at least one scope.")
    return [scope for scope in Scope if scope.value in names]


def create_key(name: str, owner: User, scopes: Iterable[str]) -> CreatedKey:
    """Store a new key for `owner`; the clear key is returned once, never stored."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME or _CONTROL.search(name):
        raise ApiKeyError(f"The name must have 1 to {MAX_NAME} characters, on one line.")
    if not owner.active:
        raise ApiKeyError(f"{owner.email} is deactivated: choose an active owner.")
    chosen = parse_scopes(scopes)
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_BYTES)
    api_key = ApiKey(
        name=name,
        owner=owner,
        scopes=" ".join(scope.value for scope in chosen),
        key_hash=hash_key(key),
        prefix=key[:SHOWN_PREFIX_LENGTH],
    )
    db.session.add(api_key)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ApiKeyError(f"A key named {name!r} exists already: choose another name.") from None
    return CreatedKey(api_key, key)


def authenticate(presented: str) -> ApiKey:
    """The live key behind `presented`; KeyRefused otherwise. Notes its use."""
    api_key = None
    if KEY_PATTERN.fullmatch(presented):
        api_key = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(presented)))
    if api_key is None:
        raise KeyRefused("This API key is not valid.")
    if api_key.is_revoked:
        raise KeyRefused("This API key was revoked.")
    if not api_key.owner.active:
        raise KeyRefused("The account that owns this API key is deactivated.")
    _note_use(api_key)
    return api_key


def _note_use(api_key: ApiKey) -> None:
    now = utcnow()
    # One conditional UPDATE: concurrent calls of the same minute write the row once.
    written = db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == api_key.id)
        .where(or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now - LAST_USED_PRECISION))
        .values(last_used_at=now)
        .execution_options(synchronize_session=False)
    )
    if written.rowcount:
        db.session.commit()
        db.session.refresh(api_key)


def revoke_key(api_key: ApiKey) -> None:
    """Stop the key at once; its row stays, naming the actor of its past audit events."""
    if api_key.is_revoked:
        raise ApiKeyError(f"The key {api_key.name!r} is already revoked.")
    api_key.revoked_at = utcnow()
    db.session.commit()


def key_by_id(key_id: int) -> ApiKey | None:
    return db.session.get(ApiKey, key_id)


def all_keys() -> list[ApiKey]:
    """Every key, live ones first, newest first."""
    return list(
        db.session.scalars(
            select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc())
        )
    )
