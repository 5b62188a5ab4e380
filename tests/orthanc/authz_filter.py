"""Stand-in for Orthanc's authorization plugin with `CheckedLevel: "studies"` (tests only).

Loaded by orthanc-python (`PythonScript`), so it runs in Debian's python3 inside Orthanc:
standard library only. Configuration: the `StudyShareAuthz` section of Orthanc's own config
(ValidationUrl, Username, Password, TokenHttpHeaders, TokenGetArguments, UncheckedFolders).

Each request is mapped to one study like the plugin does (AUTHZ-CONTRACT.md §1 and §7), and
StudyShare's validation endpoint is asked with the plugin's body. Everything the plugin would
check at another level (patients, system routes) is denied here without asking.
"""

import base64
import json
import re
import time
import urllib.request

import orthanc

METHODS = {1: "get", 2: "post", 3: "put", 4: "delete"}
TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024
MAX_CACHED_ANSWERS = 10_000

ORTHANC_ID = r"(?P<id>[a-f0-9-]+)"
STUDY_UID = r"(?P<uid>[.0-9]+)"
UID = re.compile(r"[.0-9]+")
# The plugin's DefaultAuthorizationParser patterns (matched against the whole URI), each with
# the REST collection whose parent study it names; "dicom" carries a StudyInstanceUID.
ROUTES = tuple(
    (re.compile(pattern), kind)
    for pattern, kind in (
        (rf"/studies/{ORTHANC_ID}(|/.*)", "studies"),
        (rf"/series/{ORTHANC_ID}(|/.*)", "series"),
        (rf"/instances/{ORTHANC_ID}(|/.*)", "instances"),
        (
            rf"/(web-viewer/series|web-viewer/is-stable-series|wsi/pyramids|wsi/tiles)"
            rf"/{ORTHANC_ID}(|/.*)",
            "series",
        ),
        (rf"/web-viewer/instances/[a-z0-9]+-{ORTHANC_ID}_[0-9]+", "instances"),
        (rf"/osimis-viewer/series/{ORTHANC_ID}(|/.*)", "series"),
        (rf"/osimis-viewer/studies/{ORTHANC_ID}(|/.*)", "studies"),
        (rf"/osimis-viewer/(images|custom-command)/{ORTHANC_ID}(|/.*)", "instances"),
        (
            rf"/dicom-web/studies/{STUDY_UID}(|/series|/metadata|/instances|/rendered"
            r"|/thumbnail)(|/)",
            "dicom",
        ),
        (
            rf"/dicom-web/studies/{STUDY_UID}/series/[.0-9]+(|/instances|/rendered"
            r"|/thumbnail|/metadata)(|/)",
            "dicom",
        ),
        (
            rf"/dicom-web/studies/{STUDY_UID}/series/[.0-9]+/instances/[.0-9]+"
            r"(|/|/frames/.*|/rendered|/thumbnail|/metadata|/bulk/.*)(|/)",
            "dicom",
        ),
    )
)
QIDO = re.compile(r"/dicom-web/(studies|series|instances)(|/)")
QIDO_STUDY_ARGUMENTS = ("0020000D", "StudyInstanceUID")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the Basic credentials elsewhere; the plugin does not follow any.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# No proxies: the token service is internal, and an inherited http_proxy must not see tokens.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
_cache = {}


def _load_config():
    section = json.loads(orthanc.GetConfiguration())["StudyShareAuthz"]
    credentials = f"{section['Username']}:{section['Password']}".encode()
    return {
        "url": section["ValidationUrl"],
        "authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
        "headers": list(section.get("TokenHttpHeaders", ["token", "authorization"])),
        "arguments": list(section.get("TokenGetArguments", ["token"])),
        # As the plugin's UncheckedFolders: a viewer's own HTML and scripts, no patient data.
        "unchecked_folders": tuple(section.get("UncheckedFolders", [])),
    }


def _get_json(uri):
    return json.loads(orthanc.RestApiGet(uri))


def _study_of_resource(kind, orthanc_id):
    """(Orthanc id, StudyInstanceUID) of the study holding this REST resource."""
    uri = f"/studies/{orthanc_id}" if kind == "studies" else f"/{kind}/{orthanc_id}/study"
    study = _get_json(uri)
    return study["ID"], study["MainDicomTags"]["StudyInstanceUID"]


