"""A browser behind the site's TLS proxy, talking to any of the servers with one cookie jar.

The servers run with production's Secure cookies and PROXY_FIX_HOPS=1: the tests pose as the
proxy, which ends TLS and passes on what the shipped nginx does (`X-Forwarded-Proto: https`,
`X-Forwarded-Host`, and the client's address in `X-Forwarded-For`). Cookies are not
port-scoped, so one jar serves every instance on 127.0.0.1, as one browser's does behind a
load balancer.
"""

from __future__ import annotations

import itertools
import re
import secrets
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urlsplit

import requests
from requests.cookies import get_cookie_header

from tests.fixtures.instances import Server

TIMEOUT = 15
# The site's name, as the shipped nginx passes it on (X-Forwarded-Host) and browsers see it.
PUBLIC_HOST = "share.example.org"
PUBLIC_ORIGIN = f"https://{PUBLIC_HOST}"
CSRF_FIELD = re.compile(
    r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"'
    r'|<input[^>]*value="([^"]+)"[^>]*name="csrf_token"'
)
# One /48 per test run, one /64 per address: unique keys for per-address and per-network
# limits. Only ever written into a header; nothing is sent to these documentation addresses.
_RUN_PREFIX = f"2001:db8:{secrets.randbelow(0xFFFF):x}"
_ADDRESS_NUMBERS = itertools.count(1)


def new_address() -> str:
    """A client address no other browser of this run has, in a /64 of its own."""
    return f"{_RUN_PREFIX}:{next(_ADDRESS_NUMBERS):x}::1"


class LoopbackBehindTls(DefaultCookiePolicy):
    """Send Secure cookies to 127.0.0.1: there, TLS ends at the proxy the tests pose as."""

    def return_ok_secure(self, cookie, request) -> bool:
        if urlsplit(request.get_full_url()).hostname == "127.0.0.1":
            return True
        return super().return_ok_secure(cookie, request)


class _Session(requests.Session):
    """Cookies chosen by the jar's own policy on every request, redirects included.

    requests builds each request's Cookie header from a copy of the jar that has the default
    policy (never a Secure cookie over http): this sends what the jar's policy allows.
    """

    def send(self, request, **kwargs):
        request.headers.pop("Cookie", None)
        header = get_cookie_header(self.cookies, request)
        if header:
            request.headers["Cookie"] = header
        return super().send(request, **kwargs)


class Browser:
    """One person's browser at one address: a cookie jar shared by every server it visits."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address or new_address()
        self.http = _Session()
        self.http.cookies.set_policy(LoopbackBehindTls())
        self.http.headers.update(
            {
                "X-Forwarded-For": self.address,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": PUBLIC_HOST,
            }
        )

    def get(self, server: Server, path: str, **kwargs) -> requests.Response:
        return self.http.get(server.url + path, timeout=TIMEOUT, **kwargs)

    def post(
        self, server: Server, path: str, *, page: str | None = None, **kwargs
    ) -> requests.Response:
        """POST as a form on `page` (default: `path`) sends it: Flask-WTF checks the Referer
        over https, and the app's Referrer-Policy (same-origin) lets browsers send it."""
        headers = {"Origin": PUBLIC_ORIGIN, "Referer": PUBLIC_ORIGIN + (page or path)}
        headers.update(kwargs.pop("headers", {}))
        return self.http.post(server.url + path, timeout=TIMEOUT, headers=headers, **kwargs)

    def submit(
        self, server: Server, page: str, data: dict, *, action: str | None = None
    ) -> requests.Response:
        """GET `page`, then POST `data` with that page's CSRF token to `action` (or `page`)."""
        form = self.get(server, page)
        assert form.status_code == 200, (page, form.status_code)
        return self.post(
            server,
            action or page,
            page=page,
            data={"csrf_token": csrf_token(form.text), **data},
            allow_redirects=False,
        )

    def copied(self) -> Browser:
        """A copy of this browser's cookies as they are now (a stolen or backed-up jar)."""
        twin = Browser(self.address)
        twin.http.cookies = self.http.cookies.copy()
        return twin


def csrf_token(html: str) -> str:
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)
