import socket

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.users.models import Role, User
from config import TestConfig


def users(app):
    with app.app_context():
        return {u.email: u for u in db.session.scalars(select(User))}


def test_create_user_reads_the_password_from_stdin(app, runner):
    result = runner.invoke(
        args=["users", "create", "Ada@Example.org", "--admin", "--name", "Ada Lovelace"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ada@example.org" in result.output
    assert "a long enough password" not in result.output
    user = users(app)["ada@example.org"]
    assert (user.role, user.name, user.active) == (Role.ADMIN, "Ada Lovelace", True)
    with app.app_context():
        assert db.session.get(User, user.id).check_password("a long enough password")


def test_create_user_defaults_to_clinician(app, runner):
    result = runner.invoke(
        args=["users", "create", "bob@example.org"], input="another long password\n"
    )
    assert result.exit_code == 0, result.output
    assert users(app)["bob@example.org"].role == Role.CLINICIAN


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["not-an-email"], "a long enough password\n", "Invalid value for EMAIL"),
        (["c@example.org"], "short\n", "at least 12 characters"),
        (["c@example.org"], "", "at least 12 characters"),
    ],
)
def test_create_user_rejects_bad_input_clearly(app, runner, args, stdin, message):
    result = runner.invoke(args=["users", "create", *args], input=stdin)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert users(app) == {}


def test_create_user_refuses_a_duplicate(app, runner):
    runner.invoke(args=["users", "create", "dup@example.org"], input="a long enough password\n")
    result = runner.invoke(
        args=["users", "create", "DUP@example.org"], input="a long enough password\n"
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_user_without_migrated_database_says_so(app_env, tmp_path):
    app = create_app(TestConfig({**app_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}"}))
    result = app.test_cli_runner().invoke(
        args=["users", "create", "x@example.org"], input="a long enough password\n"
    )
    assert result.exit_code == 1
    assert "db upgrade" in result.output


def test_demo_load_uploads_to_the_configured_orthanc(runner, orthanc_client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "Demo studies in Orthanc:" in result.output
    again = runner.invoke(args=["demo", "load"])
    assert "0 new images" in again.output


def test_demo_load_with_orthanc_down_is_a_clear_error(app_env):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(TestConfig({**app_env, "ORTHANC_URL": f"http://127.0.0.1:{port}"}))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 1
    assert "Could not upload the demo studies" in result.output
    assert "Traceback" not in result.output
