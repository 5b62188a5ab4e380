"""A pooled PostgreSQL connection idle for a while is pinged before use; a busy one is not."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from app import create_app, database
from app.extensions import db
from config import TestConfig
from tests.fixtures.app import database_answers


@pytest.fixture
def postgres_app(app_env, postgres_url) -> Iterator[Flask]:
    flask_app = create_app(TestConfig({**app_env, "DATABASE_URL": postgres_url}))
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


def backend_pid(flask_app: Flask) -> int:
    with flask_app.app_context():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        db.session.remove()  # back to the pool
    return pid


def kill_backend(postgres_url: str, pid: int) -> None:
    """What a database restart does to a pooled connection: its server side is gone."""
    admin = create_engine(postgres_url)
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


@pytest.fixture
def pings(monkeypatch, postgres_app) -> list[int]:
    calls: list[int] = []
    with postgres_app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_ping
    monkeypatch.setattr(dialect, "do_ping", lambda conn: calls.append(1) or real(conn))
    return calls


def later(monkeypatch, seconds: float) -> None:
    now = database.time.monotonic()
    monkeypatch.setattr(database.time, "monotonic", lambda: now + seconds)


def test_a_connection_in_steady_use_is_not_pinged(postgres_app, pings):
    for _ in range(5):
        assert database_answers(postgres_app)
    assert pings == []


def test_an_idle_connection_whose_server_went_away_is_replaced(
    postgres_app, postgres_url, pings, monkeypatch
):
    first = backend_pid(postgres_app)
    kill_backend(postgres_url, first)
    later(monkeypatch, database.PING_AFTER_IDLE_SECONDS + 1)
    assert database_answers(postgres_app)  # no error reaches the request
    assert pings == [1]
    assert backend_pid(postgres_app) != first
