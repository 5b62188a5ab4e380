"""Creating a share: check the studies, copy them anonymized if asked, store only hashes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.db_types import utcnow
from app.extensions import db
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancNotFound
from app.orthanc.models import PatientSummary, Study
from app.shares import links
from app.shares.anonymized_copies import delete_copies, make_copies
from app.shares.audit import AuditKind, record
from app.shares.audit_models import AuditEvent
from app.shares.birth_dates import birth_date_hash
from app.shares.mail import send_share_email
from app.shares.models import Share, ShareStudy
from app.shares.options import ShareError, ShareOptions, validate_options
from app.shares.study_patient import check_same_patient, patient_columns
from app.shares.tokens import new_public_id, new_share_password
from app.studies.search import StudyRow, describe
from app.users.models import User
from app.users.passwords import hash_password

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
    password: str | None = None  # the challenge's, typed or generated
    # Set when e-mailing the link was asked and failed: a message for the clinician.
    email_error: str | None = None
    # The patient as Orthanc has it now (with the birth date, never stored in clear);
    # None when the share was not just made from Orthanc's answers.
    patient: PatientSummary | None = None

    @property
    def link(self) -> str:
        return links.share_link(self.secret)


def create_share(
    owner: User, options: ShareOptions, client: OrthancClient, *, email_recipient: bool = False
) -> CreatedShare:
    """Create and commit a share; raise ShareError with a message for the clinician.

    With `email_recipient`, a new share's link is also e-mailed to its recipient address,
    if it has one (not again for a repeated form).
    """
    created = _create(owner, options, client)
    return send_to_recipient(created) if email_recipient and not created.repeated else created


def send_to_recipient(created: CreatedShare) -> CreatedShare:
    """E-mail the link to the share's recipient address, when it has one."""
    if not created.share.recipient_email:
        return created
    return replace(created, email_error=send_share_email(created))


def _create(owner: User, options: ShareOptions, client: OrthancClient) -> CreatedShare:
    if options.generate_password and options.challenge.asks_password and not options.password:
        options = replace(options, password=new_share_password())
    options = validate_options(options, allow_never=current_app.config["ALLOW_NEVER_EXPIRE"])
    if options.creation_key:
        existing = _share_by_creation_key(options.creation_key)
        if existing is not None:
            return _repeat(existing, owner, options)
    studies = fetch_same_patient_studies(client, options.study_ids)
    birth_date = _challenge_birth_date(options, studies)
    copies = make_copies(client, studies) if options.anonymize else {}
    try:
        return _store_share(owner, options, client, studies, birth_date, copies)
    except IntegrityError:
        # A concurrent submission of the same form won the race: keep its share.
        db.session.rollback()
        delete_copies(client, copies)
        existing = _share_by_creation_key(options.creation_key) if options.creation_key else None
        if existing is None:
            raise
        return _repeat(existing, owner, options)
    except BaseException:
        # Orthanc or the database failed after the copies were made: none may outlive this.
        db.session.rollback()
        delete_copies(client, copies)
        raise


def _store_share(
    owner: User,
    options: ShareOptions,
    client: OrthancClient,
    studies: list[Study],
    birth_date: date | None,
    copies: dict[str, tuple[str, str]],
) -> CreatedShare:
    share = Share(
        public_id=new_public_id(),
        owner=owner,
        creation_key=options.creation_key,
        expires_at=_expiry(options.expires_in_days),
        challenge_kind=options.challenge,
        password_hash=hash_password(options.password) if options.challenge.asks_password else None,
        birth_date_hash=birth_date_hash(birth_date) if birth_date else None,
        allow_download=options.allow_download,
        anonymized=options.anonymize,
        language=options.language,
        recipient_email=options.recipient_email,
        note=(options.note or "").strip() or None,
        max_opens=options.max_opens,
        notify_owner=options.notify_owner,
    )
    secret, code = links.issue(share, access_code=options.access_code)
    for row in describe(client, studies):
        study = row.study
        shared_id, shared_uid = copies.get(study.orthanc_id, (study.orthanc_id, None))
        share.studies.append(
            ShareStudy(
                orthanc_study_id=shared_id,
                study_instance_uid=shared_uid or study.study_instance_uid,
                source_orthanc_study_id=study.orthanc_id,
                summary=study_summary(row),
                **patient_columns(study),
            )
        )
    db.session.add(share)
    record(AuditKind.CREATED, share, user=owner, detail=_creation_detail(share, options))
    db.session.commit()
    return CreatedShare(
        share, secret, code, password=_shown_password(options), patient=studies[0].patient
    )


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
    secret, code = links.rotate(share)
    if options.challenge.asks_password and options.password:
        share.password_hash = hash_password(options.password)
    record(AuditKind.LINK_REGENERATED, share, user=owner, detail={"reason": "form resubmitted"})
    db.session.commit()
    return CreatedShare(share, secret, code, repeated=True, password=_shown_password(options))


def _shown_password(options: ShareOptions) -> str | None:
    return options.password if options.challenge.asks_password else None


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


def fetch_same_patient_studies(client: OrthancClient, study_ids: list[str]) -> list[Study]:
    """The studies, read from Orthanc, if they can be shared together (ShareError if not)."""
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
    check_same_patient(studies)
    return studies


def _challenge_birth_date(options: ShareOptions, studies: list[Study]) -> date | None:
    if not options.challenge.asks_birth_date:
        return None
    birth_date = options.birth_date or studies[0].patient.birth_date
    if birth_date is None:
        raise ShareError(
            "The archive has no birth date for this patient: enter it, or choose "
            "a password challenge."
        )
    return birth_date


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
