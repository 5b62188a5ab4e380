"""PATCH /api/v1/shares/{id}: the console's edits after sending, checked against `version`.

Every rule of an edit is app/shares/editing.py's; this module reads the body's types, names
the studies, and maps the refusals: ShareError 422 (share_views.share_refused), a stale
`version` 409.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from werkzeug.exceptions import BadRequest

from app.api import bp
from app.api import json_input as read
from app.api.key_auth import current_key, requires
from app.api.share_requests import MAX_IDENTIFIER, study_id
from app.api.share_views import visible_share
from app.api_keys.models import Scope
from app.orthanc.client import OrthancClient
from app.orthanc.flask_client import get_orthanc
from app.shares import editing, lifecycle
from app.shares.facts import share_facts
from app.shares.models import ChallengeKind, Share
from app.shares.options import MAX_NOTE, MAX_STUDIES, ShareError
from app.shares.versions import StaleShareError

EDIT_FIELDS = frozenset(
    {"version", "add_studies", "remove_studies", "expires_on", "challenge", "password",
     "renew_password", "birth_date", "allow_download", "language", "note"}
)  # fmt: skip
CHALLENGE_DETAILS = ("password", "renew_password", "birth_date")


@bp.patch("/shares/<share_id>")
@requires(Scope.SHARES_UPDATE)
def edit_share_route(share_id: str):
    """Change a share after it was sent; a new challenge password is in this answer only."""
    body = read.json_object(EDIT_FIELDS)
    version = read.whole(body, "version")
    if version is None:
        abort(400, "Send the share's `version` as last read (GET it): changes are checked.")
    share = visible_share(share_id)
    client = get_orthanc()
    try:
        result = editing.edit_share(
            share, edit_from(body, share, client), client, user=current_key().owner, version=version
        )
    except StaleShareError:
        abort(409, "The share changed since `version` was read: GET it and try again.")
    return {**share_facts(share), "changes": result.changes, "password": result.password}


def edit_from(body: dict[str, Any], share: Share, client: OrthancClient) -> editing.ShareEdit:
    """The ShareEdit a body asks for: absent fields stay as they are."""
    challenge = read.text(body, "challenge", max_length=20)
    if challenge is not None and challenge not in ChallengeKind._value2member_map_:
        abort(400, "`challenge` must be one of " + ", ".join(k.value for k in ChallengeKind) + ".")
    if challenge is None and any(body.get(name) for name in CHALLENGE_DETAILS):
        abort(400, "`password`, `renew_password` and `birth_date` go with `challenge`.")
    return editing.ShareEdit(
        add_study_ids=tuple(study_id(e, client) for e in _entries(body, "add_studies")),
        remove_study_ids=tuple(_held_study(share, e) for e in _entries(body, "remove_studies")),
        expires_at=_expiry(body),
        challenge=ChallengeKind(challenge) if challenge else None,
        password=read.text(body, "password", max_length=200),
        renew=read.flag(body, "renew_password", False),
        birth_date=read.iso_date(body.get("birth_date"), "birth_date"),
        allow_download=read.flag(body, "allow_download", True)
        if "allow_download" in body
        else None,
        language=read.text(body, "language", max_length=8),
        # null or "" clears the note; absent keeps it.
        note=(read.text(body, "note", max_length=MAX_NOTE) or "") if "note" in body else None,
    )


def _entries(body: dict[str, Any], name: str) -> list[Any]:
    entries = body.get(name, [])
    if not isinstance(entries, list):
        abort(400, f"`{name}` must be a list of studies.")
    if len(entries) > MAX_STUDIES:
        raise ShareError(f"A share can hold at most {MAX_STUDIES} studies.")
    return entries


def _held_study(share: Share, entry: Any) -> str:
    """A study of the share, by its `id` or StudyInstanceUID (it may be gone from Orthanc)."""
    if isinstance(entry, str) and 0 < len(entry) <= MAX_IDENTIFIER:
        return entry  # editing checks that the share holds it
    if isinstance(entry, dict) and set(entry) == {"study_instance_uid"}:
        uid = entry["study_instance_uid"]
        for study in share.studies:
            if study.study_instance_uid == uid:
                return study.source_orthanc_study_id
        raise ShareError(
            f"No study with StudyInstanceUID {str(uid)[:MAX_IDENTIFIER]} is in this share."
        )
    raise BadRequest('Each study to remove is its `id` in the share or {"study_instance_uid": …}.')


def _expiry(body: dict[str, Any]) -> Any:
    """The expiry `expires_on` asks for: the end of that day, None for never, or UNCHANGED."""
    if "expires_on" not in body:
        return editing.UNCHANGED
    if body["expires_on"] is None:
        return None  # never: refused unless the administrator allows it
    day = read.iso_date(body["expires_on"] or "-", "expires_on")
    try:
        return lifecycle.expiry_on(day)
    except OverflowError:  # a year at the calendar's very end, after the time-zone shift
        raise ShareError("The new expiry is too far away.") from None
