"""`flask users list|deactivate|reset-password`: accounts from a shell, as the admin page does."""

import json

from app.extensions import db
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD


def user_in(app, email):
    with app.app_context():
        user = User.find_by_email(email)
        db.session.expunge(user)
        return user


def test_list_users_as_json_and_text(runner, make_user):
    make_user("zed@example.org")
    make_user("ada@example.org", role=Role.ADMIN)
    result = runner.invoke(args=["users", "list", "--json"])
    assert result.exit_code == 0, result.output
    users = json.loads(result.output)
    assert [u["email"] for u in users] == ["ada@example.org", "zed@example.org"]
    assert "password_hash" not in users[0]
    admins = json.loads(runner.invoke(args=["users", "list", "--role", "admin", "--json"]).output)
    assert [u["email"] for u in admins] == ["ada@example.org"]
    assert "zed@example.org" in runner.invoke(args=["users", "list"]).output


def test_deactivate_ends_log_ins_but_keeps_the_last_admin(app, runner, make_user):
    make_user("ada@example.org", role=Role.ADMIN)
    make_user("bob@example.org")
    result = runner.invoke(args=["users", "deactivate", "BOB@example.org"])
    assert result.exit_code == 0, result.output
    assert user_in(app, "bob@example.org").active is False
    inactive = json.loads(runner.invoke(args=["users", "list", "--inactive", "--json"]).output)
    assert [u["email"] for u in inactive] == ["bob@example.org"]
    last = runner.invoke(args=["users", "deactivate", "ada@example.org"])
    assert last.exit_code == 1
    assert "last active administrator" in last.output
    assert user_in(app, "ada@example.org").active is True
    unknown = runner.invoke(args=["users", "deactivate", "nobody@example.org"])
    assert (unknown.exit_code, "No user with the e-mail" in unknown.output) == (1, True)


def test_a_deactivated_user_cannot_log_in(client, runner, make_user):
    make_user("bob@example.org")
    runner.invoke(args=["users", "deactivate", "bob@example.org"])
    response = client.post("/login", data={"email": "bob@example.org", "password": PASSWORD})
    assert response.status_code != 302


def test_reset_password_reads_stdin_and_checks_the_rules(app, runner, make_user):
    make_user("bob@example.org")
    weak = runner.invoke(args=["users", "reset-password", "bob@example.org"], input="short\n")
    assert weak.exit_code == 1
    assert "at least 12 characters" in weak.output
    result = runner.invoke(
        args=["users", "reset-password", "bob@example.org"], input="a brand new password\n"
    )
    assert result.exit_code == 0, result.output
    assert "a brand new password" not in result.output
    assert user_in(app, "bob@example.org").check_password("a brand new password")