def _study_of_uid(uid):
    for match in json.loads(orthanc.RestApiPost("/tools/lookup", uid)):
        if match.get("Type") == "Study":
            return match["ID"], uid
    return None


def _qido_study_uid(get):
    values = {get[name] for name in QIDO_STUDY_ARGUMENTS if name in get}
    # Stricter than the plugin: both spellings must agree (DICOMweb might honour either), and
    # wildcards or UID lists would match more than one study.
    if len(values) != 1:
        return None
    uid = values.pop()
    return uid if UID.fullmatch(uid) else None


def study_of_request(uri, get):
    """The (Orthanc id, StudyInstanceUID) this request reads, or None to deny it outright."""
    for pattern, kind in ROUTES:
        match = pattern.fullmatch(uri)
        if match is None:
            continue
        if kind == "dicom":
            return _study_of_uid(match["uid"])
        return _study_of_resource(kind, match["id"])
    if QIDO.fullmatch(uri):
        uid = _qido_study_uid(get)
        return _study_of_uid(uid) if uid else None
    # Patients, lists and system routes. Stricter than plugin >= 0.9.2, which lets
    # `GET /dicom-web/studies` without a UID through to anyone (AUTHZ-CONTRACT.md §6).
    return None


def find_token(headers, get):
    """(key, value) of the first configured header, then GET argument, that carries a token."""
    for name in CONFIG["headers"]:
        if headers.get(name.lower()):
            return name, headers[name.lower()]
    for name in CONFIG["arguments"]:
        if get.get(name):
            return name, get[name]
    return None


def ask_service(body):
    """(granted, validity) from the token service; validity None means: do not cache."""
    request = urllib.request.Request(
        CONFIG["url"],
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": CONFIG["authorization"]},
        method="POST",
    )
    # Non-2xx answers raise HTTPError: a denial, like any other exception.
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
        if response.status != 200:
            return False, None
        answer = json.loads(response.read(MAX_ANSWER_BYTES))
    granted = answer.get("granted") if isinstance(answer, dict) else None
    validity = answer.get("validity") if isinstance(answer, dict) else None
    # Exact JSON types, like the plugin: "yes", 1 or 1.5 are not answers.
    if type(granted) is not bool or type(validity) is not int or validity < 0:
        return False, None
    return granted, validity


def is_granted(method, study, token):
    """Ask once per (method, study, token) and reuse the answer for `validity` seconds."""
    key = (method, "study", study[0], token)
    cached = _cache.get(key)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    body = {
        "method": method,
        "level": "study",
        "orthanc-id": study[0],
        "dicom-uid": study[1],
        "server-id": None,
    }
    # Anonymous calls are asked too, without token-key/value, as the plugin does.
    if token is not None:
        body["token-key"], body["token-value"] = token
    granted, validity = ask_service(body)
    if validity:
        if len(_cache) >= MAX_CACHED_ANSWERS:
            _cache.clear()
        _cache[key] = (time.monotonic() + validity, granted)
    return granted


def authorize(uri, method=None, headers=None, get=None, **_ignored):
    """Orthanc's incoming-request filter: True lets the request through, False is a 403."""
    try:
        verb = METHODS.get(method)
        if verb == "get" and _in_unchecked_folder(uri):
            return True
        # `get` is only passed for GET requests.
        get = get or {}
        study = study_of_request(uri, get) if verb else None
        if study is None:
            return False
        return is_granted(verb, study, find_token(headers or {}, get))
    except Exception as exc:
        # An exception would be a 500: deny instead, naming the error but never the token.
        orthanc.LogWarning(f"StudyShare authz filter: denied after {type(exc).__name__}")
        return False


def _in_unchecked_folder(uri):
    # ".." would climb out of the folder; Orthanc has normalized the URI, but be sure.
    return ".." not in uri and uri.startswith(CONFIG["unchecked_folders"])


def _deny_all(uri, **_ignored):
    return False


try:
    CONFIG = _load_config()
except Exception:
    # Fail closed: without a filter Orthanc would serve every request to anyone.
    orthanc.LogError("StudyShare authz filter: bad StudyShareAuthz configuration, denying all")
    orthanc.RegisterIncomingHttpRequestFilter(_deny_all)
else:
    orthanc.RegisterIncomingHttpRequestFilter(authorize)
