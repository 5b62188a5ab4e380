"""Who is calling: the API key of `Authorization: Bearer`, its scopes and its rate limit."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import Response, abort, current_app, g, request

from app.api import bp
from app.api_keys.keys import KeyRefused, authenticate
from app.api_keys.models import ApiKey, Scope
from app.extensions import limiter

P = ParamSpec("P")
R = TypeVar("R")

# Readable without a key: the description of the API itself.
OPEN_ENDPOINTS = frozenset({"api.openapi_document"})


def current_key() -> ApiKey:
    """The key of the request being handled (set before any view runs)."""
    return g.api_key


@bp.before_request
def require_key() -> None:
    if request.endpoint in OPEN_ENDPOINTS:
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        abort(401, "Send the API key as `Authorization: Bearer <key>`.")
    try:
        g.api_key = authenticate(presented.strip())
    except KeyRefused as exc:
        abort(401, str(exc))


@bp.after_request
def challenge_header(response: Response) -> Response:
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="studyshare-api"'
    return response


def _key_identity() -> str:
    # Called inside views only (after require_key), so there always is a key.
    return f"api-key:{current_key().id}"


# One budget per key across every route, as API_RATE_LIMIT says.
per_key_limit = limiter.shared_limit(
    lambda: current_app.config["API_RATE_LIMIT"], scope="api-key", key_func=_key_identity
)


def requires(scope: Scope) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Answer 403 unless the calling key has `scope`; the call counts against its limit."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        limited = per_key_limit(view)

        @wraps(view)
        def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_key().allows(scope):
                abort(403, f"This API key lacks the scope {scope.value}.")
            return limited(*args, **kwargs)

        return wrapped

    return decorate
