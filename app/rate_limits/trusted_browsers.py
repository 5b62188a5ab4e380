"""Trusted browsers: OWASP's "device cookie" for the console log-in.

Why this scheme: counting failed log-ins per account alone lets anyone who knows a
clinician's e-mail address lock them out, and counting per address alone lets a botnet guess
one account's password from thousands of addresses. A browser that has logged in to an account
gets a signed cookie naming that account; its failures then count for that browser alone, so
failures elsewhere never keep the clinician out of their own browser. Browsers without a valid
cookie for the account typed into the form are untrusted and share the account's limits.
(OWASP Authentication Cheat Sheet, "Slow Brute Force"; "Device Cookies".)
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Response, after_this_request, current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.email_address import account_email
from config import derive_key

LIFETIME = timedelta(days=180)
_PURPOSE = b"trusted browser cookies"


def account_digest(email: str) -> str:
    """An account as the limits and the cookie name it: whatever was typed, existing or not."""
    # A digest keeps clinicians' addresses out of Redis keys, logs and cookies.
    return hashlib.sha256(account_email(email)[:254].encode()).hexdigest()[:32]


def cookie_name() -> str:
    # `__Host-`: only over HTTPS, for this host and path `/` (like the session cookie).
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    return "__Host-studyshare-browser" if secure else "studyshare-browser"


def _serializer() -> URLSafeTimedSerializer:
    roots = (*current_app.config.get("SECRET_KEY_FALLBACKS", ()), current_app.config["SECRET_KEY"])
    # itsdangerous signs with the last key and accepts all of them.
    keys = [derive_key(root, _PURPOSE) for root in roots]
    return URLSafeTimedSerializer(keys, salt="trusted-browser")


def trust_this_browser(email: str) -> None:
    """After a successful log-in: the response gives this browser a cookie for this account."""
    token = _serializer().dumps(
        {"account": account_digest(email), "browser": secrets.token_urlsafe(16)}
    )

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            cookie_name(),
            token,
            max_age=int(LIFETIME.total_seconds()),
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
            samesite="Lax",
        )
        return response


def trusted_browser(email: str) -> str | None:
    """This browser's id when its cookie is valid for the account `email`, else None."""
    value = request.cookies.get(cookie_name())
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=int(LIFETIME.total_seconds()))
    except BadSignature:  # forged, expired or signed with a retired key
        return None
    if not isinstance(data, dict) or data.get("account") != account_digest(email):
        return None
    browser = data.get("browser")
    return browser if isinstance(browser, str) and browser else None
