"""The validation rules of AUTHZ-CONTRACT.md §1: fail closed, GET on shared studies only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request

from app.authz.share_state import ShareStateCache
from app.input_guard import holds_unstorable_text
from app.shares.viewer_tokens import VerifiedTokens, ViewerTokenError, strip_bearer


class MalformedRequestError(Exception):
    """The body is not what the plugin sends; the message never echoes the token."""


@dataclass(frozen=True)
class ValidationRequest:
    method: str
    level: str
    orthanc_id: str | None
    dicom_uid: str | None
    token: str | None
    server_id: str | None


def json_body(request: Request) -> object:
    """The request's JSON, or None when it is not JSON (also: nested too deep to parse)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        return None


def _optional_text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None or isinstance(value, str):
        return value
    raise MalformedRequestError(f"'{key}' must be a string or null.")


def parse_request(body: object, header_token: str | None) -> ValidationRequest:
    """Check the types of the plugin's body; unknown keys (labels, identifier...) are ignored."""
    if not isinstance(body, dict):
        raise MalformedRequestError("The body must be a JSON object.")
    # This endpoint answers in front of Flask, so app/input_guard.py's hook never sees it.
    if holds_unstorable_text([body, header_token]):
        raise MalformedRequestError("The body holds a NUL or a lone surrogate.")
    method, level = body.get("method"), body.get("level")
    if not isinstance(method, str) or not isinstance(level, str):
        raise MalformedRequestError("'method' and 'level' are required strings.")
    token = _optional_text(body, "token-value")
    _optional_text(body, "token-key")
    return ValidationRequest(
        method=method.lower(),
        level=level.lower(),
        orthanc_id=_optional_text(body, "orthanc-id") or None,
        dicom_uid=_optional_text(body, "dicom-uid") or None,
        token=strip_bearer(token or header_token),
        server_id=_optional_text(body, "server-id"),
    )


@dataclass(frozen=True)
class Decision:
    granted: bool
    validity: int
    share_id: int | None = None


def decide(
    req: ValidationRequest,
    *,
    states: ShareStateCache,
    tokens: VerifiedTokens,
    now: datetime,
    cap_seconds: int,
    server_id: str | None,
) -> Decision:
    """Grant only a GET on one of the token's live share's studies, for at most `cap_seconds`."""
    denied = Decision(False, cap_seconds)
    if req.token is None:
        return denied
    if server_id is not None and req.server_id != server_id:
        return denied
    if req.method != "get" or req.level != "study":
        return denied
    if req.orthanc_id is None and req.dicom_uid is None:
        return denied
    try:
        claims = tokens.claims(req.token)
    except ViewerTokenError:
        return denied
    state = states.get(claims.share_public_id, now)
    if state is None or not state.is_live(now):
        return denied
    # Both ids given: both must name the same shared study.
    study = state.find_study(uid=req.dicom_uid, orthanc_id=req.orthanc_id)
    if study is None or not claims.covers(study):
        return denied
    expiry = min(claims.expires_at, state.expires_at) if state.expires_at else claims.expires_at
    seconds_left = math.floor((expiry - now).total_seconds())
    if seconds_left <= 0:
        return denied
    return Decision(True, min(cap_seconds, seconds_left), state.share_id)
