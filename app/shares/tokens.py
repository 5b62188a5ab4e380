"""Link secrets, public ids and access codes: generated here, stored only as hashes."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

# 128 random bits in 22 URL-safe characters: short enough for a small QR code, and
# Orthanc 1.10 never has to percent-decode it.
LINK_SECRET_BYTES = 16
LINK_SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")

# Crockford's base32: no I, L, O or U, so a code read aloud or from paper is unambiguous.
CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ACCESS_CODE_LENGTH = 10  # 50 bits, rate-limited: enough for a code that is typed by hand
_CONFUSABLES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def new_link_secret() -> str:
    """A fresh link secret, e.g. for `/s/<secret>`."""
    return secrets.token_urlsafe(LINK_SECRET_BYTES)


def hash_link_secret(secret: str) -> str:
    """SHA-256 is enough for a 128-bit random value: no dictionary to attack."""
    return hashlib.sha256(secret.encode("ascii", "replace")).hexdigest()


def looks_like_link_secret(text: str) -> bool:
    return bool(LINK_SECRET_PATTERN.fullmatch(text))


def new_public_id() -> str:
    """A short, non-secret name for a share in the console and the audit log."""
    return "sh-" + secrets.token_hex(6)


def new_access_code() -> str:
    """A human-typable code, grouped for reading: XXXX-XXXX-XX."""
    code = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return format_access_code(code)


def format_access_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalize_access_code(typed: str) -> str | None:
    """Tolerate case, spaces, dashes and confusable letters; None if it cannot be a code."""
    cleaned = re.sub(r"[\s\-_.]", "", typed.upper()).translate(_CONFUSABLES)
    if len(cleaned) != ACCESS_CODE_LENGTH or any(c not in CROCKFORD_ALPHABET for c in cleaned):
        return None
    return cleaned


def keyed_hash(text: str, key: bytes) -> str:
    """HMAC-SHA256 of a short secret (an access code, a birth date): its few bits could be
    brute-forced from a leaked plain hash, not without the key."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def hash_access_code(code: str, key: bytes) -> str:
    """The keyed hash of a code, normalized first; ValueError if it cannot be a code."""
    normalized = normalize_access_code(code)
    if normalized is None:
        raise ValueError("not an access code")
    return keyed_hash(normalized, key)


def secret_matches(secret_hash: str, secret: str) -> bool:
    """Whether `secret` is the link secret behind `secret_hash` (constant-time)."""
    if not looks_like_link_secret(secret):
        return False
    return hmac.compare_digest(secret_hash, hash_link_secret(secret))


def new_share_password() -> str:
    """A generated share password, easy to read out or copy: XXXX-XXXX-XXXX (60 bits)."""
    code = "".join(secrets.choice(CROCKFORD_ALPHABET) for _ in range(12))
    return format_access_code(code)
