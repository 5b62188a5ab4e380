"""The web_sessions table: expired rows purged, the migration down and up with data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_migrate import downgrade, upgrade
from sqlalchemy import func, inspect, select, update

from app.auth import log_in as start_console_session
from app.extensions import db
from app.users.models import User
from app.web_sessions import SessionKind, WebSession
from tests.functional.sessions.conftest import count_sessions, log_in


def expire_oldest(flask_app) -> None:
    with flask_app.app_context():
        oldest = db.session.scalar(select(func.min(WebSession.id)))
        past = datetime.now(UTC) - timedelta(seconds=1)
        db.session.execute(
            update(WebSession).where(WebSession.id == oldest).values(expires_at=past)
        )
        db.session.commit()


def test_expired_sessions_are_purged_by_purge_expired(app, runner, doctor):
    log_in(app.test_client(), doctor.email)
    log_in(app.test_client(), doctor.email)
    expire_oldest(app)
    log_in(app.test_client(), doctor.email)  # a login leaves them to the purge
    assert count_sessions(app, SessionKind.CONSOLE) == 3

    result = runner.invoke(args=["shares", "purge-expired"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 expired sessions." in result.output
    assert count_sessions(app, SessionKind.CONSOLE) == 2


def test_the_migration_goes_down_and_up_keeping_the_users(migrated_app):
    user = User(email="doctor@example.org", name="Dr Example")
    user.set_password("a long enough password")
    db.session.add(user)
    db.session.commit()
    with migrated_app.test_request_context():
        start_console_session(user)
    db.session.remove()

    downgrade(revision="d2b7a9e41c10")
    tables = inspect(db.engine)
    assert "web_sessions" not in tables.get_table_names()
    assert "session_epoch" in {column["name"] for column in tables.get_columns("users")}
    upgrade()
    assert db.session.scalar(select(User.email)) == "doctor@example.org"
    assert db.session.scalar(select(WebSession)) is None  # everyone logs in again once
    columns = {column["name"] for column in inspect(db.engine).get_columns("users")}
    assert "session_epoch" not in columns
