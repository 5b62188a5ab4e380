"""/api/v1/openapi.json describes every /api/ route and only those, and is served openly."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parents[3] / "app" / "api" / "openapi.json"
ARGUMENT = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
OPERATIONS = {"get", "put", "post", "delete", "patch"}


def routes_in_app(app) -> set[tuple[str, str]]:
    return {
        (ARGUMENT.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def test_every_api_route_is_described_and_nothing_else(app):
    document = json.loads(DOCUMENT.read_text())
    described = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in OPERATIONS
    }
    assert described == routes_in_app(app)


def test_every_keyed_operation_documents_the_key_errors(app):
    document = json.loads(DOCUMENT.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if operation.get("security") == []:
                continue
            assert {"401", "403", "429"} <= set(operation["responses"]), (method, path)


def test_the_document_is_served_without_a_key_or_cookie(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.json == json.loads(DOCUMENT.read_text())
    assert response.json["openapi"].startswith("3.")
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert "Set-Cookie" not in response.headers


def test_unknown_api_paths_and_methods_are_problems(client):
    for response, status in (
        (client.get("/api/v1/nothing"), 404),
        (client.delete("/api/v1/shares"), 405),
        (client.get("/api/v2/shares"), 404),
    ):
        assert response.status_code == status
        assert response.mimetype == "application/problem+json"
        assert response.json["title"] in ("Not Found", "Method Not Allowed")
