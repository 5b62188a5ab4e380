"""`flask users ...`: manage console accounts from the shell."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
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
