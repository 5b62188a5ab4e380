"""Creating console accounts: one way, for `flask users create` and the admin page."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from app.email_address import account_email, new_account_email
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


def create_user(
    email: str,
    password: str,
    *,
    name: str = "",
    role: Role = Role.CLINICIAN,
    can_log_in: bool = True,
) -> User:
    """Create and commit an active account, or with `can_log_in=False` an inactive one.

    An account that cannot log in (the plugin's service account) receives no mail: its
    address is a name, only lower-cased, and may be one like `x@studyshare.invalid`.
    Raise InvalidEmail, WeakPassword or DuplicateEmail (also when a concurrent request
    created the same address between a caller's check and this commit).
    """
    address = new_account_email(email) if can_log_in else account_email(email)
    problem = password_problem(password)
    if problem:
        raise WeakPassword(problem)
    if User.find_by_email(address) is not None:
        raise DuplicateEmail
    user = User(email=address, name=name.strip(), role=role, active=can_log_in)
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DuplicateEmail from None
    return user
