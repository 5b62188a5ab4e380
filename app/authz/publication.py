"""Shares made by Orthanc Explorer 2's Share button through the plugin (PUT /auth/tokens/...)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.flask_client import get_orthanc
from app.shares.audit import AuditKind, record
from app.shares.links import share_link
from app.shares.models import ChallengeKind, Share
from app.shares.options import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, ShareError, ShareOptions
from app.shares.service import create_share
from app.shares.study_ref import StudyRef
from app.shares.viewer_tokens import mint_viewer_token
from app.shares.viewer_urls import archive_url, enabled_viewers, viewer_url
from app.users.accounts import DuplicateEmail, create_user
from app.users.models import User

# Token type → the viewer it opens (None: the archive download).
PUBLICATION_TYPES = {
    "stone-viewer-publication": "stone",
    "ohif-viewer-publication": "ohif",
    "osimis-viewer-publication": "osimis",
    "meddream-viewer-publication": "meddream",
    "volview-viewer-publication": "volview",
}
INSTANT_LINK_VIEWERS = {
    "viewer-instant-link": "stone",
    "meddream-instant-link": "meddream",
    "download-instant-link": None,
}
INSTANT_LINK_MAX_SECONDS = 24 * 3600
INSTANT_LINK_DEFAULT_MINUTES = 60
# A validity-duration is honoured up to the console's longest expiry. Past it (or <= 0) it was
# not really asked for: OE2's "no expiry" reaches us through plugin 0.11.4 as an uninitialised
# number (seen: 94911090914288), so the default share duration applies, audited. "Never"
# (ALLOW_NEVER_EXPIRE) stays a console choice: no number from the plugin can mean it.
MAX_VALIDITY_SECONDS = max(EXPIRY_DAYS) * 86400
SERVICE_NAME = "Orthanc Explorer (plugin)"


def type_enabled(token_type: str) -> bool:
    """The type's viewer is in EXTERNAL_VIEWERS and reachable (or, for downloads, the
    public Orthanc is configured): otherwise OE2 would hand out a link that cannot work."""
    viewer = {**PUBLICATION_TYPES, **INSTANT_LINK_VIEWERS}[token_type]
    probe = StudyRef("probe", "1.2.3")
    if viewer is None:
        return archive_url(probe, "probe") is not None
    url = viewer_url(viewer, probe, "probe", first_series_id="probe")
    return viewer in enabled_viewers() and url is not None


def service_account() -> User:
    """The owner of plugin-created shares: a user that can never log in."""
    email = current_app.config["AUTHZ_SERVICE_ACCOUNT"]
    user = User.find_by_email(email)
    if user is not None:
        return user
    try:
        # Nobody knows the password, and an inactive account cannot log in anyway.
        return create_user(email, secrets.token_urlsafe(32), name=SERVICE_NAME, can_log_in=False)
    except DuplicateEmail:
        user = User.find_by_email(email)  # created by a concurrent request since the lookup
        if user is None:
            raise
        return user


def _study_ids(resources: list[dict]) -> list[str]:
    client, ids = get_orthanc(), []
    for resource in resources:
        if not isinstance(resource, dict):
            raise ShareError("Each resource must be a JSON object.")
        if resource.get("level") != "study":
            raise ShareError("Only studies can be shared.")
        orthanc_id = resource.get("orthanc-id")
        if not orthanc_id and resource.get("dicom-uid"):
            orthanc_id = client.lookup_study_uid(str(resource["dicom-uid"]))
        if not isinstance(orthanc_id, str) or not orthanc_id:
            raise ShareError("A resource names no known study.")
        ids.append(orthanc_id)
    return ids


@dataclass(frozen=True)
class RequestedExpiry:
    """The expiry the plugin asked for; `ignored` describes a duration that was not used."""

    moment: datetime | None
    ignored: dict[str, str] | None = None


def _requested_expiry(body: dict) -> RequestedExpiry:
    raw = body.get("expiration-date")
    if isinstance(raw, str) and raw:
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ShareError("'expiration-date' is not an ISO-8601 date.") from None
        # The plugin may send naive dates: the contract says they are UTC.
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if moment <= utcnow():
            raise ShareError("'expiration-date' is in the past.")
        return RequestedExpiry(moment)
    duration = body.get("validity-duration")
    if duration is None:
        return RequestedExpiry(None)
    if not isinstance(duration, int | float) or isinstance(duration, bool):
        reason = "not a number of seconds"
        return RequestedExpiry(None, {"received": type(duration).__name__, "reason": reason})
    if not 0 < duration <= MAX_VALIDITY_SECONDS:
        reason = f"out of range (more than 0 seconds, at most {max(EXPIRY_DAYS)} days)"
        return RequestedExpiry(None, {"received": str(duration)[:40], "reason": reason})
    return RequestedExpiry(utcnow() + timedelta(seconds=duration))


def _days_covering(expiry: datetime | None) -> int:
    """The shortest allowed share duration reaching the requested expiry."""
    if expiry is None:
        return DEFAULT_EXPIRY_DAYS
    days_needed = (expiry - utcnow()).total_seconds() / 86400
    return next((d for d in EXPIRY_DAYS if d >= days_needed), EXPIRY_DAYS[-1])


def _audit_ignored_duration(
    share: Share, token_type: str, requested: RequestedExpiry, default: str
) -> None:
    if requested.ignored is not None:
        detail = {"type": token_type, "validity-duration": requested.ignored["received"]}
        detail |= {"reason": requested.ignored["reason"], "default": default}
        record(AuditKind.DURATION_REPLACED, share, user=share.owner, detail=detail)
        db.session.commit()


def create_publication(token_type: str, body: dict) -> dict[str, str]:
    """A real, audited share whose landing link is the answer."""
    requested = _requested_expiry(body)
    options = ShareOptions(
        study_ids=_study_ids(body.get("resources") or []),
        expires_in_days=_days_covering(requested.moment),
        challenge=ChallengeKind.NONE,
    )
    created = create_share(service_account(), options, get_orthanc())
    _cap_expiry(created.share, requested.moment)
    _audit_ignored_duration(created.share, token_type, requested, f"{DEFAULT_EXPIRY_DAYS} days")
    return {"token": created.secret, "url": created.link}


def create_instant_link(token_type: str, body: dict) -> dict[str, str]:
    """A short-lived share and a viewer token for it, with the viewer or download URL."""
    requested = _requested_expiry(body)
    expiry = requested.moment or utcnow() + timedelta(minutes=INSTANT_LINK_DEFAULT_MINUTES)
    expiry = min(expiry, utcnow() + timedelta(seconds=INSTANT_LINK_MAX_SECONDS))
    options = ShareOptions(
        study_ids=_study_ids(body.get("resources") or []),
        expires_in_days=1,
        challenge=ChallengeKind.NONE,
    )
    created = create_share(service_account(), options, get_orthanc())
    _cap_expiry(created.share, expiry)
    _audit_ignored_duration(
        created.share, token_type, requested, f"{INSTANT_LINK_DEFAULT_MINUTES} minutes"
    )
    token = mint_viewer_token(created.share)
    study = created.share.studies[0].ref
    viewer = INSTANT_LINK_VIEWERS[token_type]
    url = viewer_url(viewer, study, token) if viewer else archive_url(study, token)
    return {"token": token, "url": url or share_link(created.secret)}


def _cap_expiry(share: Share, expiry: datetime | None) -> None:
    if expiry is not None and (share.expires_at is None or expiry < share.expires_at):
        share.expires_at = expiry
        db.session.commit()
