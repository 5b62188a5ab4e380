"""HTTP Basic authentication of the authorization plugin (its WebServiceUsername/Password)."""

from __future__ import annotations

import hmac
import logging
import threading
import time
from collections.abc import Callable, Mapping
from functools import wraps

from flask import current_app, jsonify, request
from werkzeug.datastructures import Authorization

UNAUTHORIZED_BODY = {"error": "Unauthorized", "message": "HTTP Basic credentials are required."}
CHALLENGE_HEADER = ("WWW-Authenticate", 'Basic realm="studyshare-authz"')

log = logging.getLogger(__name__)


class RefusalLog:
    """A warning when callers are refused, at most once per `every` seconds, with their count.

    The token service logs no line per call (deploy/compose.yaml): a plugin set up with the
    wrong password would be refused on every image, unseen, without this.
    """

    def __init__(self, every: float = 60.0) -> None:
        self.every = every
        self._lock = threading.Lock()
        self._count = 0
        self._said_at: float | None = None

    def refused(self) -> None:
        with self._lock:
            self._count += 1
            now = time.monotonic()
            if self._said_at is not None and now - self._said_at < self.every:
                return
            count, self._count, self._said_at = self._count, 0, now
        log.warning(
            "Refused the credentials of %d call(s) to the token service: the authorization "
            "plugin's WebServiceUsername/WebServicePassword must be AUTHZ_USERNAME/"
            "AUTHZ_PASSWORD.",
            count,
        )


_REFUSALS = RefusalLog()


def plugin_authenticated() -> bool:
    return credentials_match(request.authorization, current_app.config)


def credentials_match(auth: Authorization | None, config: Mapping) -> bool:
    """Constant-time check; without configured credentials nobody is let in (fail closed).

    Refusals are logged (RefusalLog).
    """
    expected_user = config["AUTHZ_USERNAME"]
    expected_password = config["AUTHZ_PASSWORD"]
    matched = False
    if expected_user and expected_password and auth is not None and auth.type == "basic":
        user_ok = hmac.compare_digest((auth.username or "").encode(), expected_user.encode())
        password = (auth.password or "").encode()
        matched = hmac.compare_digest(password, expected_password.encode()) and user_ok
    if not matched:
        _REFUSALS.refused()
    return matched


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
