"""Calls to StudyShare's token service, sent as the plugin sends them, and its answer cache."""

import json
import time
import urllib.request

import orthanc

TIMEOUT_SECONDS = 10
MAX_ANSWER_BYTES = 64 * 1024
MAX_CACHED_ANSWERS = 10_000


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect would carry the Basic credentials elsewhere; the plugin does not follow any.
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class BadAnswerError(Exception):
    """The token service did not answer in the plugin's format."""


# No proxies: the token service is internal, and an inherited http_proxy must not see tokens.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects)
_cache = {}


def post(config, url, body, headers=()):
    """POST JSON to the token service, as the configured plugin does; the answer's JSON."""
    data = json.dumps(body).encode()
    all_headers = {"Content-Type": "application/json", "Authorization": config["authorization"]}
    all_headers.update(headers)
    if config["mode"] == "faithful":
        # 0.11.4 sends bodies chunked: an iterable body makes urllib encode the chunks.
        all_headers["Transfer-Encoding"] = "chunked"
        data = iter((data,))
    request = urllib.request.Request(url, data=data, headers=all_headers, method="POST")
    # Non-2xx answers raise HTTPError: the request is then denied, like any other exception.
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
        if response.status != 200:
            raise BadAnswerError(f"HTTP {response.status}")
        return json.loads(response.read(MAX_ANSWER_BYTES))


def ask_service(config, body, token):
    """(granted, validity) from the token service; a malformed answer raises BadAnswerError."""
    headers = {}
    if token is not None:
        body["token-key"], body["token-value"] = token[0], token[1]
        # The plugin forwards a header token as that header too, but never over the
        # Authorization header that carries its own credentials.
        if token[2] and token[0].lower() != "authorization" and config["mode"] == "faithful":
            headers[token[0]] = token[1]
    answer = post(config, config["validation_url"], body, headers)
    granted = answer.get("granted") if isinstance(answer, dict) else None
    validity = answer.get("validity") if isinstance(answer, dict) else None
    # Exact JSON types, like the plugin: "yes", 1 or 1.5 are not answers.
    if type(granted) is not bool or type(validity) is not int or validity < 0:
        raise BadAnswerError("not the plugin's answer format")
    return granted, validity


def is_granted(config, method, study, token):
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
    granted, validity = ask_service(config, body, token)
    if validity:
        if len(_cache) >= MAX_CACHED_ANSWERS:
            _cache.clear()
        _cache[key] = (time.monotonic() + validity, granted)
    return granted


def get_profile(config, token):
    """The service's user profile for this token (None: anonymous), or None if unusable."""
    key, value = (token[0], token[1]) if token else ("", "")
    # Unlike validate, anonymous calls carry empty strings (measured, AUTHZ-CONTRACT.md §4).
    body = {"token-key": key, "token-value": value, "identifier": None}
    try:
        profile = post(config, config["profile_url"], body)
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
