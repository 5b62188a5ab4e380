"""/readyz and the database schema: ready only at the migrations' head (the entrypoint's job)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from app import create_app, health, migrations_dir
from app.extensions import db
from config import TestConfig
from tests.fixtures.postgres import fresh_database

# Read from the scripts, so that the next migration does not break these tests.
_SCRIPTS = ScriptDirectory(migrations_dir())
(HEAD,) = _SCRIPTS.get_heads()
PREVIOUS = _SCRIPTS.get_revision(HEAD).down_revision


@pytest.fixture
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database of this test's own: a SQLite file, or one on the real PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'readyz.db'}"
        return
    with fresh_database("studyshare_readyz") as url:
        yield url


@pytest.fixture
def ready_app(app_env, database_url):
    """An app on the empty database, with the session's real Orthanc."""
    flask_app = create_app(TestConfig({**app_env, "DATABASE_URL": database_url}))
    yield flask_app
    with flask_app.app_context():
        db.session.remove()
        db.engine.dispose()


backends = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def readyz(flask_app):
    response = flask_app.test_client().get("/readyz")
    return response.status_code, response.json


@backends
def test_ready_once_migrated_to_the_head(ready_app):
    with ready_app.app_context():
        upgrade()
    status, body = readyz(ready_app)
    assert status == 200, body
    assert body["checks"]["schema"] == {"ok": True, "revision": HEAD}
    assert body["checks"]["database"] == {"ok": True}


@backends
def test_not_ready_before_the_migrations(ready_app):
    status, body = readyz(ready_app)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["orthanc"]["ok"] is True
    schema = body["checks"]["schema"]
    assert schema["ok"] is False
    assert "no schema revision" in schema["error"]
    assert "flask --app wsgi db upgrade" in schema["error"]
    # The failed query left the session usable: the next probe answers the same.
    assert readyz(ready_app) == (status, body)


@backends
def test_not_ready_one_migration_behind(ready_app):
    with ready_app.app_context():
        upgrade()
        downgrade(revision=PREVIOUS)
    status, body = readyz(ready_app)
    assert status == 503
    assert body["checks"]["schema"] == {
        "ok": False,
        "error": f"The database schema is at revision {PREVIOUS}, not {HEAD}: "
        "run `flask --app wsgi db upgrade`.",
        "revision": PREVIOUS,
        "expected": HEAD,
    }


@backends
def test_not_ready_on_a_revision_these_migrations_do_not_know(ready_app):
    with ready_app.app_context():
        upgrade()
        db.session.execute(text("UPDATE alembic_version SET version_num = 'f00dfeedbeef'"))
        db.session.commit()
    status, body = readyz(ready_app)
    assert status == 503
    schema = body["checks"]["schema"]
    assert schema["revision"] == "f00dfeedbeef"
    assert "do not know" in schema["error"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_head_is_read_when_the_app_starts_not_per_probe(ready_app, monkeypatch):
    with ready_app.app_context():
        upgrade()

    def no_scripts(*_args, **_kwargs):
        raise AssertionError("the migration scripts were read again")

    monkeypatch.setattr(health, "ScriptDirectory", no_scripts)
    assert readyz(ready_app)[0] == 200
    assert readyz(ready_app)[0] == 200


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_head_is_the_migration_scripts_head(ready_app):
    heads, known = ready_app.extensions[health._REVISIONS_KEY]
    assert heads == {HEAD}
    assert {HEAD, PREVIOUS} <= known


def test_the_schema_is_not_checked_without_a_database():
    assert health.check_schema(database_answers=False) == {
        "ok": False,
        "error": "Not checked: the database does not answer.",
    }
