"""The limits on console log-ins and on password checks of logged-in users.

Only failures count (a 400 answer). A trusted browser (see trusted_browsers) is limited on
its own and by nothing else. Any other client is limited per (account, address) tightly, per
account loosely (a guessing campaign spread over many addresses) and per address across
accounts (one address trying many accounts). Every key comes from what was typed, whether an
account exists or not, so a 429 says nothing about which accounts exist.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, request
from flask_login import current_user

from app.extensions import limiter
from app.rate_limits import setting
from app.rate_limits.addresses import client_address
from app.rate_limits.trusted_browsers import account_digest, trusted_browser

TOO_MANY_LOGINS = "Too many failed log-in attempts. Please wait a few minutes and try again."


def failed(response: Response) -> bool:
    return response.status_code == 400


def _account() -> str:
    return account_digest(request.form.get("email", ""))


def _browser() -> str | None:
    return trusted_browser(request.form.get("email", ""))


def _untrusted() -> bool:
    return _browser() is None


def _trusted() -> bool:
    return _browser() is not None


_LOGIN_RULES: tuple[tuple[str, Callable[[], str], Callable[[], bool]], ...] = (
    # (setting, key, exempt when): a trusted browser meets the first rule only.
    ("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS", lambda: f"login-browser:{_browser()}", _untrusted),
    (
        "LOGIN_LIMIT_PER_ACCOUNT_ADDRESS",
        lambda: f"login-account-address:{_account()}:{client_address()}",
        _trusted,
    ),
    ("LOGIN_LIMIT_PER_ACCOUNT", lambda: f"login-account:{_account()}", _trusted),
    ("LOGIN_LIMIT_PER_IP", lambda: f"login-address:{client_address()}", _trusted),
)


def login_limits(view: Callable) -> Callable:
    """Decorate the log-in view with every log-in rule."""
    for name, key, exempt in _LOGIN_RULES:
        view = limiter.limit(
            setting(name),
            key_func=key,
            exempt_when=exempt,
            methods=["POST"],
            deduct_when=failed,
            error_message=TOO_MANY_LOGINS,
        )(view)
    return view


def _password_check_key() -> str:
    # Flask-Limiter asks before the login check runs: anonymous callers count per address.
    who = current_user.id if current_user.is_authenticated else client_address()
    return f"password-check:{who}"


def password_check_limit(message: str) -> Callable[[Callable], Callable]:
    """A logged-in user's wrong current passwords: a stolen session must not become a way to
    guess the account's password, so as tight as one address's log-ins."""
    return limiter.limit(
        setting("LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"),
        key_func=_password_check_key,
        methods=["POST"],
        deduct_when=failed,
        error_message=message,
    )
