"""`GET /auth/openapi.json`: the OpenAPI 3.1 description of the token service.

The document is kept by hand beside the code (openapi.json) and checked against the routes
by tests/functional/authz/test_openapi_document.py, then fuzzed by schemathesis.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from flask import Response

from app.authz import bp
from app.extensions import limiter

DOCUMENT = "openapi.json"
# It names no secret and changes only with a release: caches may keep it for an hour.
CACHE_CONTROL = "public, max-age=3600"


@cache
def document_bytes() -> bytes:
    """The document as shipped in the package, read once per process."""
    return files("app.authz").joinpath(DOCUMENT).read_bytes()


@bp.get("/openapi.json")
@limiter.exempt
def openapi_document() -> Response:
    """The description of every /auth/ endpoint; public, like the service's index."""
    response = Response(document_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response
