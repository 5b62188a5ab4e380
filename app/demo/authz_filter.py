"""Stand-in for Orthanc's authorization plugin with `CheckedLevel: "studies"` (tests only).

Loaded by orthanc-python (`PythonScript`), so it runs in Debian's python3 inside Orthanc:
standard library only. Configuration: the `StudyShareAuthz` section of Orthanc's own config:
`Mode`, `ValidationUrl` or `RootUrl`, `UserProfileUrl`, `Username`, `Password`,
`TokenHttpHeaders`, `TokenGetArguments`, `UncheckedFolders`, `UncheckedResources`,
`StandardConfigurations` (named like the plugin's options, AUTHZ-CONTRACT.md §1).

Each request is mapped to one study like the plugin does (AUTHZ-CONTRACT.md §1 and §7), and
StudyShare's validation endpoint is asked with the plugin's body. Two modes, by `Mode`:

"faithful" (the default) behaves like the real plugin 0.11.4 on Orthanc 1.10.1, leaks
included (AUTHZ-CONTRACT.md §4, §6), so that a "denied" row holds in a real deployment too.
Each line names the plugin behaviour it mimics:
- `GET /dicom-web/studies` with any query or none is let through without asking StudyShare,
  with no token or a refused one (plugin >= 0.9.2, measured, §6): every study, with names
  and birth dates, `?StudyInstanceUID=<another study>` and `?PatientID=` included.
- Series/instance-level QIDO names its study by `0020000D`, else `StudyInstanceUID`
  (DefaultAuthorizationParser reads them in that order); the other spelling is left to
  DICOMweb, which honours the last one given (§6). Its UIDs are looked up, never checked for
  shape; a series or instance key must exist somewhere (AuthorizationParserBase).
- A request carrying several tokens is granted when any one of them is (Plugin.cpp
  IsResourceAccessGranted), each asked on its own, in the order of the plugin's std::set of
  tokens: headers before GET arguments, each by name; a present but empty one counts.
- `UncheckedResources` are open to GET, and `StandardConfigurations` add the plugin's own
  folders, resources and token names: `stone-webviewer` opens `/system` to anyone.
- With `RootUrl` (WebServiceRootUrl) or `UserProfileUrl`, `POST .../user/get-profile` is
  called on every checked request before any validation, once per token, anonymous calls
  with `"token-key": ""` and `"token-value": ""` (§4, measured); the plugin's default
  permissions then open `POST /tools/lookup`, `GET /tools/generate-uid` and
  `POST /auth/tokens/decode` to anyone. The last is the plugin's own REST route, answered
  here the same way: StudyShare's `<root>tokens/decode`, renamed to TokenType/ErrorCode/
  RedirectUrl. Creating tokens (OE2's Share button) needs a permission nobody has.
- Bodies are sent chunked, without Content-Length (0.11.4, §1); a header token is also sent
  as that header, except `Authorization`, which carries the Basic credentials
  (AuthorizationWebService).
- Kept from the plugin in both modes: one study-level call per request at CheckedLevel
  studies (REST study, series and instance routes resolved to their study through
  `orthanc.RestApiGet`, DICOMweb study routes, QIDO with a study key), each answer cached for
  `validity` seconds per (method, level, study, token), and every other route (patients,
  lists, system routes) denied without asking; an error denies the whole request.

"strict" is the older, stricter stand-in. It hides those leaks, so it shows what StudyShare
would do behind a guard that closes them, not what the plugin does: only `UncheckedFolders`
are unchecked (no `/system`), every `/dicom-web/{studies,series,instances}` query needs one
exact study UID (both spellings, if given, must agree; lists and wildcards are denied), only
the first non-empty token is asked about, no profile is ever asked for (`RootUrl` only
derives the validation URL) and bodies are sent with a Content-Length, as plugin 0.4.x does.
"""

import base64
import json
import re
import time
import urllib.request

import orthanc

