"""Audit events in words, for the console's share timeline and audit log (English only).

The stored kinds and detail keys stay machine values (the CSV export keeps them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.console_time import clinic_time_text
from app.shares.audit import AuditKind
from app.shares.audit_models import ActorKind, AuditEvent

KIND_WORDS = {
    AuditKind.CREATED: "Share created",
    AuditKind.EMAILED: "Link e-mailed to the recipient",
    AuditKind.EMAIL_FAILED: "E-mail could not be sent",
    AuditKind.LINK_REGENERATED: "New link made (the old one stopped working)",
    AuditKind.OPENED: "Opened by the recipient",
    AuditKind.CHALLENGE_FAILED: "Wrong answer to the challenge",
    AuditKind.CHALLENGE_PASSED: "Challenge answered",
    AuditKind.LOCKED: "Locked after too many wrong answers",
    AuditKind.UNLOCKED: "Unlocked",
    AuditKind.VIEWER_TOKEN_ISSUED: "Viewer opened",
    AuditKind.DOWNLOADED: "Downloaded",
    AuditKind.DOWNLOAD_INCOMPLETE: "Download cut short",
    AuditKind.REVOKED: "Revoked",
    AuditKind.EXTENDED: "Extended",
    AuditKind.EXPIRY_CHANGED: "Expiry changed",
    AuditKind.EDITED: "Share changed",
    AuditKind.EXPIRED_CLEANUP: "Anonymized copies deleted after the end",
    AuditKind.ACCESS_CODE_FAILED: "Wrong access code",
    AuditKind.DURATION_REPLACED: "Orthanc's share duration replaced",
    AuditKind.PUBLICATION_REFUSED: "Orthanc share refused",
}

ACTOR_WORDS = {
    ActorKind.RECIPIENT.value: "Recipient",
    ActorKind.SYSTEM.value: "StudyShare",
}

DETAIL_WORDS = {
    "expires_at": "Expiry",
    "allow_download": "Download",
    "language": "Language",
    "note": "Note",
    "challenge": "Challenge",
    "password": "Password",
    "birth_date": "Birth date asked",
    "studies": "Studies",
    "access_code": "Access code",
    "anonymized": "Anonymized",
    "copies_deleted": "Copies deleted",
    "reason": "Reason",
    "viewer": "Viewer",
    "format": "Format",
    "bytes": "Bytes",
    "study": "Study",
    "error": "Error",
    "attempts_left": "Attempts left",
}


def kind_words(kind: str) -> str:
    """`link_regenerated` → "New link made (the old one stopped working)"."""
    known = AuditKind._value2member_map_.get(kind)
    if known is not None and known in KIND_WORDS:
        return KIND_WORDS[known]  # type: ignore[index]
    return kind.replace("_", " ").capitalize()


def actor_words(event: AuditEvent) -> str:
    """Who acted: the user or key (AuditEvent.actor_name), or the recipient, or StudyShare."""
    name = event.actor_name
    return ACTOR_WORDS.get(name, name)


def detail_lines(event: AuditEvent) -> list[str]:
    """Each detail as "Name: value", a change as "Name: old → new"."""
    detail = dict(event.detail or {})
    if event.kind == AuditKind.EXTENDED.value and "from" in detail:
        # Written before extensions named their field.
        detail = {"expires_at": {"from": detail.pop("from"), "to": detail.pop("to", None)}}
    return [f"{_key_words(key)}: {_value_words(key, value)}" for key, value in detail.items()]


def _key_words(key: str) -> str:
    return DETAIL_WORDS.get(key, key.replace("_", " ").replace("-", " ").capitalize())


def _value_words(key: str, value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"from", "to"}:
        return f"{_value_words(key, value['from'])} → {_value_words(key, value['to'])}"
    if value is None:
        return "never" if key == "expires_at" else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if key == "expires_at" and isinstance(value, str):
        try:
            return clinic_time_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    return str(value)
