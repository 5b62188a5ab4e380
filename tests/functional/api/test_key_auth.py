"""Every /api/ route refuses calls without a live key (401) or without its scope (403)."""

from __future__ import annotations

from itertools import product

import pytest

from app.api_keys.keys import authenticate, key_by_id, revoke_key
from app.extensions import db
from app.users.models import User
from tests.functional.api.conftest import ALL_SCOPES

# (method, rule) → the scope it needs; the walk below fails on a route missing here.
SCOPES = {
    ("POST", "/api/v1/shares"): "shares:create",
    ("GET", "/api/v1/shares"): "shares:read",
    ("GET", "/api/v1/shares/<share_id>"): "shares:read",
    ("PATCH", "/api/v1/shares/<share_id>"): "shares:update",
    ("POST", "/api/v1/shares/<share_id>/revoke"): "shares:revoke",
    ("POST", "/api/v1/shares/<share_id>/extend"): "shares:create",
    ("POST", "/api/v1/shares/<share_id>/resend"): "shares:create",
    ("GET", "/api/v1/studies"): "studies:search",
}
OPEN = {("GET", "/api/v1/openapi.json")}
NOT_BEARER = ({}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer "})


def api_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def call(client, method: str, rule: str, headers: dict[str, str] | None = None):
    path = rule.replace("<share_id>", "sh-000000000000")
    return client.open(
        path, method=method, headers=headers or {}, json={} if method in ("POST", "PATCH") else None
    )


def assert_problem(response, status: int, detail_part: str) -> None:
    assert response.status_code == status, response.text
    assert response.mimetype == "application/problem+json"
    problem = response.json
    assert set(problem) == {"type", "title", "status", "detail"}
    assert problem["status"] == status
    assert detail_part in problem["detail"]
    assert "Set-Cookie" not in response.headers


def test_the_scope_table_covers_every_api_route(app):
    assert api_routes(app) == set(SCOPES) | OPEN


def test_no_key_or_another_scheme_is_401(client):
    for (method, rule), headers in product(SCOPES, NOT_BEARER):
        response = call(client, method, rule, headers)
        assert_problem(response, 401, "Authorization: Bearer")
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_or_malformed_key_is_401(client, api_key):
    wrong = ("ssk_" + "A" * 43, "not-a-key", api_key.key + "x", api_key.key.upper())
    for (method, rule), key in product(SCOPES, wrong):
        response = call(client, method, rule, {"Authorization": f"Bearer {key}"})
        assert_problem(response, 401, "This API key is not valid.")


def test_a_revoked_key_is_401(app, client, api_key):
    with app.app_context():
        revoke_key(key_by_id(api_key.id))
    for method, rule in SCOPES:
        assert_problem(call(client, method, rule, api_key.headers), 401, "revoked")


def test_a_key_of_a_deactivated_owner_is_401(app, client, api_key):
    with app.app_context():
        User.find_by_email(api_key.owner_email).active = False
        db.session.commit()
    response = client.get("/api/v1/shares", headers=api_key.headers)
    assert_problem(response, 401, "deactivated")


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_a_key_needs_each_routes_scope_and_no_other(client, make_key, scope):
    only, all_but = make_key([scope]), make_key([s for s in ALL_SCOPES if s != scope])
    for (method, rule), needed in SCOPES.items():
        if needed == scope:
            assert_problem(call(client, method, rule, all_but.headers), 403, needed)
            assert call(client, method, rule, only.headers).status_code not in (401, 403)
        else:
            assert_problem(call(client, method, rule, only.headers), 403, needed)


def test_the_scheme_is_case_insensitive(client, api_key):
    response = client.get("/api/v1/shares", headers={"Authorization": f"bearer {api_key.key}"})
    assert response.status_code == 200


def test_last_use_is_written_at_most_once_a_minute(app, client, api_key):
    with app.app_context():
        assert key_by_id(api_key.id).last_used_at is None
    client.get("/api/v1/shares", headers=api_key.headers)
    with app.app_context():
        first = key_by_id(api_key.id).last_used_at
    client.get("/api/v1/shares", headers=api_key.headers)
    with app.app_context():
        assert first is not None
        assert key_by_id(api_key.id).last_used_at == first
        authenticate(api_key.key)
        assert key_by_id(api_key.id).last_used_at == first


def test_a_console_session_opens_nothing_and_no_cookie_is_set(logged_in_client):
    response = logged_in_client.get("/api/v1/shares")
    assert_problem(response, 401, "Authorization: Bearer")
    assert "Set-Cookie" not in response.headers


def test_the_rate_limit_counts_per_key(app_env):
    from tests.fixtures.app import app_with_tables
    from tests.functional.api.conftest import key_in_app

    flask_app = app_with_tables({**app_env, "API_RATE_LIMIT": "3 per minute"})
    first, second = key_in_app(flask_app), key_in_app(flask_app)
    client = flask_app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/shares", headers=first.headers).status_code == 200
    assert_problem(client.get("/api/v1/shares", headers=first.headers), 429, "3 per 1 minute")
    assert client.get("/api/v1/shares", headers=second.headers).status_code == 200
