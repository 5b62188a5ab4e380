"""A share's link and access code: issued, rotated, looked up and checked here.

tokens.py makes and hashes the secrets; this module applies them to shares, with the app's
public address and the access-code keys (secret_keys.py): new codes are hashed under the
current key, typed ones are also accepted under the keys of SECRET_KEY_FALLBACKS.
"""

from __future__ import annotations

from functools import cache

from flask import current_app
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.shares.models import Share
from app.shares.secret_keys import Purpose, current_key, matches_any, purpose_keys
from app.shares.tokens import (
    format_access_code,
    hash_access_code,
    hash_link_secret,
    looks_like_link_secret,
    new_access_code,
    new_link_secret,
    normalize_access_code,
)


def share_link(secret: str) -> str:
    """The address the recipient opens."""
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{secret}"


def issue(share: Share, *, access_code: bool) -> tuple[str, str | None]:
    """Give the share a new link secret (and access code, if asked), stored only as hashes.

    Returns them in clear, to be shown once; the old ones stop working at once.
    """
    secret = new_link_secret()
    code = new_access_code() if access_code else None
    store(share, secret, code)
    return secret, code


def store(share: Share, secret: str, code: str | None) -> None:
    """Make `secret` (and `code`) the share's, as hashes; the caller commits."""
    share.secret_hash = hash_link_secret(secret)
    share.access_code_hash = (
        hash_access_code(code, current_key(Purpose.ACCESS_CODES)) if code else None
    )


def next_secrets(share: Share) -> tuple[str, str | None]:
    """A new link, and a new access code if the share has one (a lost handout carries both,
    and the new handout needs the code); not stored yet (see `store`)."""
    return new_link_secret(), new_access_code() if share.access_code_hash is not None else None


def rotate(share: Share) -> tuple[str, str | None]:
    """next_secrets, stored: the old link and code stop working once committed."""
    secret, code = next_secrets(share)
    store(share, secret, code)
    return secret, code


def _with_owner():
    # The recipient's challenge page names the clinician who shared: in the same query.
    # Built per call: at import the mappers are not all known yet.
    return select(Share).options(joinedload(Share.owner))


@cache
def _by_secret_hash():
    # Built once (on first use, when the mappers are known): it runs for every visit of a
    # link, and SQLAlchemy computes a statement's cache key once per statement.
    return _with_owner().where(Share.secret_hash == bindparam("secret_hash"))


def share_by_secret(secret: str) -> Share | None:
    """The share behind a link secret, if any."""
    if not looks_like_link_secret(secret):
        return None
    return db.session.scalar(_by_secret_hash(), {"secret_hash": hash_link_secret(secret)})


def share_by_code(code: str) -> Share | None:
    """The share behind a typed access code, if any."""
    try:
        hashes = _access_code_hashes(code)
    except ValueError:
        return None
    return db.session.scalar(_with_owner().where(Share.access_code_hash.in_(hashes)))


def checked_access_code(share: Share, typed: str | None) -> str | None:
    """The typed access code, formatted, only if it really is this share's."""
    code = normalize_access_code(typed or "")
    if code is None or share.access_code_hash is None:
        return None
    if not matches_any(share.access_code_hash, _access_code_hashes(code)):
        return None
    return format_access_code(code)


def _access_code_hashes(code: str) -> list[str]:
    """The code's hash under each access-code key, current first; ValueError if not a code."""
    return [hash_access_code(code, key) for key in purpose_keys(Purpose.ACCESS_CODES)]
