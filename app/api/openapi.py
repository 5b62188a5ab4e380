"""The API's OpenAPI 3 document, checked in next to the code and read once."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from flask import Response

from app.api import bp

DOCUMENT = Path(__file__).with_name("openapi.json")


@cache
def document_bytes() -> bytes:
    return DOCUMENT.read_bytes()


@bp.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI 3 description of /api/v1/ (readable without a key)."""
    response = Response(document_bytes(), mimetype="application/json")
    response.headers["Cache-Control"] = "public, max-age=3600"  # no patient data in it
    return response
