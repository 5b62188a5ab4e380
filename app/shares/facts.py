"""A share as programs see it (the API, the CLI's --json): settings and state, never a hash
or a secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.shares.models import Share, ShareStudy


def iso_time(value: datetime | None) -> str | None:
    """A time as programs read it (ISO 8601, with its offset), or None."""
    return value.isoformat() if value else None


def _study(study: ShareStudy) -> dict[str, Any]:
    summary = study.summary or {}
    return {
        "id": study.source_orthanc_study_id,
        # The study the recipient sees: the anonymized copy's, when the share is anonymized.
        "shared_id": study.orthanc_study_id,
        "study_instance_uid": study.study_instance_uid,
        "date": summary.get("date"),
        "description": summary.get("description"),
        "modalities": summary.get("modalities", []),
    }


def share_facts(share: Share) -> dict[str, Any]:
    """A share as the API answers it and `flask shares list|show --json` prints it."""
    return {
        "id": share.public_id,
        "state": share.state().value,
        "owner": share.owner.email,
        "created_at": iso_time(share.created_at),
        "expires_at": iso_time(share.expires_at),
        "revoked_at": iso_time(share.revoked_at),
        "locked_at": iso_time(share.locked_at),
        "challenge": share.challenge_kind.value,
        "has_access_code": share.access_code_hash is not None,
        "allow_download": share.allow_download,
        "anonymize": share.anonymized,
        "language": share.language,
        "email": share.recipient_email,
        "note": share.note,
        "max_opens": share.max_opens,
        "notify_owner": share.notify_owner,
        "open_count": share.open_count or 0,
        "last_opened_at": iso_time(share.last_opened_at),
        # Sent back with a change, so a concurrent one is refused (app/shares/versions.py).
        "version": share.version,
        "studies": [_study(study) for study in share.studies],
    }
