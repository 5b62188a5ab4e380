"""/auth/openapi.json describes every /auth/ route, and only those."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.authz import nginx_check, validate_endpoint

DOCUMENT = Path(__file__).resolve().parents[3] / "app" / "authz" / "openapi.json"
ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
# Flask answers these for every route by itself.
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}
OPERATIONS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
# Answered by WSGI middleware in front of Flask, so absent from url_map.
MIDDLEWARE_ROUTES = {(validate_endpoint.PATH, "post"), (nginx_check.PATH, "get")}


def routes_in_app(app) -> set[tuple[str, str]]:
    found = set(MIDDLEWARE_ROUTES)
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/auth/"):
            path = ARGUMENT.sub(r"{\1}", rule.rule)
            found |= {(path, method.lower()) for method in rule.methods - IMPLICIT_METHODS}
    return found


def routes_in_document(document: dict) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in OPERATIONS
    }


def test_every_auth_route_is_described_and_nothing_else(app):
    document = json.loads(DOCUMENT.read_text())
    assert routes_in_document(document) == routes_in_app(app)


def test_the_document_is_served_publicly_and_cacheable(client):
    response = client.get("/auth/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == json.loads(DOCUMENT.read_text())
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "Set-Cookie" not in response.headers


def test_plugin_endpoints_ask_for_basic_credentials(client):
    document = client.get("/auth/openapi.json").json
    scheme = document["components"]["securitySchemes"]["pluginBasic"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "basic")
    assert document["security"] == [{"pluginBasic": []}]
    for path, method in routes_in_document(document):
        operation = document["paths"][path][method]
        public = operation.get("security") == []
        answer = client.open(path.replace("{token_type}", "viewer-instant-link"), method=method)
        if public:
            assert answer.status_code == 200, (path, method)
        else:
            # The guard's check refuses with 403: nginx would pass a 401 on to the browser.
            assert answer.status_code in (401, 403), (path, method)
            assert "401" in operation["responses"] or "403" in operation["responses"]
