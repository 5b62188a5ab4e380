"""Who is asking the gateway, and which studies that lets them reach.

A viewer token (`Authorization: Bearer`, a `token` header or `?token=`) or, without one, the
recipient's session cookie. The share's state is read from the database on every request,
so a revoked, expired or locked share stops at the next one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from werkzeug.wrappers import Request

from app.db_types import utcnow
from app.shares.recipient_session import unlocked_share_id
from app.shares.snapshot import load_snapshot
from app.shares.study_ref import StudyRef
from app.shares.viewer_tokens import TOKEN_NAME, VerifiedTokens, ViewerTokenError, strip_bearer

EXTENSION_KEY = "studyshare.gateway.tokens"
MAX_VERIFIED_TOKENS = 10_000


class NoAccess(Exception):  # noqa: N818  (the project's vocabulary, like OrthancNotFound)
    """No valid credential, or its share is no longer live; `message` is safe to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Grant:
    """What one request may reach: these studies of one live share."""

    share_id: int
    studies: tuple[StudyRef, ...]
    allow_download: bool

    def study(self, uid: str) -> StudyRef | None:
        return next((study for study in self.studies if study.uid == uid), None)

    @property
    def uids(self) -> frozenset[str]:
        return frozenset(study.uid for study in self.studies)


def _tokens() -> VerifiedTokens:
    tokens = current_app.extensions.get(EXTENSION_KEY)
    if tokens is None:
        tokens = current_app.extensions[EXTENSION_KEY] = VerifiedTokens(MAX_VERIFIED_TOKENS)
    return tokens


def _presented_tokens(request: Request) -> set[str]:
    found = {
        strip_bearer(request.headers.get("Authorization")),
        strip_bearer(request.headers.get(TOKEN_NAME)),
        *(strip_bearer(value) for value in request.args.getlist(TOKEN_NAME)),
    }
    return {token for token in found if token}


def request_grant(request: Request, recipient_session: Callable[[], Mapping[str, Any]]) -> Grant:
    """The grant of `request`; raise NoAccess. Inside an app context. Without a viewer
    token, the recipient's session (`recipient_session()`) is asked."""
    tokens = _presented_tokens(request)
    # Several different tokens: the real plugin grants when any one is valid, which lets a
    # token for one share ride along with another. Here it is refused outright.
    if len(tokens) > 1:
        raise NoAccess("Send one viewer token, not several.")
    claims = None
    if tokens:
        try:
            claims = _tokens().claims(tokens.pop())
        except ViewerTokenError:
            raise NoAccess("This viewer link is not valid (or has expired).") from None
        if claims.expires_at <= utcnow():
            raise NoAccess("This viewer link has expired.")
        public_id = claims.share_public_id
    else:
        public_id = unlocked_share_id(recipient_session())
        if public_id is None:
            raise NoAccess("Open your link again to view the images.")
    snapshot = load_snapshot(public_id)
    if snapshot is None or not snapshot.is_live(utcnow()):
        raise NoAccess("This share is no longer available.")
    studies = snapshot.studies
    if claims is not None:  # a token reaches the studies it was minted for, no others
        studies = tuple(study for study in studies if claims.covers(study))
    return Grant(snapshot.share_id, studies, snapshot.allow_download)
