"""E-mail addresses typed into StudyShare, checked and normalized here, once.

A recipient's address keeps its local part as typed (the recipient's mail server may tell
its cases apart): only spaces are stripped and the domain lower-cased (email-validator's
normal form). An account's address is all lower-case: a login ignores case, and the unique
constraint on users must see Ada@example.org and ada@example.org as one account.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):  # noqa: N818  (the project's vocabulary, like OrthancNotFound)
    """Not an e-mail address; the message says why, for the person who typed it."""


def normalize_address(text: str) -> str:
    """A recipient's address: syntax checked, spaces stripped, the domain lower-cased."""
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None


def account_email(text: str) -> str:
    """An account's address as stored and looked up (anything typed at a login included)."""
    return text.strip().lower()


def new_account_email(text: str) -> str:
    """The address a new account is stored under; raise InvalidEmail."""
    return account_email(normalize_address(text))