MODES = ("faithful", "strict")
METHODS = {1: "get", 2: "post", 3: "put", 4: "delete"}
TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024
MAX_CACHED_ANSWERS = 10_000
HEADER, ARGUMENT = 0, 1  # the plugin's TokenType order: header tokens are tried first

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
QIDO = re.compile(r"/dicom-web/(?P<level>studies|series|instances)(|/)")
QIDO_STUDY_ARGUMENTS = ("0020000D", "StudyInstanceUID")
LISTS_OF_RESOURCES = re.compile(r"/(patients|studies|series|instances)(|/)")
# The plugin's defaults when StandardConfigurations names a viewer (Plugin.cpp).
STANDARD_CONFIGURATIONS = {
    "osimis-web-viewer": {
        "folders": ["/osimis-viewer/app/", "/osimis-viewer/languages/"],
        "resources": ["/osimis-viewer/config.js"],
        "tokens": [(HEADER, "token"), (ARGUMENT, "token")],
    },
    "stone-webviewer": {
        "folders": ["/stone-webviewer/"],
        # "for Stone to check that Orthanc is the server providing the data"
        "resources": ["/system"],
        "tokens": [(HEADER, "Authorization")],
    },
    "ohif": {"folders": ["/ohif/"], "resources": [], "tokens": []},
}
# Part of the plugin's default "Permissions" (method, route, permissions, any one of which
# is enough); "" needs none: those routes are open to anyone once profiles are asked for.
PERMISSIONS = tuple(
    (method, re.compile(pattern), frozenset(needed.split("|")))
    for method, pattern, needed in (
        ("post", r"/auth/tokens/decode", ""),
        ("post", r"/tools/lookup", ""),
        ("get", r"/tools/generate-uid", ""),
        ("post", r"/tools/find", "all|view"),
        ("get", r"/(patients|studies|series|instances)/[a-f0-9-]+", "all|view"),
        (
            "get",
            r"/(patients|studies|series|instances)/[a-f0-9-]+/(studies|study|series|instances)",
            "all|view",
        ),
        ("put", r"/auth/tokens/(viewer-instant-link|meddream-instant-link)", "all|view"),
        ("put", r"/auth/tokens/download-instant-link", "all|download"),
        ("put", r"/auth/tokens/[a-z]+-viewer-publication", "all|share"),
        ("delete", r"/(patients|studies|series|instances)/[a-f0-9-]+", "all|delete"),
    )
)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the Basic credentials elsewhere; the plugin does not follow any.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class BadAnswerError(Exception):
    """The token service did not answer in the plugin's format."""


# No proxies: the token service is internal, and an inherited http_proxy must not see tokens.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
_cache = {}


def _load_config():
    section = json.loads(orthanc.GetConfiguration())["StudyShareAuthz"]
    mode = section.get("Mode", "faithful")
    if mode not in MODES:
        raise ValueError("unknown Mode")
    credentials = f"{section['Username']}:{section['Password']}".encode()
    config = {
        "mode": mode,
        "authorization": "Basic " + base64.b64encode(credentials).decode("ascii"),
        "tokens": [(HEADER, name) for name in section.get("TokenHttpHeaders", [])]
        + [(ARGUMENT, name) for name in section.get("TokenGetArguments", [])],
        # As the plugin's UncheckedFolders: a viewer's own HTML and scripts, no patient data.
        "unchecked_folders": list(section.get("UncheckedFolders", [])),
        "unchecked_resources": set(section.get("UncheckedResources", [])),
        "profile_url": section.get("UserProfileUrl"),
        "decoder_url": None,
    }
    # WebServiceRootUrl derives all the service's routes (AUTHZ-CONTRACT.md §1).
    root = section.get("RootUrl")
    if root:
        root = root.rstrip("/")
        config["validation_url"] = root + "/tokens/validate"
        config["profile_url"] = root + "/user/get-profile"
        config["decoder_url"] = root + "/tokens/decode"
    else:
        config["validation_url"] = section["ValidationUrl"]
    for name in section.get("StandardConfigurations", []):
        standard = STANDARD_CONFIGURATIONS[name]
        config["unchecked_folders"] += standard["folders"]
        config["unchecked_resources"].update(standard["resources"])
        config["tokens"] += standard["tokens"]
    config["unchecked_folders"] = tuple(config["unchecked_folders"])
    if mode == "faithful":
        # The plugin keeps its tokens in a std::set: duplicates merge, order is by kind, name.
        config["tokens"] = sorted(set(config["tokens"]))
    else:
        # Header tokens first, each kind in the configured order (sorted() is stable).
        config["tokens"] = sorted(_unique_names(config["tokens"]), key=lambda token: token[0])
        config["unchecked_resources"] = set()
        config["profile_url"] = config["decoder_url"] = None
    return config


def _unique_names(tokens):
    seen, unique = set(), []
    for kind, name in tokens:
        if (kind, name.lower()) not in seen:
            seen.add((kind, name.lower()))
            unique.append((kind, name))
    return unique


def _get_json(uri):
    return json.loads(orthanc.RestApiGet(uri))


def _lookup(uid, level):
    """Orthanc id of the resource of this level ("Study", "Series"…) with this DICOM UID."""
    for match in json.loads(orthanc.RestApiPost("/tools/lookup", uid)):
        if match.get("Type") == level:
            return match["ID"]
    return None


def _study_of_resource(kind, orthanc_id):
    """(Orthanc id, StudyInstanceUID) of the study holding this REST resource."""
    uri = f"/studies/{orthanc_id}" if kind == "studies" else f"/{kind}/{orthanc_id}/study"
    study = _get_json(uri)
    return study["ID"], study["MainDicomTags"]["StudyInstanceUID"]


