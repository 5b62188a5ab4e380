"""Whether a request's form check failed because the browser is on plain http.

With SESSION_COOKIE_SECURE on, browsers never send the session cookie back over http, so
every login and form fails its CSRF check as if it had "expired". app/errors.py shows a page
that says HTTPS is needed instead, and this module logs the cause once.

Only a failed check is judged, never a page: behind a load balancer that ends TLS and an
nginx on plain http (deploy/nginx/plain-http/), requests reach StudyShare as http while the
browser is on https and its cookies work; refusing every http page would lock that set-up out.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Flask, request

EXTENSION_KEY = "studyshare.plain_http_warned"
WARNING = (
    "A form was sent from a plain-http page while SESSION_COOKIE_SECURE is on: browsers do not "
    "send the Secure session cookie back over http, so no login or form can work. Serve "
    "StudyShare over https; behind a proxy that terminates TLS, set PROXY_FIX_HOPS."
)

log = logging.getLogger(__name__)


def _browser_on_plain_http() -> bool:
    # The browser's own word first (a form post carries Origin, same-origin ones Referer),
    # else the request's scheme, which ProxyFix sets from X-Forwarded-Proto.
    for header in ("Origin", "Referer"):
        scheme = urlsplit(request.headers.get(header, "")).scheme
        if scheme in ("http", "https"):
            return scheme == "http"
    return not request.is_secure


def lost_to_plain_http(app: Flask) -> bool:
    """Whether the failed form check of this request is plain http's doing (logged once)."""
    if not app.config["SESSION_COOKIE_SECURE"] or not _browser_on_plain_http():
        return False
    if not app.extensions.get(EXTENSION_KEY):
        app.extensions[EXTENSION_KEY] = True  # once per process: the cause is one setting
        log.warning(WARNING)
    return True
