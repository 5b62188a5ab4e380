"""ProxyFix, and a warning when PROXY_FIX_HOPS does not match the requests that arrive.

The per-address limits are only as good as the client address. With PROXY_FIX_HOPS set and
no proxy in front, any client names its own address in X-Forwarded-For; with it at 0 behind
a proxy, every client has the proxy's address. Either is logged once per process, without
the header's values.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger(__name__)

_WARNED = "studyshare.proxy_warnings"

FORWARDED_WITHOUT_HOPS = (
    "Requests arrive with X-Forwarded-For but PROXY_FIX_HOPS is 0: every client has the "
    "proxy's address, so the per-address rate limits count all clients together. Behind a "
    "reverse proxy, set PROXY_FIX_HOPS to the number of proxies."
)
CHAIN_SHORTER_THAN_HOPS = (
    "A request arrived with fewer X-Forwarded-For entries than PROXY_FIX_HOPS (%d): "
    "StudyShare is reachable without passing the proxy, or PROXY_FIX_HOPS counts more "
    "proxies than there are. A client that reaches it directly can name its own address "
    "and escape the per-address rate limits. Let only the proxy reach StudyShare, or lower "
    "PROXY_FIX_HOPS."
)


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    app.extensions[_WARNED] = set()
    app.before_request(_check_forwarding)


def _forwarded_entries() -> int:
    # ProxyFix reads the header and leaves it in place.
    header = request.headers.get("X-Forwarded-For", "")
    return sum(1 for part in header.split(",") if part.strip())


def _check_forwarding() -> None:
    if request.blueprint == "health":
        return  # probes come straight from the orchestrator, not through the proxy
    hops = current_app.config["PROXY_FIX_HOPS"]
    entries = _forwarded_entries()
    if hops == 0 and entries:
        _warn_once(FORWARDED_WITHOUT_HOPS)
    elif entries < hops:
        _warn_once(CHAIN_SHORTER_THAN_HOPS, hops)


def _warn_once(message: str, *args: object) -> None:
    warned = current_app.extensions[_WARNED]
    if message not in warned:
        warned.add(message)
        log.warning("Client addresses: %s", message % args)
