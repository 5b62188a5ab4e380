"""Changing a share after it was sent: every rule of an edit, checked before anything changes.

Each change is audited with its old and new value (a password only as "changed", a birth
date never), and the edit claims the version it was made from (app/shares/versions.py).
Viewers read the share's studies and download flag on every request (app/shares/snapshot.py),
so a removed study or a withdrawn download stops at the next request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancNotFound
from app.shares import lifecycle, study_changes
from app.shares.audit import AuditKind, record
from app.shares.birth_dates import birth_date_hash
from app.shares.models import ChallengeKind, Share
from app.shares.options import ShareError, ShareOptions, validate_options
from app.shares.tokens import new_share_password
from app.shares.versions import change, claim_version
from app.users.models import User
from app.users.passwords import hash_password
from app.web_sessions import end_share_sessions

UNCHANGED: Any = object()  # an expiry left as it is (None means "never expires")


@dataclass(frozen=True)
class ShareEdit:
    """What to change; None (or UNCHANGED for the expiry) leaves a setting as it is."""

    add_study_ids: tuple[str, ...] = ()  # Orthanc ids of studies of the same patient
    remove_study_ids: tuple[str, ...] = ()  # Orthanc ids of the clinician's source studies
    expires_at: datetime | None = UNCHANGED
    extend_days: int | None = None
    challenge: ChallengeKind | None = None
    password: str | None = None  # for a password challenge; empty: one is generated
    renew: bool = False  # ask the same challenge again with a new (generated) password
    birth_date: date | None = None  # for a birth-date challenge; empty: the archive's
    allow_download: bool | None = None
    language: str | None = None
    note: str | None = None  # "" clears it


@dataclass(frozen=True)
class EditResult:
    changes: dict[str, Any] = field(default_factory=dict)  # as audited
    password: str | None = None  # a new challenge password: shown once, never stored


def edit_share(
    share: Share,
    edit: ShareEdit,
    client: OrthancClient,
    *,
    user: User | None,
    version: int | None,
) -> EditResult:
    """Check and apply an edit, commit it, and audit it; raise ShareError (nothing changed)
    or StaleShareError (the share changed since `version`)."""
    if share.revoked_at is not None:
        raise ShareError("A revoked share cannot be changed; create a new one.")
    changes: dict[str, Any] = {}
    plan = study_changes.plan(share, edit.add_study_ids, edit.remove_study_ids)
    password = None
    if edit.challenge is not None and edit.challenge.asks_password:
        password = edit.password or new_share_password()
    _validate(share, edit, list(plan.after), password)
    settings = _settings(share, edit, changes)
    expiry = _expiry(share, edit, changes)
    challenge = _challenge(share, edit, password, client, changes)
    if plan.added:
        plan = study_changes.fetch_added(plan, client)
    if plan.changed:
        changes["studies"] = change(plan.before, plan.after)
    if not changes:
        return EditResult()
    copies = study_changes.removed_copies(share, plan)
    claim_version(share, version)
    try:
        study_changes.apply(share, plan, client)
        for name, value in settings.items():
            setattr(share, name, value)
        if expiry is not UNCHANGED:
            share.expires_at = expiry
        if challenge is not None:
            _apply_challenge(share, challenge)
        record(AuditKind.EDITED, share, user=user, detail=changes)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    study_changes.delete_copies(client, copies)
    return EditResult(changes, challenge.password if challenge else None)


def _settings(share: Share, edit: ShareEdit, changes: dict[str, Any]) -> dict[str, Any]:
    wanted: dict[str, Any] = {}
    if edit.allow_download is not None:
        wanted["allow_download"] = edit.allow_download
    if edit.language is not None:
        wanted["language"] = edit.language
    if edit.note is not None:
        wanted["note"] = edit.note.strip() or None
    wanted = {name: value for name, value in wanted.items() if getattr(share, name) != value}
    changes.update({name: change(getattr(share, name), value) for name, value in wanted.items()})
    return wanted


def _validate(share: Share, edit: ShareEdit, study_ids: list[str], password: str | None) -> None:
    """The creation rules (options.validate_options) on the share as it would be."""
    validate_options(
        ShareOptions(
            study_ids=study_ids,
            expires_in_days=None,  # checked by lifecycle's expiry rules
            # An unchanged challenge is not checked again: its password is not known.
            challenge=edit.challenge if password else ChallengeKind.NONE,
            password=password,
            birth_date=edit.birth_date,
            language=edit.language or share.language,
            note=share.note if edit.note is None else edit.note,
        ),
        allow_never=True,
    )


def _expiry(share: Share, edit: ShareEdit, changes: dict[str, Any]) -> datetime | None:
    now = utcnow()
    if edit.extend_days is not None and edit.expires_at is not UNCHANGED:
        raise ShareError("Either extend the share or set its expiry, not both.")
    if edit.extend_days is not None:
        expiry = lifecycle.extended_expiry(share, edit.extend_days, now)
    elif edit.expires_at is not UNCHANGED:
        expiry = lifecycle.checked_expiry(share, edit.expires_at, now)
    else:
        return UNCHANGED
    if expiry != share.expires_at:
        changes["expires_at"] = change(share.expires_at, expiry)
    return expiry


@dataclass(frozen=True)
class _Challenge:
    kind: ChallengeKind
    password: str | None
    birth_date: date | None


def _challenge(
    share: Share,
    edit: ShareEdit,
    password: str | None,
    client: OrthancClient,
    changes: dict[str, Any],
) -> _Challenge | None:
    kind = edit.challenge
    if kind is None:
        return None
    if kind == share.challenge_kind and not (edit.password or edit.birth_date or edit.renew):
        return None  # the same challenge, nothing new to ask
    birth_date = None
    if kind.asks_birth_date:
        birth_date = edit.birth_date or _archive_birth_date(share, client)
    changes["challenge"] = change(share.challenge_kind.value, kind.value)
    if password:
        changes["password"] = "changed"  # noqa: S105  (never the password itself)
    if birth_date:
        changes["birth_date"] = "changed"
    return _Challenge(kind, password, birth_date)


def _archive_birth_date(share: Share, client: OrthancClient) -> date:
    try:
        birth_date = client.get_study(share.studies[0].source_orthanc_study_id).patient.birth_date
    except OrthancNotFound:
        birth_date = None  # deleted from the archive since: the clinician can type it
    if birth_date is None:
        raise ShareError(
            "The archive has no birth date for this patient: enter it, or choose "
            "a password challenge."
        )
    return birth_date


def _apply_challenge(share: Share, challenge: _Challenge) -> None:
    share.challenge_kind = challenge.kind
    share.password_hash = hash_password(challenge.password) if challenge.password else None
    share.birth_date_hash = birth_date_hash(challenge.birth_date) if challenge.birth_date else None
    # Whoever passed the old challenge must pass the new one.
    end_share_sessions(share.id)
