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
from dataclasses import dataclass
from urllib.parse import unquote_plus

from flask import Flask
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.datastructures import Headers, MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Request, Response

from app.authz import validate_endpoint
from app.authz.decision import ValidationRequest, decide
from app.authz.plugin_auth import credentials_match
from app.db_types import utcnow
from app.orthanc.client import ORTHANC_ID
from app.orthanc.dicomweb import is_dicom_uid
from app.shares.viewer_tokens import TOKEN_NAME, ViewerTokenError, strip_bearer
from app.studies import qido_query as qido

PATH = "/auth/nginx/check"
READS = frozenset({"GET", "HEAD"})
MAX_URI_LENGTH = 8192
# The guard adds this header to what it refuses, so a refusal is told from Orthanc's own.
REFUSED_HEADER = ("X-StudyShare-Guard", "refused")
HEADERS = [("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store")]
SEGMENT_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._,-")

log = logging.getLogger(__name__)


class RefusedError(Exception):
    """Not a request a viewer of one shared study makes (403); the message is for the log."""


@dataclass(frozen=True)
class Target:
    """The study a request reads; neither id for a series or instance route."""

    orthanc_id: str | None = None
    dicom_uid: str | None = None

    @property
    def names_study(self) -> bool:
        return self.orthanc_id is not None or self.dicom_uid is not None


RESOURCE = Target()


def parse_uri(uri: str) -> tuple[Target, list[str]]:
    """The study the raw request URI reads, and the `token` arguments of its query."""
    if len(uri) > MAX_URI_LENGTH:
        raise RefusedError("the URI is too long")
    path, _, query = uri.partition("?")
    # Orthanc 1.10 does not percent-decode arguments: keys are read as it reads them.
    args = [piece.partition("=")[::2] for piece in query.split("&") if piece]
    tokens = [value for key, value in args if key == TOKEN_NAME]
    return _route(_segments(path), args), tokens


def _segments(path: str) -> list[str]:
    if not path.startswith("/"):
        raise RefusedError("the path is not absolute")
    parts = path[1:].split("/")
    if len(parts) > 1 and parts[-1] == "":
        parts.pop()  # one trailing slash, as DICOMweb clients sometimes send
    # No escapes, dot segments or empty segments: nginx and Orthanc must read the same path.
    if not all(p and p not in (".", "..") and SEGMENT_CHARACTERS.issuperset(p) for p in parts):
        raise RefusedError("the path has escaped, dot, empty or unusual segments")
    return parts


def _is_id(value: str) -> bool:
    return ORTHANC_ID.fullmatch(value) is not None


def _route(parts: list[str], args: list[tuple[str, str]]) -> Target:
    match parts:
        case ["studies" | "series" | "instances" as level, oid, *rest] if _is_id(oid):
            if rest[:1] == ["patient"]:
                raise RefusedError("the patient of a resource lists the patient's other studies")
            return Target(orthanc_id=oid) if level == "studies" else RESOURCE
        case ["web-viewer", "series" | "is-stable-series", oid] if _is_id(oid):
            return RESOURCE
        case ["web-viewer", "instances", name] if _is_web_viewer_instance(name):
            return RESOURCE
        case ["osimis-viewer", "studies", oid] if _is_id(oid):
            return Target(orthanc_id=oid)
        case ["osimis-viewer", "series" | "images" | "custom-command", oid, *_] if _is_id(oid):
            return RESOURCE
        case ["dicom-web", "studies" | "series" | "instances" as level]:
            uid = _qido(args, level, study_in_path=False).filters.get(qido.STUDY)
            if uid is None or not is_dicom_uid(uid):
                raise RefusedError("a query must name exactly one study, by one StudyInstanceUID")
            return Target(dicom_uid=uid)
        case ["dicom-web", "studies", uid, *rest] if is_dicom_uid(uid):
            _dicomweb_study_route(rest, args)
            return Target(dicom_uid=uid)
    raise RefusedError("not a route a viewer of one shared study reads")


def _is_web_viewer_instance(name: str) -> bool:
    # `{compression}-{instance id}_{frame}`, e.g. jpeg95-…_0
    compression, _, rest = name.partition("-")
    instance, _, frame = rest.rpartition("_")
    return compression.isalnum() and _is_id(instance) and frame.isdigit()


def _dicomweb_study_route(rest: list[str], args: list[tuple[str, str]]) -> None:
    """QIDO inside the study (the query checked), or retrieval of one of its parts."""
    if rest in (["series"], ["instances"]):
        _qido(args, rest[0], study_in_path=True)
        return
    series = len(rest) >= 2 and rest[0] == "series" and is_dicom_uid(rest[1])
    if series and rest[2:] == ["instances"]:
        _qido(args, "instances", study_in_path=True, series_in_path=True)
        return
    instance = series and rest[2:3] == ["instances"] and len(rest) > 3 and is_dicom_uid(rest[3])
    ending = rest[4:] if instance else rest[2:] if series else rest
    if ending in ([], ["metadata"], ["rendered"], ["thumbnail"]):
        return
    frames = len(ending) in (2, 3) and ending[0] == "frames" and ending[2:] in ([], ["rendered"])
    if instance and frames and all(n.isdigit() for n in ending[1].split(",")):
        return
    if instance and ending[0] == "bulk" and len(ending) >= 2:
        return
    raise RefusedError("not a DICOMweb route of the study")


def _qido(
    args: list[tuple[str, str]], level: str, *, study_in_path: bool, series_in_path: bool = False
) -> qido.Qido:
    """The gateway's strict reading (one key once, known attributes), and no patient keys."""
    values = MultiDict([(key, unquote_plus(value)) for key, value in args])
    try:
        query = qido.parse(
            values, level=level, study_in_path=study_in_path, series_in_path=series_in_path
        )
    except BadRequest as exc:
        raise RefusedError(f"QIDO: {exc.description}") from None
    if any(tag.startswith("0010") for tag in query.filters):
        raise RefusedError("a query names a patient attribute")
    return query


def presented_token(authorization: str | None, header: str | None, query: list[str]) -> str | None:
    """The one token a request carries (however many times), or None; RefusedError for several."""
    found = set()
    for value in (authorization, header, *query):
        if not value:
            continue
        # Repeated headers arrive joined by commas; a token never holds one.
        if "," in value:
            raise RefusedError("the request carries several tokens")
        token = strip_bearer(value)
        if token:
            found.add(token)
    if len(found) > 1:
        raise RefusedError("the request carries several different tokens")
    return found.pop() if found else None


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
