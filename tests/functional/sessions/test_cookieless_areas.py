"""The token service, the integration API and the health checks neither read nor set a cookie.

Their answers do not depend on one, so they carry no `Vary: Cookie` and caches may keep
the public documents; a console cookie sent along by a browser is left as it is.
"""

from __future__ import annotations

from app.authz import openapi
from tests.functional.sessions.conftest import CONSOLE_COOKIE, sends_to_login

COOKIELESS_PAGES = ["/auth/openapi.json", "/auth/", "/api/v1/openapi.json", "/healthz"]


def test_a_program_area_answers_alike_with_or_without_a_console_cookie(app, logged_in_client):
    for path in COOKIELESS_PAGES:
        with_cookie = logged_in_client.get(path)
        without = app.test_client().get(path)
        assert with_cookie.status_code == without.status_code == 200, path
        assert with_cookie.data == without.data, path
        for response in (with_cookie, without):
            assert "Cookie" not in response.vary, path
            assert "Set-Cookie" not in response.headers, path


def test_the_token_services_document_is_cacheable(client):
    response = client.get("/auth/openapi.json")
    assert response.headers["Cache-Control"] == openapi.CACHE_CONTROL
    assert "Cookie" not in response.vary


def test_the_console_cookie_survives_a_visit_to_a_program_area(logged_in_client):
    # Console pages depend on the cookie, and still say so.
    assert "Cookie" in logged_in_client.get("/shares").vary
    before = logged_in_client.get_cookie(CONSOLE_COOKIE).value
    for path in COOKIELESS_PAGES:
        logged_in_client.get(path)
    assert logged_in_client.get_cookie(CONSOLE_COOKIE).value == before
    assert not sends_to_login(logged_in_client)
