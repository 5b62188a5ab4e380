"""Input no part of StudyShare can store or look up, refused before any view sees it.

PostgreSQL refuses a NUL byte in text, UTF-8 has no encoding for a lone surrogate (JSON's
`"\\ud800"`), and an INTEGER column holds 32 bits on PostgreSQL (64 on SQLite): deep in a
query, each would be a 500. No real request carries them, so they are refused here, once, for
every route: a path that holds them names nothing (404, also the unknown-link page under /s/),
a query, form, JSON body or header that holds them is a bad request (400). The token
validation endpoint answers in front of Flask and applies the same rule to its body
(app/authz/decision.py).
"""

from __future__ import annotations

import re

from flask import Flask, request
from werkzeug.exceptions import BadRequest, HTTPException, NotFound
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Request

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# The largest id an INTEGER primary key holds on every database StudyShare runs on.
MAX_ID = 2**31 - 1
REFUSED = "This request holds a character StudyShare does not accept (a NUL or a lone surrogate)."


def holds_unstorable_text(value: object) -> bool:
    """Whether a string in `value` (a str, or JSON-like lists and dicts, keys too) holds one."""
    pending = [value]
    while pending:  # not recursive: a JSON body can nest deeper than Python's stack
        item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
    return False


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` up to MAX_ID: a larger number names no row, so the route does not match (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def refusal(request: Request) -> HTTPException | None:
    """What `request` is refused with, if it holds unstorable text anywhere."""
    if UNSTORABLE.search(request.path):
        return NotFound()
    inputs = (
        list(request.args.items(multi=True)),
        list(request.form.items(multi=True)),
        _request_json(request),
        list(request.headers.items()),
    )
    return BadRequest(REFUSED) if holds_unstorable_text(inputs) else None


def _request_json(request: Request) -> object:
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RecursionError:  # too deep to parse: the view's own reading refuses it
        return None


def init_app(app: Flask) -> None:
    """Bound `<int:…>` routes and refuse unstorable text; before any blueprint is registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.before_request
    def refuse_unstorable_text():
        refused = refusal(request)
        if refused is not None:
            raise refused
