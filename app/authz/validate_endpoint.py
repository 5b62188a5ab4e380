"""`POST /auth/tokens/validate`, answered in front of the Flask app's request handling.

Orthanc's authorization plugin calls this for every request a viewer makes (each image, each
frame), on a new connection each time. Through the full app, the hooks every page needs
(session cookie, login, CSRF, rate limits, security headers) cost more than the validation
itself: bench/validate.py measured half the throughput of a bare Flask route. This one route
needs none of them (the plugin authenticates with HTTP Basic; it is not a browser), so a thin
WSGI layer answers it with the same rules (app/authz/decision.py) and the app's config and
database, and passes every other request on to Flask unchanged.
"""

from __future__ import annotations

import atexit
import json
import logging
import math
import weakref
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from app.authz.decision import MalformedRequestError, decide, json_body, parse_request
from app.authz.plugin_auth import CHALLENGE_HEADER, UNAUTHORIZED_BODY, credentials_match
from app.authz.share_state import ShareStateCache, UsageRecorder
from app.db_types import utcnow
from app.shares.viewer_tokens import VerifiedTokens

PATH = "/auth/tokens/validate"
EXTENSION_KEY = "studyshare.authz.validate"
MAX_VERIFIED_TOKENS = 10_000
HEADERS = [
    ("Content-Type", "application/json"),
    ("X-Content-Type-Options", "nosniff"),
    ("Cache-Control", "no-store"),
]

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class ValidateEndpoint:
    """WSGI middleware: serves PATH itself, hands everything else to `wrapped`."""

    def __init__(self, app: Flask, wrapped: WsgiApp) -> None:
        self.app = app
        self.wrapped = wrapped
        config = app.config
        self.states = ShareStateCache(config["AUTHZ_STATE_CACHE_SECONDS"])
        self.usage = UsageRecorder(config["AUTHZ_USAGE_FLUSH_SECONDS"])
        self.tokens = VerifiedTokens(MAX_VERIFIED_TOKENS)
        # Counts still in memory when the worker stops are written then. A weak reference:
        # the exit hook must not keep every app a process ever built (tests build many).
        atexit.register(_flush_usage_at_exit, weakref.ref(self))

    def flush_usage(self) -> None:
        with self.app.app_context():
            self.usage.flush()

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != PATH:
            return self.wrapped(environ, start_response)
        request = Request(environ)
        request.max_content_length = self.app.config["MAX_CONTENT_LENGTH"]
        status, body, headers = self.respond(request)
        start_response(status, headers)
        return [body]

    def respond(self, request: Request) -> Answer:
        if request.method != "POST":
            return answer(405, [("Allow", "POST")], error="Method not allowed", message="Use POST.")
        if not credentials_match(request.authorization, self.app.config):
            return answer(401, [CHALLENGE_HEADER], **UNAUTHORIZED_BODY)
        try:
            body = json_body(request)
        except RequestEntityTooLarge:
            return answer(413, error="Request too large", message="The body is too large.")
        try:
            with self.app.app_context():
                return self.validate(body, request)
        except SQLAlchemyError as exc:
            log.error("Token validation without a database: %s", type(exc).__name__)
            return answer(
                503, granted=False, validity=0, message="The database is not available right now."
            )
        except Exception:
            # Fail closed, in the plugin's JSON; the log names the error, never the body.
            log.exception("Token validation failed unexpectedly")
            return answer(500, granted=False, validity=0, message="Something went wrong.")

    def validate(self, body: Any, request: Request) -> Answer:
        """Grant or deny one viewer request: 200 with granted/validity, 400 when malformed."""
        header_name = body.get("token-key") if isinstance(body, dict) else None
        header_token = request.headers.get(header_name) if isinstance(header_name, str) else None
        try:
            req = parse_request(body, header_token)
        except MalformedRequestError as exc:
            return answer(400, granted=False, validity=0, message=str(exc))
        config = self.app.config
        # A state snapshot may be up to the cache's age old: shorten the grant by as much.
        cap = max(
            0, config["AUTHZ_VALIDITY_SECONDS"] - math.ceil(config["AUTHZ_STATE_CACHE_SECONDS"])
        )
        now = utcnow()
        decision = decide(
            req,
            states=self.states,
            tokens=self.tokens,
            now=now,
            cap_seconds=cap,
            server_id=config["SERVER_ID"],
        )
        if decision.granted and decision.share_id is not None:
            self.usage.count(decision.share_id, now)
        return answer(200, granted=decision.granted, validity=decision.validity)


def _flush_usage_at_exit(endpoint_ref: weakref.ref) -> None:
    endpoint = endpoint_ref()
    if endpoint is None:
        return
    try:
        endpoint.flush_usage()
    except Exception as exc:  # at exit there is no one left to tell but the log
        log.warning("Share usage not written at exit (%s)", type(exc).__name__)


# Answered without werkzeug's Response: this route is called for every image a viewer shows.
Answer = tuple[str, bytes, list[tuple[str, str]]]
_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def answer(status: int, extra_headers: Sequence[tuple[str, str]] = (), **body: Any) -> Answer:
    """(status line, JSON body, headers) of one answer."""
    data = _ENCODE(body).encode()
    headers = [*HEADERS, ("Content-Length", str(len(data))), *extra_headers]
    return f"{status} {HTTP_STATUS_CODES[status]}", data, headers


def init_app(app: Flask) -> None:
    endpoint = ValidateEndpoint(app, app.wsgi_app)
    app.wsgi_app = endpoint
    app.extensions[EXTENSION_KEY] = endpoint
