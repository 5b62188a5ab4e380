"""HTTP Basic authentication of the authorization plugin (its WebServiceUsername/Password)."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from functools import wraps

from flask import current_app, jsonify, request
from werkzeug.datastructures import Authorization

UNAUTHORIZED_BODY = {"error": "Unauthorized", "message": "HTTP Basic credentials are required."}
CHALLENGE_HEADER = ("WWW-Authenticate", 'Basic realm="studyshare-authz"')


def plugin_authenticated() -> bool:
    return credentials_match(request.authorization, current_app.config)


def credentials_match(auth: Authorization | None, config: Mapping) -> bool:
    """Constant-time check; without configured credentials nobody is let in (fail closed)."""
    expected_user = config["AUTHZ_USERNAME"]
    expected_password = config["AUTHZ_PASSWORD"]
    if not expected_user or not expected_password or auth is None or auth.type != "basic":
        return False
    user_ok = hmac.compare_digest((auth.username or "").encode(), expected_user.encode())
    password_ok = hmac.compare_digest((auth.password or "").encode(), expected_password.encode())
    return user_ok and password_ok


def plugin_auth_required(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not plugin_authenticated():
            response = jsonify(UNAUTHORIZED_BODY)
            response.status_code = 401
            response.headers.set(*CHALLENGE_HEADER)
            return response
        return view(*args, **kwargs)

    return wrapper
