"""What a request the nginx guard asks about reads and carries: its study and its one token.

Read from the raw `X-Original-URI` as Orthanc 1.10 reads it (no percent-decoding of
arguments); anything a viewer of one shared study does not send is a RefusedError (403).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from app.orthanc.dicomweb import is_dicom_uid
from app.orthanc.ids import is_orthanc_id
from app.shares.viewer_tokens import TOKEN_NAME, strip_bearer
from app.studies import qido_query as qido

MAX_URI_LENGTH = 8192
SEGMENT_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._,-")


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


def _route(parts: list[str], args: list[tuple[str, str]]) -> Target:
    match parts:
        case ["studies" | "series" | "instances" as level, oid, *rest] if is_orthanc_id(oid):
            if rest[:1] == ["patient"]:
                raise RefusedError("the patient of a resource lists the patient's other studies")
            return Target(orthanc_id=oid) if level == "studies" else RESOURCE
        case ["web-viewer", "series" | "is-stable-series", oid] if is_orthanc_id(oid):
            return RESOURCE
        case ["web-viewer", "instances", name] if _is_web_viewer_instance(name):
            return RESOURCE
        case ["osimis-viewer", "studies", oid] if is_orthanc_id(oid):
            return Target(orthanc_id=oid)
        case ["osimis-viewer", "series" | "images" | "custom-command", oid, *_] if is_orthanc_id(
            oid
        ):
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
    return compression.isalnum() and is_orthanc_id(instance) and frame.isdigit()


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
