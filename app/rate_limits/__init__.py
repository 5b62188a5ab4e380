"""Rate limits: who is counted, by which rule, and what operators are told.

Every limit rule (its key, when it counts, when it does not apply) is written in this package
and applied to views by one decorator each; views carry no key functions of their own.

- `login`: console log-ins and password checks (per account and address, per trusted browser,
  per account, per address).
- `codes`: access codes (per address, per network), challenge answers (per address) and the
  warning about code-guessing campaigns.
- `addresses`: the client's address and network, as the limits count them.
- `proxies`: ProxyFix, and the warning when its setting does not match the requests.
- `storage`: the shared counter storage, its in-memory fallback, and what /readyz says of it.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

from app.extensions import limiter
from app.rate_limits import proxies, storage


def setting(name: str) -> Callable[[], str]:
    """The limit in setting `name`, read when a request is checked."""
    return lambda: current_app.config[name]


def init_app(app: Flask) -> None:
    """ProxyFix, Flask-Limiter and the operator warnings, attached to `app`."""
    proxies.init_app(app)  # first: its check runs before a 429 ends a request
    storage.configure(app)
    limiter.init_app(app)
    storage.init_app(app)