def _study_of_uid(uid):
    orthanc_id = _lookup(uid, "Study")
    return (orthanc_id, uid) if orthanc_id else None


def _route_study(uri):
    """(matched, study) for the plugin's resource routes; matched is False for other URIs."""
    for pattern, kind in ROUTES:
        match = pattern.fullmatch(uri)
        if match is None:
            continue
        if kind == "dicom":
            return True, _study_of_uid(match["uid"])
        return True, _study_of_resource(kind, match["id"])
    return False, None


def _first_of(get, *names):
    # Orthanc::HttpToolbox::GetArgument: an empty value counts as absent.
    for name in names:
        if get.get(name):
            return get[name]
    return None


def _faithful_qido_study(get):
    """The study DefaultAuthorizationParser names in a QIDO query, or None (deny)."""
    study_uid = _first_of(get, "0020000D", "StudyInstanceUID")
    if study_uid is None:
        # Patient-level keys name a patient: an unchecked level at CheckedLevel studies.
        return None
    series_uid = _first_of(get, "0020000E", "SeriesInstanceUID")
    sop_uid = _first_of(get, "00080018", "SOPInstanceUID")
    # The series and instance are looked up (anywhere: unknown ones deny), not checked.
    if series_uid and _lookup(series_uid, "Series") is None:
        return None
    if series_uid and sop_uid and _lookup(sop_uid, "Instance") is None:
        return None
    return _study_of_uid(study_uid)


def _strict_qido_study(get):
    values = {get[name] for name in QIDO_STUDY_ARGUMENTS if name in get}
    # Stricter than the plugin: both spellings must agree (DICOMweb honours the last one),
    # and wildcards or UID lists would match more than one study.
    if len(values) != 1:
        return None
    uid = values.pop()
    return _study_of_uid(uid) if UID.fullmatch(uid) else None


def study_of_request(uri, get):
    """The (Orthanc id, StudyInstanceUID) this request reads, or None to deny it outright."""
    matched, study = _route_study(uri)
    if matched:
        return study
    if QIDO.fullmatch(uri):
        if CONFIG["mode"] == "faithful":
            return _faithful_qido_study(get)
        return _strict_qido_study(get)
    # Patients, lists and system routes: levels the plugin does not check at CheckedLevel
    # studies, so it denies them without asking.
    return None


def find_tokens(headers, get):
    """Every (key, value, is_header) the request carries, in the plugin's order."""
    found = []
    for kind, name in CONFIG["tokens"]:
        source = headers if kind == HEADER else get
        # The plugin's AssociativeArray: a present key is a token, even with an empty value.
        value = source.get(name.lower() if kind == HEADER else name)
        if value is not None:
            found.append((name, value, kind == HEADER))
    return found


def _strict_token(headers, get):
    """The first token found, empty values skipped: the older stand-in asks about one only."""
    for name, value, is_header in find_tokens(headers, get):
        if value:
            return name, value, is_header
    return None


def _post(url, body, headers=()):
    """POST JSON to the token service, as the configured plugin does; the answer's JSON."""
    data = json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", "Authorization": CONFIG["authorization"]}
    all_headers.update(headers)
    if CONFIG["mode"] == "faithful":
        # 0.11.4 sends bodies chunked: an iterable body makes urllib encode the chunks.
        all_headers["Transfer-Encoding"] = "chunked"
        data = iter((data,))
    request = urllib.request.Request(url, data=data, headers=all_headers, method="POST")
    # Non-2xx answers raise HTTPError: the request is then denied, like any other exception.
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
        if response.status != 200:
            raise BadAnswerError(f"HTTP {response.status}")
        return json.loads(response.read(MAX_ANSWER_BYTES))


def ask_service(body, token):
    """(granted, validity) from the token service; a malformed answer raises BadAnswerError."""
    headers = {}
    if token is not None:
        body["token-key"], body["token-value"] = token[0], token[1]
        # The plugin forwards a header token as that header too, but never over the
        # Authorization header that carries its own credentials.
        if token[2] and token[0].lower() != "authorization" and CONFIG["mode"] == "faithful":
            headers[token[0]] = token[1]
    answer = _post(CONFIG["validation_url"], body, headers)
    granted = answer.get("granted") if isinstance(answer, dict) else None
    validity = answer.get("validity") if isinstance(answer, dict) else None
    # Exact JSON types, like the plugin: "yes", 1 or 1.5 are not answers.
    if type(granted) is not bool or type(validity) is not int or validity < 0:
        raise BadAnswerError("not the plugin's answer format")
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
    granted, validity = ask_service(body, token)
    if validity:
        if len(_cache) >= MAX_CACHED_ANSWERS:
            _cache.clear()
        _cache[key] = (time.monotonic() + validity, granted)
    return granted


