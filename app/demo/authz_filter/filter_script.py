"""Stand-in for Orthanc's authorization plugin with `CheckedLevel: "studies"` (tests only).

Loaded by orthanc-python (`PythonScript`), so it runs in Debian's python3 inside Orthanc:
standard library only, and the `filter_*` helpers beside it (this package's `__init__`).
Configuration: the `StudyShareAuthz` section of Orthanc's own config (filter_config.py):
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

import json

import filter_config
import filter_permissions
import filter_routes
import filter_token_service
import orthanc

METHODS = {1: "get", 2: "post", 3: "put", 4: "delete"}


def find_tokens(headers, get):
    """Every (key, value, is_header) the request carries, in the plugin's order."""
    found = []
    for kind, name in CONFIG["tokens"]:
        is_header = kind == filter_config.HEADER
        source = headers if is_header else get
        # The plugin's AssociativeArray: a present key is a token, even with an empty value.
        value = source.get(name.lower() if is_header else name)
        if value is not None:
            found.append((name, value, is_header))
    return found


def _strict_token(headers, get):
    """The first token found, empty values skipped: the older stand-in asks about one only."""
    for name, value, is_header in find_tokens(headers, get):
        if value:
            return name, value, is_header
    return None


def _faithful(verb, uri, headers, get):
    tokens = find_tokens(headers, get)
    if CONFIG["profile_url"]:
        decision = filter_permissions.permission_decision(CONFIG, verb, uri, get, tokens)
        if decision is not None:
            return decision
    qido = filter_routes.QIDO.fullmatch(uri)
    if verb == "get" and qido is not None and qido["level"] == "studies":
        # Plugin >= 0.9.2 lets the study-level QIDO through to anyone (AUTHZ-CONTRACT.md §6).
        return True
    study = filter_routes.study_of_request(uri, get, CONFIG["mode"])
    if study is None:
        return False
    if not tokens:
        return filter_token_service.is_granted(CONFIG, verb, study, None)
    # Any one granted token is enough; the first error denies the whole request.
    return any(filter_token_service.is_granted(CONFIG, verb, study, token) for token in tokens)


def _strict(verb, uri, headers, get):
    study = filter_routes.study_of_request(uri, get, CONFIG["mode"])
    if study is None:
        return False
    return filter_token_service.is_granted(CONFIG, verb, study, _strict_token(headers, get))


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

    answer = filter_token_service.post(
        CONFIG,
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
    CONFIG = filter_config.load_config(json.loads(orthanc.GetConfiguration())["StudyShareAuthz"])
except Exception:
    # Fail closed: without a filter Orthanc would serve every request to anyone.
    orthanc.LogError("StudyShare authz filter: bad StudyShareAuthz configuration, denying all")
    orthanc.RegisterIncomingHttpRequestFilter(_deny_all)
else:
    orthanc.RegisterIncomingHttpRequestFilter(authorize)
    if CONFIG["decoder_url"]:
        orthanc.RegisterRestCallback("/auth/tokens/decode", decode_token)
    orthanc.LogWarning(f"StudyShare authz filter: {CONFIG['mode']} mode")
