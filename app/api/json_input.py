"""Reading a JSON body or a query string field by field: a wrong type is a clear 400."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from flask import abort, request

MISSING: Any = object()


def json_object(allowed: frozenset[str]) -> dict[str, Any]:
    """The request's JSON object; 400 unless it is one, with only `allowed` fields."""
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        abort(400, "Send a JSON object with `Content-Type: application/json`.")
    unknown = sorted(set(body) - allowed)
    if unknown:
        abort(400, f"Unknown field {unknown[0]!r}.")
    return body


def text(body: dict[str, Any], name: str, *, max_length: int, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is None or value is default:
        return value
    if not isinstance(value, str) or len(value) > max_length:
        abort(400, f"`{name}` must be a string of at most {max_length} characters.")
    return value


def flag(body: dict[str, Any], name: str, default: bool) -> bool:
    value = body.get(name, default)
    if not isinstance(value, bool):
        abort(400, f"`{name}` must be true or false.")
    return value


def whole(body: dict[str, Any], name: str, default: Any = None) -> Any:
    value = body.get(name, default)
    if value is None or value is default:
        return value
    # bool is an int in Python, never in JSON.
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**31:
        abort(400, f"`{name}` must be a whole number.")
    return value


def iso_date(value: Any, name: str) -> date | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) != 10:
        abort(400, f"`{name}` must be a date like 2024-03-31.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        abort(400, f"`{name}` must be a date like 2024-03-31.")


def iso_datetime(value: str | None, name: str) -> datetime | None:
    """A timestamp with its offset (UTC if none is given)."""
    if not value:
        return None
    try:
        if len(value) > 40:
            raise ValueError
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        abort(400, f"`{name}` must be a time like 2024-03-31T08:00:00Z.")
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
