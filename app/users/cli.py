"""`flask users ...`: manage console accounts from the shell."""

from __future__ import annotations

import sys

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.users.models import Role, User
from app.users.passwords import password_problem

users_cli = AppGroup("users", help="Manage console users.")


@users_cli.command("create")
@click.argument("email")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@click.option("--name", default="", help="The user's display name.")
def create_user(email: str, admin: bool, name: str) -> None:
    """Create a user; the password is read from stdin, or prompted for on a terminal."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise click.BadParameter(str(exc), param_hint="EMAIL") from None
    try:
        if User.find_by_email(email) is not None:
            raise click.ClickException(f"A user with the e-mail {email} already exists.")
        password = read_password()
        user = User(email=email, name=name.strip(), role=Role.ADMIN if admin else Role.CLINICIAN)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
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
