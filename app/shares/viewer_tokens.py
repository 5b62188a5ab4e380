"""Viewer tokens: short-lived JWTs (HS256) naming one share and its studies."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from flask import current_app

from app.db_types import utcnow
from app.shares.models import Share
from app.shares.study_ref import StudyRef

ALGORITHM = "HS256"
ISSUER = "studyshare"
AUDIENCE = "orthanc-viewer"
TOKEN_TYPE = "viewer"  # noqa: S105  (a claim value, not a secret)
# The header and GET argument viewers carry a token in, besides Authorization (§5).
TOKEN_NAME = "token"  # noqa: S105  (a name, not a secret)


def strip_bearer(token: str | None) -> str | None:
    """The token without a leading `Bearer ` (any case) and spaces; None when empty."""
    if token is None:
        return None
    token = token.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    return token or None


class ViewerTokenError(Exception):
    """The token is not a valid viewer token (never says which secret was involved)."""


@dataclass(frozen=True)
class ViewerClaims:
    share_public_id: str
    studies: frozenset[StudyRef]
    expires_at: datetime

    def covers(self, study: StudyRef) -> bool:
        """The token was minted for this study (its UID and its Orthanc id)."""
        return study in self.studies


def signing_keys() -> Mapping[str, bytes]:
    """kid → key, the first one signing: VIEWER_TOKEN_KEYS as parsed at start, or without it
    the keys config derives from SECRET_KEY (signing) and SECRET_KEY_FALLBACKS (verifying)."""
    return current_app.config["VIEWER_TOKEN_KEYS"]


def mint_viewer_token(share: Share, now: datetime | None = None) -> str:
    """A token for the share's studies, valid for VIEWER_TOKEN_TTL, never past the share."""
    now = now or utcnow()
    expires = now + timedelta(seconds=current_app.config["VIEWER_TOKEN_TTL"])
    if share.expires_at is not None:
        expires = min(expires, share.expires_at)
    kid, key = next(iter(signing_keys().items()))
    refs = [study.ref for study in share.studies]
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": share.public_id,
        "typ": TOKEN_TYPE,
        "jti": secrets.token_urlsafe(12),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int(expires.timestamp()),
        "studies": [{"uid": ref.uid, "id": ref.orthanc_id} for ref in refs],
    }
    return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


def decode_viewer_token(token: str) -> ViewerClaims:
    """Verify signature, kid, algorithm, issuer, audience and times; raise ViewerTokenError."""
    try:
        header = jwt.get_unverified_header(token)
        key = signing_keys().get(header.get("kid", ""))
        if key is None:
            raise ViewerTokenError("unknown key")
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],  # pinned: "none" and other algorithms are refused
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iat", "nbf", "sub", "jti", "iss", "aud"]},
        )
    except jwt.PyJWTError as exc:
        raise ViewerTokenError(type(exc).__name__) from None
    studies = claims.get("studies")
    if claims.get("typ") != TOKEN_TYPE or not isinstance(studies, list):
        raise ViewerTokenError("not a viewer token")
    try:
        refs = frozenset(StudyRef(str(study["id"]), str(study["uid"])) for study in studies)
    except (TypeError, KeyError):
        raise ViewerTokenError("malformed studies") from None
    return ViewerClaims(
        share_public_id=str(claims["sub"]),
        studies=refs,
        expires_at=datetime.fromtimestamp(claims["exp"], tz=utcnow().tzinfo),
    )


class VerifiedTokens:
    """Claims of tokens whose signature this process has already checked.

    The plugin asks about the same token for every image a viewer loads; verifying the
    HMAC and parsing the claims again each time was most of the endpoint's cost. A token's
    claims never change, so reusing them is safe: the caller still checks their expiry on
    every call, and the share's state (revoked, locked, expired) comes from the share-state
    cache, never from here. Per app, because each app has its own keys.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._claims: dict[str, ViewerClaims] = {}
        self._lock = threading.Lock()

    def claims(self, token: str) -> ViewerClaims:
        """The token's claims; raise ViewerTokenError when it is not a valid viewer token."""
        claims = self._claims.get(token)
        if claims is not None:
            return claims
        claims = decode_viewer_token(token)  # only valid tokens are kept: garbage can't fill it
        with self._lock:
            if len(self._claims) >= self.max_entries:
                self._claims.clear()
            self._claims[token] = claims
        return claims


def is_expired_viewer_token(token: str) -> bool:
    """True for a genuine viewer token whose only fault is its age (for decode's error code)."""
    try:
        kid = jwt.get_unverified_header(token).get("kid", "")
        key = signing_keys().get(kid)
        if key is None:
            return False
        jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"verify_exp": False},
        )
    except jwt.PyJWTError:
        return False
    return True
