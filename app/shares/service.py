"""Creating a share: check the studies, copy them anonymized if asked, store only hashes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancError, OrthancNotFound
from app.orthanc.models import Study
from app.shares.audit import AuditKind, record
from app.shares.models import AuditEvent, Share, ShareStudy
from app.shares.options import ShareError, ShareOptions, validate_options
from app.shares.tokens import (
    hash_access_code,
    hash_link_secret,
    new_access_code,
    new_link_secret,
    new_public_id,
)
from app.studies.search import StudyRow, describe
from app.users.models import User
from app.users.passwords import hash_password

log = logging.getLogger(__name__)

# How long after creation the same form may come again and get fresh secrets (a double
# click, a reload of the result): past it, or once the link was e-mailed, it is refused.
RESUBMIT_WINDOW = timedelta(minutes=10)


@dataclass(frozen=True)
class CreatedShare:
    """A new share with the secrets shown once to the clinician, never stored in clear."""

    share: Share
    secret: str
    access_code: str | None
    # True when this was a repeated submission of the same form: the share already
    # existed and got a fresh link instead of a second share.
    repeated: bool = False

    @property
    def link(self) -> str:
        return share_link(self.secret)


def share_link(secret: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/s/{secret}"


def access_code_key() -> str:
    """The key of access-code hashes, derived from SECRET_KEY for this one purpose."""
    secret_key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret_key, b"studyshare access codes", hashlib.sha256).hexdigest()


def create_share(owner: User, options: ShareOptions, client: OrthancClient) -> CreatedShare:
    """Create and commit a share; raise ShareError with a message for the clinician."""
    options = validate_options(options, allow_never=current_app.config["ALLOW_NEVER_EXPIRE"])
    if options.creation_key:
        existing = _share_by_creation_key(options.creation_key)
        if existing is not None:
            return _repeat(existing, owner, options)
    studies = _fetch_same_patient_studies(client, options.study_ids)
    birth_date = _challenge_birth_date(options, studies)
    copies = _anonymized_copies(client, studies) if options.anonymize else {}
    try:
        return _store_share(owner, options, client, studies, birth_date, copies)
    except IntegrityError:
        # A concurrent submission of the same form won the race: keep its share.
        db.session.rollback()
        _delete_copies(client, [copy_id for copy_id, _ in copies.values()])
        existing = _share_by_creation_key(options.creation_key) if options.creation_key else None
        if existing is None:
            raise
        return _repeat(existing, owner, options)
    except BaseException:
        # Orthanc or the database failed after the copies were made: none may outlive this.
        db.session.rollback()
        _delete_copies(client, [copy_id for copy_id, _ in copies.values()])
        raise


def _store_share(
    owner: User,
    options: ShareOptions,
    client: OrthancClient,
    studies: list[Study],
    birth_date: str | None,
    copies: dict[str, tuple[str, str]],
) -> CreatedShare:
    secret, code = new_link_secret(), new_access_code() if options.access_code else None
    share = Share(
        public_id=new_public_id(),
        secret_hash=hash_link_secret(secret),
        access_code_hash=hash_access_code(code, access_code_key()) if code else None,
        owner=owner,
        creation_key=options.creation_key,
        expires_at=_expiry(options.expires_in_days),
        challenge_kind=options.challenge.value,
        password_hash=hash_password(options.password) if options.needs_password else None,
        birth_date=birth_date,
        allow_download=options.allow_download,
        anonymized=options.anonymize,
        language=options.language,
        recipient_email=options.recipient_email,
        note=(options.note or "").strip() or None,
        max_opens=options.max_opens,
        notify_owner=options.notify_owner,
    )
    for row in describe(client, studies):
        study = row.study
        shared_id, shared_uid = copies.get(study.orthanc_id, (study.orthanc_id, None))
        share.studies.append(
            ShareStudy(
                orthanc_study_id=shared_id,
                study_instance_uid=shared_uid or study.study_instance_uid,
                source_orthanc_study_id=study.orthanc_id,
                summary=study_summary(row),
            )
        )
    db.session.add(share)
    record(AuditKind.CREATED, share, user=owner, detail=_creation_detail(share, options))
    db.session.commit()
    return CreatedShare(share, secret, code)


def _share_by_creation_key(key: str) -> Share | None:
    return db.session.scalar(select(Share).where(Share.creation_key == key))


def _repeat(share: Share, owner: User, options: ShareOptions) -> CreatedShare:
    if share.owner_id != owner.id:
        raise ShareError("This form was already used. Start a new share.")
    if not _unseen(share):
        raise ShareError(
            "This form was already sent: the share exists and its link still works. "
            "Find it under My shares, or start a new share."
        )
    # Nobody has seen the first submission's page (this one replaces it), so issuing fresh
    # secrets is safe, and it is the only way to show working ones again.
    secret = new_link_secret()
    share.secret_hash = hash_link_secret(secret)
    code = new_access_code() if share.access_code_hash else None
    if code:
        share.access_code_hash = hash_access_code(code, access_code_key())
    if options.needs_password and options.password:
        share.password_hash = hash_password(options.password)
    record(AuditKind.LINK_REGENERATED, share, user=owner, detail={"reason": "form resubmitted"})
    db.session.commit()
    return CreatedShare(share, secret, code, repeated=True)


def _unseen(share: Share) -> bool:
    """A double click, not a form sent again later: its link can have reached nobody yet."""
    if utcnow() - share.created_at > RESUBMIT_WINDOW:
        return False
    delivered = db.session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.share_id == share.id, AuditEvent.kind == AuditKind.EMAILED.value
        )
    )
    return delivered is None


def _fetch_same_patient_studies(client: OrthancClient, study_ids: list[str]) -> list[Study]:
    studies = []
    for study_id in study_ids:
        try:
            studies.append(client.get_study(study_id))
        except OrthancNotFound:
            raise ShareError(f"Study {study_id} was not found in the image archive.") from None
    copy = db.session.scalar(
        select(ShareStudy.orthanc_study_id).where(
            ShareStudy.orthanc_study_id.in_(study_ids),
            ShareStudy.orthanc_study_id != ShareStudy.source_orthanc_study_id,
        )
    )
    if copy is not None:
        # Its share deletes it when it ends, which would empty this one.
        raise ShareError(
            f"Study {copy} is an anonymized copy made for another share: share the original "
            "study, with anonymization if needed."
        )
    patients = {(s.patient.orthanc_id or s.patient.patient_id) for s in studies}
    if len(patients) > 1:
        raise ShareError("All studies of a share must belong to the same patient.")
    return studies


def _challenge_birth_date(options: ShareOptions, studies: list[Study]) -> str | None:
    if not options.needs_birth_date:
        return None
    birth_date = options.birth_date or studies[0].patient.birth_date
    if birth_date is None:
        raise ShareError(
            "The archive has no birth date for this patient: enter it, or choose "
            "a password challenge."
        )
    return birth_date.strftime("%Y%m%d")


def _anonymized_copies(client: OrthancClient, studies: list[Study]) -> dict[str, tuple[str, str]]:
    """source id → (copy id, copy UID); on any failure no copy is left behind."""
    copies: dict[str, tuple[str, str]] = {}
    # One pseudonym for all copies: the recipient's studies stay one patient.
    pseudonym = "ANON-" + secrets.token_hex(6).upper()
    try:
        for study in studies:
            copy_id = client.anonymize_study(study.orthanc_id, pseudonym=pseudonym)
            # Remembered before the next call, so a failure there still deletes this copy.
            copies[study.orthanc_id] = (copy_id, "")
            copies[study.orthanc_id] = (copy_id, client.get_study(copy_id).study_instance_uid)
    except OrthancError as exc:
        log.warning("Anonymization failed: %s", exc)
        _delete_copies(client, [copy_id for copy_id, _ in copies.values()])
        raise ShareError(
            "The image archive could not make the anonymized copy; no share was created. "
            "Please try again."
        ) from None
    return copies


def _delete_copies(client: OrthancClient, copy_ids: list[str]) -> None:
    for copy_id in copy_ids:
        try:
            client.delete_study(copy_id)
        except OrthancError as exc:
            log.error("Could not delete anonymized copy %s: %s", copy_id, exc)


def _expiry(days: int | None) -> datetime | None:
    return None if days is None else utcnow() + timedelta(days=days)


def study_summary(row: StudyRow) -> dict[str, object]:
    """What the console and the recipient see of a study, captured at creation."""
    return {
        "date": row.study.date.isoformat() if row.study.date else None,
        "description": row.study.description,
        "modalities": list(row.modalities),
        "series": row.series_count,
        "images": row.instance_count,
    }


def _creation_detail(share: Share, options: ShareOptions) -> dict[str, object]:
    return {
        "studies": len(share.studies),
        "expires_at": share.expires_at.isoformat() if share.expires_at else None,
        "challenge": share.challenge_kind,
        "access_code": options.access_code,
        "anonymized": share.anonymized,
        "allow_download": share.allow_download,
    }
