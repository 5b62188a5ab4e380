"""`GET /auth/nginx/check`: nginx's `auth_request` for the guard in front of a public Orthanc.

Measured with the real plugin 0.11.4, a public Orthanc leaks other patients whatever the
token service answers (AUTHZ-CONTRACT.md §6): QIDO with any query, a second study key, several
tokens in one request, `/system`. The guard (deploy/nginx/) asks this check about every
request before Orthanc sees it; the check reads the viewer's URI from `X-Original-URI` and
answers 204 (let through), 401 (no or no valid token) or 403 (anything else), empty-bodied.

It applies the validation endpoint's rules and caches (`decide()`, its ShareStateCache and
VerifiedTokens): no Orthanc call, and like that endpoint it is answered before Flask's hooks.
Routes that name a study (`/studies/{id}`, `/dicom-web/studies/{uid}`, QIDO with exactly one
study key) are decided here in full. A series or instance route names no study, and its
study is only known to Orthanc: there the check lets through one valid token of a live share
and leaves the study to the plugin, which resolves it through Orthanc and asks
`/auth/tokens/validate` (so the guard is only for an Orthanc that runs the plugin).
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from app.authz import validate_endpoint
from app.authz.decision import ValidationRequest, decide
from app.authz.nginx_request import RefusedError, Target, parse_uri, presented_token
from app.authz.plugin_auth import credentials_match
from app.db_types import utcnow
from app.shares.viewer_tokens import TOKEN_NAME, ViewerTokenError

PATH = "/auth/nginx/check"
READS = frozenset({"GET", "HEAD"})
# The guard adds this header to what it refuses, so a refusal is told from Orthanc's own.
REFUSED_HEADER = ("X-StudyShare-Guard", "refused")
HEADERS = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")]

log = logging.getLogger(__name__)


class NginxCheck:
    """WSGI middleware: answers PATH with the validation endpoint's caches, passes the rest."""

    def __init__(self, app: Flask, wrapped, endpoint: validate_endpoint.ValidateEndpoint) -> None:
        self.app = app
        self.wrapped = wrapped
        self.endpoint = endpoint

    def __call__(self, environ: dict, start_response):
        if environ.get("PATH_INFO") != PATH:
            return self.wrapped(environ, start_response)
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        if request.method not in READS:
            return verdict(405, Allow="GET, HEAD")
        if not credentials_match(request.authorization, self.app.config):
            log.warning("nginx check: a caller without the guard's credentials (AUTHZ_USERNAME)")
            return verdict(403)
        uri = request.headers.get("X-Original-URI")
        method = request.headers.get("X-Original-Method")
        if not uri or not method:
            log.error("nginx check: X-Original-URI or X-Original-Method missing (deploy/nginx/)")
            return verdict(400)
        path = uri.partition("?")[0][:200]  # never the query: it may hold a token
        try:
            with self.app.app_context():
                status, reason = self.judge(method, uri, request.headers)
        except SQLAlchemyError as exc:
            log.error("nginx check without a database: %s", type(exc).__name__)
            return verdict(503)
        except Exception:
            log.exception("nginx check failed unexpectedly; refused %s %s", method[:10], path)
            return verdict(403)
        if status != 204:
            log.info("nginx check: %d for %s %s: %s", status, method[:10], path, reason)
        return verdict(status)

    def judge(self, method: str, uri: str, headers: Headers) -> tuple[int, str]:
        """(status, reason): 204 to let the request through, 401 or 403 to refuse it."""
        if method not in READS:
            return 403, "only GET and HEAD are let through"
        try:
            target, query_tokens = parse_uri(uri)
            token = presented_token(
                headers.get("X-Original-Authorization"), headers.get(TOKEN_NAME), query_tokens
            )
        except RefusedError as exc:
            return 403, str(exc)
        if token is None:
            return 401, "no token"
        try:
            claims = self.endpoint.tokens.claims(token)
        except ViewerTokenError:
            return 401, "not a valid viewer token"
        # A series or instance: any study of the token's live share; the plugin checks which.
        ids = sorted(study.orthanc_id for study in claims.studies)
        asked = [target] if target.names_study else [Target(i) for i in ids]
        config, now = self.app.config, utcnow()
        for study in asked:
            req = ValidationRequest(
                "get", "study", study.orthanc_id, study.dicom_uid, token, config["SERVER_ID"]
            )
            granted = decide(
                req,
                states=self.endpoint.states,
                tokens=self.endpoint.tokens,
                now=now,
                cap_seconds=config["AUTHZ_VALIDITY_SECONDS"],
                server_id=config["SERVER_ID"],
            ).granted
            if granted:
                return 204, "granted"
        return 403, "the token's share is not live or does not hold this study"


def verdict(status: int, **headers: str) -> Response:
    response = Response(status=status, headers=HEADERS)
    response.headers.update(headers)
    if status in (401, 403):
        # No WWW-Authenticate: nginx would hand a Basic challenge to the viewer's browser.
        response.headers.set(*REFUSED_HEADER)
    return response


def init_app(app: Flask) -> None:
    """Wrap the WSGI app; after validate_endpoint.init_app, whose caches are shared."""
    endpoint = app.extensions[validate_endpoint.EXTENSION_KEY]
    app.wsgi_app = NginxCheck(app, app.wsgi_app, endpoint)
