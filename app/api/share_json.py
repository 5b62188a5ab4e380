"""How the API shows a share: its settings and state, never a hash or a secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.shares.models import Share, ShareStudy
from app.shares.service import CreatedShare


def _time(value: datetime | None) -> str | None:
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


def share_json(share: Share) -> dict[str, Any]:
    """A share as GET /api/v1/shares/{id} answers it."""
    return {
        "id": share.public_id,
        "state": share.state().value,
        "owner": share.owner.email,
        "created_at": _time(share.created_at),
        "expires_at": _time(share.expires_at),
        "revoked_at": _time(share.revoked_at),
        "locked_at": _time(share.locked_at),
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
        "last_opened_at": _time(share.last_opened_at),
        "studies": [_study(study) for study in share.studies],
    }


def created_json(created: CreatedShare) -> dict[str, Any]:
    """A new share with its link, access code and password: shown in this answer only."""
    answer = share_json(created.share)
    answer.update(
        link=created.link,
        access_code=created.access_code,
        password=created.password,
        email_error=created.email_error,
    )
    return answer
