"""Share and ShareStudy: what was shared, with which protection (what happened: audit_models)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    ColumnElement,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.orthanc.models import PatientSummary
from app.shares.study_ref import StudyRef
from app.users.models import User


class ChallengeKind(StrEnum):
    NONE = "none"
    BIRTH_DATE = "birthdate"
    PASSWORD = "password"  # noqa: S105  (a challenge kind, not a secret)
    BIRTH_DATE_AND_PASSWORD = "birthdate+password"  # noqa: S105

    @property
    def asks_birth_date(self) -> bool:
        return self in (ChallengeKind.BIRTH_DATE, ChallengeKind.BIRTH_DATE_AND_PASSWORD)

    @property
    def asks_password(self) -> bool:
        return self in (ChallengeKind.PASSWORD, ChallengeKind.BIRTH_DATE_AND_PASSWORD)


class ShareState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"
    # Its maximum number of opens is reached: nobody new gets in, but whoever opened it keeps
    # their session and viewer tokens until it expires (the last open would be useless else).
    USED_UP = "used_up"

    @property
    def label(self) -> str:
        """The state in words, for the console."""
        return self.value.replace("_", " ")

    @property
    def is_live(self) -> bool:
        """Sessions and viewer tokens already given keep working."""
        return self in (ShareState.ACTIVE, ShareState.USED_UP)


def state_of(
    *,
    revoked: bool,
    locked: bool,
    expires_at: datetime | None,
    now: datetime,
    used_up: bool = False,
) -> ShareState:
    """What "live" means, once. Revoked beats locked beats expired beats used up: the
    strongest reason is shown. Share.state(), ShareSnapshot.is_live() and, in SQL,
    Share.state_condition() all say this; `used_up` is open_count >= max_opens."""
    if revoked:
        return ShareState.REVOKED
    if locked:
        return ShareState.LOCKED
    if expires_at is not None and expires_at <= now:
        return ShareState.EXPIRED
    if used_up:
        return ShareState.USED_UP
    return ShareState.ACTIVE


class Share(db.Model):
    __tablename__ = "shares"
    # The console lists shares newest first, everyone's or one owner's, paged by cursor
    # (app/shares/keyset.py): each index hands a page over without sorting.
    __table_args__ = (
        Index("ix_shares_created_at_id", "created_at", "id"),
        Index("ix_shares_owner_id_created_at_id", "owner_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Names the share in the console and the audit log; never grants access by itself.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 of the link secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Keyed hash (HMAC) of the normalized access code, when the share has one.
    access_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Set from the create form's one-time key, so a double submit makes one share.
    creation_key: Mapped[str | None] = mapped_column(String(64), unique=True)

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Stored as its value ("birthdate+password"), in the same VARCHAR(20) as before the enum.
    challenge_kind: Mapped[ChallengeKind] = mapped_column(
        Enum(
            ChallengeKind,
            native_enum=False,
            length=20,
            values_callable=lambda kinds: [kind.value for kind in kinds],
        ),
        default=ChallengeKind.NONE,
    )
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Keyed hash (HMAC) of the birth date the challenge asks for (app/shares/birth_dates.py):
    # the clinician's entry, or else the studies' PatientBirthDate. Never stored in clear.
    birth_date_hash: Mapped[str | None] = mapped_column(String(64))
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)

    allow_download: Mapped[bool] = mapped_column(Boolean, default=True)
    anonymized: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(8), default="en")
    recipient_email: Mapped[str | None] = mapped_column(String(254))
    note: Mapped[str | None] = mapped_column(Text)
    max_opens: Mapped[int | None] = mapped_column(Integer)
    notify_owner: Mapped[bool] = mapped_column(Boolean, default=False)

    open_count: Mapped[int] = mapped_column(Integer, default=0)
    last_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Updated by the validation endpoint at most every few seconds, not on every call.
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped by every edit (app/shares/editing.py): an edit made from an older page is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    owner: Mapped[User] = relationship()
    studies: Mapped[list[ShareStudy]] = relationship(
        back_populates="share", cascade="all, delete-orphan", order_by="ShareStudy.id"
    )

    def __repr__(self) -> str:
        return f"<Share {self.public_id}>"

    @classmethod
    def by_public_id(cls, public_id: str) -> Share | None:
        """The share this public id names, if any (the id alone grants nothing)."""
        return db.session.scalar(select(cls).where(cls.public_id == public_id))

    def state(self, now: datetime | None = None) -> ShareState:
        """This share's state (see state_of)."""
        return state_of(
            revoked=self.revoked_at is not None,
            locked=self.locked_at is not None,
            expires_at=self.expires_at,
            now=now or utcnow(),
            used_up=self.max_opens is not None and (self.open_count or 0) >= self.max_opens,
        )

    def is_live(self, now: datetime | None = None) -> bool:
        """Its sessions and viewer tokens work (new opens may still be refused: used up)."""
        return self.state(now).is_live

    @classmethod
    def state_condition(cls, state: ShareState, now: datetime) -> ColumnElement[bool]:
        """SQL: the shares whose state_of() is `state` at `now`."""
        revoked, locked = cls.revoked_at.is_not(None), cls.locked_at.is_not(None)
        if state is ShareState.REVOKED:
            return revoked
        if state is ShareState.LOCKED:
            return ~revoked & locked
        if state is ShareState.EXPIRED:
            return ~revoked & ~locked & (cls.expires_at <= now)
        unexpired = ~revoked & ~locked & or_(cls.expires_at.is_(None), cls.expires_at > now)
        used_up = cls.max_opens.is_not(None) & (cls.open_count >= cls.max_opens)
        if state is ShareState.USED_UP:
            return unexpired & used_up
        return unexpired & ~used_up

    @classmethod
    def live_condition(cls, now: datetime) -> ColumnElement[bool]:
        """SQL: the live shares at `now`, as is_live() says."""
        return cls.state_condition(ShareState.ACTIVE, now) | cls.state_condition(
            ShareState.USED_UP, now
        )


