"""`flask users ...`: create, list, deactivate console accounts and reset passwords."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from app.email_address import InvalidEmail, new_account_email
from app.extensions import db
from app.users.accounts import DuplicateEmail, create_user
from app.users.models import Role, User
from app.users.passwords import password_problem

users_cli = AppGroup("users", help="Manage console users.")


@users_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--name", default="", help="The user's display name.")
def create_command(email: str, admin: bool, name: str) -> None:
    """Create a user; the password is read from stdin, or prompted for on a terminal."""
    try:
        email = new_account_email(email)
    except InvalidEmail as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    duplicate = click.ClickException(f"A user with the e-mail {email} already exists.")
    try:
        if User.find_by_email(email) is not None:
            raise duplicate  # before asking for a password that could not be used
        role = Role.ADMIN if admin else Role.CLINICIAN
        user = create_user(email, read_password(), name=name, role=role)
    except DuplicateEmail:
        raise duplicate from None
    except SQLAlchemyError as exc:
        db.session.rollback()
        raise click.ClickException(
            f"The database refused the change ({type(exc).__name__}); "
            "has `flask --app wsgi db upgrade` been run?"
        ) from None
    click.echo(f"Created {user.role} {email}.")


def read_password() -> str:
    """Prompt twice on a terminal; otherwise take the first line of stdin."""
    # Never from argv: command lines end up in shell history and process listings.
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    return password


def _database_refused(exc: SQLAlchemyError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(
        f"The database failed ({type(exc).__name__}); is it up and migrated?"
    )


def _user_or_fail(email: str) -> User:
    user = User.find_by_email(email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    return user


def _user_facts(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "created_at": user.created_at.isoformat() if user.created_at else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


@users_cli.command("list")
@click.option("--role", type=click.Choice([role.value for role in Role]))
@click.option("--inactive", is_flag=True, help="Only deactivated users.")
@click.option("--json", "as_json", is_flag=True, help="Print the users as JSON.")
def list_command(role: str | None, inactive: bool, as_json: bool) -> None:
    """List console users by e-mail."""
    query = select(User).order_by(User.email)
    if role:
        query = query.where(User.role == role)
    if inactive:
        query = query.where(User.active.is_(False))
    try:
        users = [_user_facts(user) for user in db.session.scalars(query)]
    except SQLAlchemyError as exc:
        raise _database_refused(exc) from None
    if as_json:
        click.echo(json.dumps(users))
        return
    for user in users:
        state = "active" if user["active"] else "deactivated"
        click.echo(f"{user['email']:<40} {user['role']:<10} {state}")
    if not users:
        click.echo("No users.")


def _last_active_admin(user: User) -> bool:
    if not (user.is_admin and user.active):
        return False
    admins = select(func.count()).where(User.role == Role.ADMIN.value, User.active.is_(True))
    return db.session.scalar(admins) == 1


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_command(email: str) -> None:
    """Stop a user from logging in and end their open sessions (their shares stay)."""
    try:
        user = _user_or_fail(email)
        if not user.active:
            click.echo(f"{user.email} is already deactivated.")
            return
        if _last_active_admin(user):
            # The console's own rule (no one deactivates themself) keeps one admin; so does this.
            raise click.ClickException(f"{user.email} is the last active administrator.")
        user.set_active(False)
        db.session.commit()
    except SQLAlchemyError as exc:
        raise _database_refused(exc) from None
    click.echo(f"Deactivated {user.email}: no more log-ins, open sessions end.")


@users_cli.command("reset-password")
@click.argument("email")
def reset_password_command(email: str) -> None:
    """Give a user a new password, read from stdin; their open sessions end."""
    try:
        user = _user_or_fail(email)
        user.set_password(read_password())
        db.session.commit()
    except SQLAlchemyError as exc:
        raise _database_refused(exc) from None
    click.echo(f"The password of {user.email} is reset; their open sessions are logged out.")
