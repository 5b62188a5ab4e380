"""Query strings of the API's GET routes: only known parameters, bounded numbers."""

from __future__ import annotations

from flask import abort, request

MAX_PAGE = 10_000


def query_args(allowed: frozenset[str]) -> dict[str, str]:
    """The query parameters, each given once; 400 on an unknown or repeated one."""
    args = request.args
    unknown = sorted(set(args) - allowed)
    if unknown:
        abort(400, f"Unknown query parameter {unknown[0]!r}.")
    for name in args:
        if len(args.getlist(name)) > 1:
            abort(400, f"Give `{name}` once.")
    return args.to_dict()


def bounded(args: dict[str, str], name: str, default: int, maximum: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        abort(400, f"`{name}` must be a whole number from 1 to {maximum}.")
    return int(raw)