class ShareStudy(db.Model):
    __tablename__ = "share_studies"
    __table_args__ = (
        UniqueConstraint("share_id", "orthanc_study_id"),
        # The share list's patient search (queries.patient_condition): the ID in any case,
        # the name's words anywhere in it; on PostgreSQL through trigrams (pg_trgm).
        *(
            Index(
                f"ix_share_studies_{column}_trigrams",
                column,
                postgresql_using="gin",
                postgresql_ops={column: "gin_trgm_ops"},
            )
            for column in ("patient_id", "patient_name_folded")
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    share_id: Mapped[int] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), index=True)
    # The study the recipient sees: the anonymized copy when the share is anonymized.
    orthanc_study_id: Mapped[str] = mapped_column(String(64), index=True)
    study_instance_uid: Mapped[str] = mapped_column(String(64), index=True)
    # The clinician's original study, kept so the console can list a study's shares.
    source_orthanc_study_id: Mapped[str] = mapped_column(String(64), index=True)
    # Display summary captured at creation (date, description, modalities, counts).
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    # The source study's patient, captured at creation, so the console lists and searches
    # shares by patient without asking Orthanc. Never the birth date (kept only as a hash).
    # Empty for shares made before these columns (`flask shares backfill-patients`).
    patient_name: Mapped[str | None] = mapped_column(String(324))
    # names.folded_name() of it: what the share list's search compares with.
    patient_name_folded: Mapped[str | None] = mapped_column(String(324))
    patient_id: Mapped[str | None] = mapped_column(String(64), index=True)
    accession_number: Mapped[str | None] = mapped_column(String(64))
    anonymized_copy_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    share: Mapped[Share] = relationship(back_populates="studies")

    @property
    def ref(self) -> StudyRef:
        """The study the recipient sees, by its Orthanc id and UID."""
        return StudyRef(self.orthanc_study_id, self.study_instance_uid)

    @property
    def patient(self) -> PatientSummary:
        """The stored patient, shown as Orthanc's is (no birth date: it is not kept)."""
        return PatientSummary(
            orthanc_id=None,
            patient_id=self.patient_id or "",
            name=self.patient_name or "",
            birth_date=None,
            sex="",
        )


# The trigram indexes' operator class, for databases built by create_all() rather than by the
# migrations (which create it too, d4e5f6a7b8c0).
event.listen(
    ShareStudy.__table__,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)