def get_profile(token):
    """The service's user profile for this token (None: anonymous), or None if unusable."""
    key, value = (token[0], token[1]) if token else ("", "")
    # Unlike validate, anonymous calls carry empty strings (measured, AUTHZ-CONTRACT.md §4).
    body = {"token-key": key, "token-value": value, "identifier": None}
    try:
        profile = _post(CONFIG["profile_url"], body)
    except Exception as exc:
        # The plugin treats a failed profile call as "no profile" and goes on.
        orthanc.LogWarning(f"StudyShare authz filter: no profile ({type(exc).__name__})")
        return None
    if (
        not isinstance(profile, dict)
        or type(profile.get("validity")) is not int
        or not isinstance(profile.get("name"), str)
        or not isinstance(profile.get("permissions"), list)
        or not isinstance(profile.get("authorized-labels"), list)
    ):
        return None
    return profile


def _required_permissions(verb, uri):
    """The permissions that open this route (any one is enough), or None if none does."""
    for method, pattern, needed in PERMISSIONS:
        if method == verb and pattern.fullmatch(uri):
            return needed
    return None


def _permission_decision(verb, uri, get, tokens):
    """True (granted by permissions), False (denied by labels) or None (ask about the study)."""
    profiles = [get_profile(token) for token in tokens] or [get_profile(None)]
    needed = _required_permissions(verb, uri)
    if needed is None:
        return None
    if "" in needed:
        return True
    for profile in profiles:
        if profile is None or not needed & set(profile["permissions"]):
            continue
        if "*" in profile["authorized-labels"]:
            return True
        # Orthanc 1.10 has no labels: a profile limited to some labels opens no study, and
        # no list of resources; a system route needs the permission only.
        names_resources = LISTS_OF_RESOURCES.fullmatch(uri) or study_of_request(uri, get)
        return not names_resources
    return None


def _faithful(verb, uri, headers, get):
    tokens = find_tokens(headers, get)
    if CONFIG["profile_url"]:
        decision = _permission_decision(verb, uri, get, tokens)
        if decision is not None:
            return decision
    qido = QIDO.fullmatch(uri)
    if verb == "get" and qido is not None and qido["level"] == "studies":
        # Plugin >= 0.9.2 lets the study-level QIDO through to anyone (AUTHZ-CONTRACT.md §6).
        return True
    study = study_of_request(uri, get)
    if study is None:
        return False
    if not tokens:
        return is_granted(verb, study, None)
    # Any one granted token is enough; the first error denies the whole request.
    return any(is_granted(verb, study, token) for token in tokens)


def _strict(verb, uri, headers, get):
    study = study_of_request(uri, get)
    if study is None:
        return False
    return is_granted(verb, study, _strict_token(headers, get))


def authorize(uri, method=None, headers=None, get=None, **_ignored):
    """Orthanc's incoming-request filter: True lets the request through, False is a 403."""
    try:
        verb = METHODS.get(method)
        if verb is None:
            return False
        if verb == "get" and _unchecked(uri):
            return True
        # `get` is only passed for GET requests.
        decide = _faithful if CONFIG["mode"] == "faithful" else _strict
        return decide(verb, uri, headers or {}, get or {})
    except Exception as exc:
        # An exception would be a 500: deny instead, naming the error but never the token.
        orthanc.LogWarning(f"StudyShare authz filter: denied after {type(exc).__name__}")
        return False


def _unchecked(uri):
    if uri in CONFIG["unchecked_resources"]:
        return True
    # ".." would climb out of the folder; Orthanc has normalized the URI, but be sure.
    return ".." not in uri and uri.startswith(CONFIG["unchecked_folders"])


def decode_token(output, uri, **request):
    """The plugin's own `POST /auth/tokens/decode`, forwarded to the service's decoder."""
    if request.get("method") != "POST":
        output.SendMethodNotAllowed("POST")
        return
    body = json.loads(request.get("body") or b"null")
    body = body if isinstance(body, dict) else {}

    def text(name):
        return body[name] if isinstance(body.get(name), str) else ""

    answer = _post(
        CONFIG["decoder_url"],
        {"token-key": text("TokenKey"), "token-value": text("TokenValue")},
    )
    answer = answer if isinstance(answer, dict) else {}
    decoded = {
        ours: answer[theirs]
        for theirs, ours in (
            ("redirect-url", "RedirectUrl"),
            ("error-code", "ErrorCode"),
            ("token-type", "TokenType"),
        )
        if isinstance(answer.get(theirs), str) and answer[theirs]
    }
    output.AnswerBuffer(json.dumps(decoded), "application/json")


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
    if CONFIG["decoder_url"]:
        orthanc.RegisterRestCallback("/auth/tokens/decode", decode_token)
    orthanc.LogWarning(f"StudyShare authz filter: {CONFIG['mode']} mode")
