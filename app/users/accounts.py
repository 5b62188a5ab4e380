"""Creating console accounts: one way, for `flask users create` and the admin page."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.email_address import new_account_email
from app.extensions import db
from app.users.models import Role, User
from app.users.passwords import password_problem

DUPLICATE_EMAIL = "A user with this e-mail address already exists."


class WeakPassword(ValueError):  # noqa: N818  (named like InvalidEmail)
    """The password breaks a password rule; the message says which."""


class DuplicateEmail(ValueError):  # noqa: N818
    """An account with this address exists already."""

    def __init__(self) -> None:
        super().__init__(DUPLICATE_EMAIL)


def create_user(email: str, password: str, *, name: str = "", role: Role = Role.CLINICIAN) -> User:
    """Create and commit an active account.

    Raise InvalidEmail, WeakPassword or DuplicateEmail (also when a concurrent request
    created the same address between a caller's check and this commit).
    """
    address = new_account_email(email)
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)
    if User.find_by_email(address) is not None:
        raise DuplicateEmail
    user = User(email=address, name=name.strip(), role=role)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateEmail from None
    return user
