"""Models and migrations, on SQLite and on the machine's real PostgreSQL."""

import os
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind, Share, ShareState, ShareStudy
from app.users.models import Role, User


def test_migrations_match_the_models(migrated_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_downgrade_removes_every_table(migrated_app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert {"users", "shares", "share_studies", "audit_events"} <= set(
        inspect(db.engine).get_table_names()
    )


def test_every_migration_keeps_existing_rows(migrated_app):
    """Down to the first revision and back up, with a share, its study and its audit.

    Only the birth-date hash is lost: the downgrade cannot turn it back into a date."""
    owner = make_user()
    share = make_share(owner, challenge_kind=ChallengeKind.BIRTH_DATE, birth_date_hash="h" * 64)
    db.session.add(
        ShareStudy(
            share=share,
            orthanc_study_id="o1",
            source_orthanc_study_id="o1",
            study_instance_uid="1.2",
        )
    )
    db.session.add(AuditEvent(share=share, actor_kind="clinician", kind="created"))
    db.session.commit()
    db.session.remove()
    downgrade(revision="cd54e055dd37")  # the initial schema
    upgrade()
    assert db.session.scalar(select(Share.public_id)) == "sh_public1"
    assert db.session.scalar(select(Share.birth_date_hash)) is None
    assert db.session.scalar(select(ShareStudy.orthanc_study_id)) == "o1"
    assert db.session.scalar(select(AuditEvent.kind)) == "created"
    assert db.session.scalar(select(User.email)) == "doctor@example.org"


def make_user(email="doctor@example.org", role=Role.CLINICIAN) -> User:
    user = User(email=email, name="Dr Example", role=role)
    user.set_password("a long enough password")
    db.session.add(user)
    db.session.commit()
    return user


def make_share(owner: User, **fields) -> Share:
    share = Share(
        public_id=fields.pop("public_id", "sh_public1"),
        secret_hash=fields.pop("secret_hash", "a" * 64),
        owner=owner,
        expires_at=fields.pop("expires_at", datetime.now(UTC) + timedelta(days=15)),
        **fields,
    )
    db.session.add(share)
    db.session.commit()
    return share


def test_user_password_and_unique_email(migrated_app):
    user = make_user()
    assert user.check_password("a long enough password")
    assert not user.check_password("another password")
    assert user.password_hash.startswith("$argon2id$")
    assert User.find_by_email("  DOCTOR@example.org ").id == user.id
    db.session.add(User(email="doctor@example.org", password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_share_with_studies_and_audit_round_trip(migrated_app):
    owner = make_user()
    share = make_share(owner, challenge_kind=ChallengeKind.BIRTH_DATE_AND_PASSWORD, note="Ünïcode")
    share.studies.append(
        ShareStudy(
            orthanc_study_id="a" * 8 + "-" + "b" * 8,
            source_orthanc_study_id="a" * 8 + "-" + "b" * 8,
            study_instance_uid="1.2.3",
            summary={"description": "CT THORAX", "modalities": ["CT"]},
        )
    )
    db.session.add(
        AuditEvent(
            share=share,
            actor_kind="user",
            actor_user=owner,
            kind="created",
            ip="2001:db8::1",
            detail={"studies": 1},
        )
    )
    db.session.commit()
    db.session.expire_all()

    loaded = db.session.scalar(select(Share).where(Share.public_id == "sh_public1"))
    assert loaded.owner.email == "doctor@example.org"
    assert loaded.studies[0].summary == {"description": "CT THORAX", "modalities": ["CT"]}
    assert loaded.note == "Ünïcode"
    assert loaded.created_at.tzinfo is UTC
    assert loaded.expires_at > datetime.now(UTC)
    event = db.session.scalar(select(AuditEvent))
    assert (event.kind, event.share_id, event.actor_user_id) == ("created", loaded.id, owner.id)


def test_deleting_a_share_keeps_its_audit_and_drops_its_studies(migrated_app):
    share = make_share(make_user())
    share.studies.append(
        ShareStudy(orthanc_study_id="x", source_orthanc_study_id="x", study_instance_uid="1.2")
    )
    db.session.add(AuditEvent(share=share, actor_kind="system", kind="created"))
    db.session.commit()
    db.session.delete(share)
    db.session.commit()
    assert db.session.scalar(select(ShareStudy)) is None
    event = db.session.scalar(select(AuditEvent))
    assert event is not None
    assert event.share_id is None


def test_public_id_and_secret_hash_are_unique(migrated_app):
    owner = make_user()
    make_share(owner)
    db.session.add(Share(public_id="sh_public1", secret_hash="b" * 64, owner=owner))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    db.session.add(Share(public_id="sh_other", secret_hash="a" * 64, owner=owner))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_naive_datetimes_are_refused(migrated_app):
    owner = make_user()
    db.session.add(
        Share(public_id="p", secret_hash="c" * 64, owner=owner, expires_at=datetime(2030, 1, 1))
    )
    with pytest.raises(Exception, match="timezone-aware"):
        db.session.commit()
    db.session.rollback()


def test_share_state_strongest_reason_wins():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    share = Share(expires_at=now + timedelta(days=1))
    assert share.state(now) is ShareState.ACTIVE
    assert share.is_live(now)
    share.expires_at = now
    assert share.state(now) is ShareState.EXPIRED
    share.locked_at = now
    assert share.state(now) is ShareState.LOCKED
    share.revoked_at = now
    assert share.state(now) is ShareState.REVOKED
    assert Share(expires_at=None).state(now) is ShareState.ACTIVE


def test_database_errors_do_not_carry_the_values(migrated_app):
    """Errors end up in logs (errors.py): their text must not hold birth dates or e-mails."""
    owner = make_user()
    make_share(owner, note="born 19720229")
    duplicate = Share(
        public_id="sh_public1",
        secret_hash="b" * 64,
        owner_id=owner.id,
        note="born 19720229",
        recipient_email="patient@example.org",
    )
    db.session.add(duplicate)
    with pytest.raises(IntegrityError) as caught:
        db.session.commit()
    db.session.rollback()
    assert "19720229" not in str(caught.value)
    assert "patient@example.org" not in str(caught.value)


def test_a_forked_worker_opens_connections_of_its_own(app):
    """The server forks its workers from a process that built the app (serve.py)."""
    with app.app_context():
        db.session.execute(select(1))
        db.session.commit()
        engine = db.engine
    inherited = engine.pool
    assert inherited.checkedin() == 1  # the parent keeps a connection in its pool
    child = os.fork()
    if child == 0:  # pragma: no cover (the child's verdict is its exit status)
        os._exit(0 if engine.pool is not inherited and engine.pool.checkedin() == 0 else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert engine.pool is inherited  # the parent's own pool is untouched
