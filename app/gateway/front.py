"""The gateway's WADO-RS routes answered in front of Flask's request handling.

A viewer asks the gateway for every image, frame and thumbnail it shows. Through Flask's
full request handling, the hooks every page needs (session cookie and login, CSRF, rate
limits, compression, teardown) cost as much as the gateway's own work: bench/viewer.py
measured 1.5x Orthanc's own time per rendered image. These routes need none of them (GET
only, no form, no login, no rate limit), so this layer matches them with Flask's own URL
map, asks the same route functions (app/gateway/wado.py) with the same grant and input
rules, and streams Orthanc's answer with the headers Flask's hooks give it.

Anything it does not answer goes on to Flask: another route or method, and input the input
guard refuses, plainly; a refusal (no grant, a foreign UID, a bad parameter) or a failure
(Orthanc, the database) with its exception, which Flask raises again and answers as it
answers every error, without asking the database or Orthanc twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import Flask, request
from urllib3 import BaseHTTPResponse
from werkzeug.exceptions import HTTPException, Unauthorized
from werkzeug.routing import Map, MapAdapter
from werkzeug.wrappers import Request

from app import errors, input_guard
from app.areas import Area
from app.gateway import wado
from app.gateway.access import NoAccess, request_grant
from app.gateway.cors import set_cors_headers
from app.gateway.stream import IncompleteUpstream, chunks, passed_headers, release
from app.gateway.views import WADO_ROUTES
from app.orthanc.errors import OrthancUnavailable
from app.security_headers import set_security_headers
from app.session_cookies import recipient_session

PREFIX = "/dicom-web/studies/"
# Where a refusal or failure waits for Flask to raise it again.
HANDED_OVER = "studyshare.gateway.handed_over"
# Answers up to this length (rendered images, thumbnails, most frames) are read whole.
WHOLE_UP_TO = 1024 * 1024

WsgiApp = Callable[[dict, Callable], Iterable[bytes]]


class GatewayFront:
    """WSGI middleware: answers the gateway's WADO-RS GETs, hands the rest to `wrapped`."""

    def __init__(self, app: Flask, wrapped: WsgiApp) -> None:
        self.app = app
        self.wrapped = wrapped
        self._routes: MapAdapter | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET" or not environ.get("PATH_INFO", "").startswith(
            PREFIX
        ):
            return self.wrapped(environ, start_response)
        request = Request(environ)
        matched = self._matched(request)
        if matched is None or errors.query_too_long(request) or input_guard.refusal(request):
            return self.wrapped(environ, start_response)
        route, parts = matched
        try:
            with self.app.app_context():
                grant = request_grant(request, lambda: recipient_session(self.app, request))
                upstream = route(request, grant, **parts)
                response = wado.open_upstream(upstream)
        except NoAccess as exc:
            environ[HANDED_OVER] = Unauthorized(exc.message)
            return self.wrapped(environ, start_response)
        except Exception as exc:  # every refusal and failure is answered by Flask
            environ[HANDED_OVER] = exc
            return self.wrapped(environ, start_response)
        try:
            headers = self._headers(request, passed_headers(response))
            body = _whole(response, upstream.what)
        except IncompleteUpstream:  # nothing sent yet: the client gets a 503, not a short file
            environ[HANDED_OVER] = OrthancUnavailable(f"{upstream.what}: the answer broke off")
            return self.wrapped(environ, start_response)
        except BaseException:
            release(response)
            raise
        start_response("200 OK", headers)
        return chunks(response, upstream.what) if body is None else [body]

    def _matched(self, request: Request) -> tuple[wado.Route, dict[str, str]] | None:
        if self._routes is None:
            # Flask's own rules for these routes, alone: matching them is a fraction of the
            # whole map's cost (binding to each request's host and script name included).
            rules = [r.empty() for r in self.app.url_map.iter_rules() if r.endpoint in WADO_ROUTES]
            self._routes = Map(rules).bind("", "/")
        try:
            endpoint, parts = self._routes.match(request.path, "GET")
        except HTTPException:  # no such route (Flask answers 404/405), or a redirect
            return None
        return WADO_ROUTES[endpoint], parts

    def _headers(self, request: Request, headers) -> list[tuple[str, str]]:
        # What Flask's after-request hooks add to the same answer (tests compare the two).
        headers.add("Vary", "Origin, Cookie")
        set_cors_headers(
            headers,
            origin=request.headers.get("Origin"),
            method=request.method,
            allowed=self.app.config["GATEWAY_CORS_ORIGINS"],
        )
        set_security_headers(
            headers, area=Area.GATEWAY, static=False, https=self.app.config["SESSION_COOKIE_SECURE"]
        )
        return headers.to_wsgi_list()


def _whole(response: BaseHTTPResponse, what: str) -> bytes | None:
    """The body, read now when its announced length is small (one write to the client, and
    an answer that broke off can still become an error), else None: it is streamed."""
    length = response.headers.get("Content-Length", "")
    if not length.isdigit() or int(length) > WHOLE_UP_TO:
        return None
    return b"".join(chunks(response, what))


def raise_handed_over() -> None:
    """Flask's first look at a request the front handed over: its refusal or failure."""
    handed_over = request.environ.pop(HANDED_OVER, None)
    if handed_over is not None:
        raise handed_over


def init_app(app: Flask) -> None:
    """Around the app's WSGI stack as built so far (ProxyFix included)."""
    app.before_request_funcs.setdefault(None, []).insert(0, raise_handed_over)
    app.wsgi_app = GatewayFront(app, app.wsgi_app)
