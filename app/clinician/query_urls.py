"""Links that keep the current page's filters (search, audit log, share list)."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for


def with_current_query(endpoint: str, **changes: object) -> str:
    """`endpoint` with this request's query arguments, `changes` applied (None drops one).

    Not url_for(endpoint, **args): arguments named like url_for's own (`endpoint`, `_anchor`,
    `_method`...) would be taken as such and turn a bookmarked filter into a 500.
    """
    args = request.args.to_dict()
    for name, value in changes.items():
        if value is None:
            args.pop(name, None)
        else:
            args[name] = str(value)
    query = urlencode(args)
    return url_for(endpoint) + (f"?{query}" if query else "")
