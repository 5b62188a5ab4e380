"""The keys of stored keyed hashes (access codes, birth dates), one per purpose.

Each is derived from SECRET_KEY (config.derive_key). After a rotation, SECRET_KEY_FALLBACKS
holds the former keys: values hashed under them are still accepted, new ones use the current
key, so shares made before the switch keep working.
"""

from __future__ import annotations

import hmac
from enum import Enum

from flask import current_app

from config import derive_key


class Purpose(Enum):
    ACCESS_CODES = b"studyshare access codes"
    BIRTH_DATES = b"studyshare birth dates"


def purpose_keys(purpose: Purpose) -> tuple[bytes, ...]:
    """This purpose's keys: the current one first (it makes new hashes), then the fallbacks'."""
    roots = (current_app.config["SECRET_KEY"], *current_app.config["SECRET_KEY_FALLBACKS"])
    # In hex: the form the first access codes were hashed under, so their hashes stay valid.
    return tuple(derive_key(root, purpose.value).hex().encode() for root in roots)


def current_key(purpose: Purpose) -> bytes:
    """The key new hashes for this purpose are made with."""
    return purpose_keys(purpose)[0]


def matches_any(stored: str, candidates: list[str]) -> bool:
    """Whether the stored hash is one of the candidates (one per key), in constant time."""
    # All compared, no early exit: the time says nothing of which key matched.
    results = [hmac.compare_digest(stored, candidate) for candidate in candidates]
    return any(results)
