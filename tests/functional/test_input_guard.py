"""NUL bytes, lone surrogates and oversize ids: refused with the usual page or JSON, never a 500.

On PostgreSQL each of them used to fail deep in a query (it refuses NUL in text and numbers
past its INTEGER columns), so every test runs on both databases.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.extensions import db
from app.input_guard import MAX_ID, REFUSED, BoundedIntegerConverter
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD

NOT_RIGHT = "Something in this request was not right. Please open your link again."


@pytest.fixture
def admin_client(each_database_app: Flask) -> FlaskClient:
    with each_database_app.app_context():
        admin = User(email="admin@example.org", role=Role.ADMIN, name="Ada Admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
    client = each_database_app.test_client()
    response = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return client


def assert_page(response, status: int, text: str) -> None:
    assert response.status_code == status, response.text
    assert "text/html" in response.content_type
    assert text in response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/shares/%00"),
        ("get", "/shares/a%00b"),
        ("post", "/shares/%00/revoke"),
        ("get", "/studies/%00"),
        ("get", "/instances/a%00/preview"),
    ],
)
def test_a_nul_in_a_console_path_is_the_not_found_page(admin_client, method, path):
    assert_page(getattr(admin_client, method)(path), 404, "Page not found")


def test_a_nul_in_a_link_is_the_unknown_link_page(admin_client):
    assert_page(admin_client.get("/s/%00"), 404, "This link does not work")
    assert_page(admin_client.post("/s/abc%00def"), 404, "This link does not work")


@pytest.mark.parametrize(
    "query",
    [
        "share=%00",
        "actor=a%00b",
        "kind=opened&share=x%00y",
        "page=1&actor=%00",
        "a%00=key",
    ],
)
def test_a_nul_in_the_audit_filters_is_a_bad_request_page(admin_client, query):
    assert_page(admin_client.get(f"/admin/audit?{query}"), 400, REFUSED)


@pytest.mark.parametrize(
    "path", ["/shares?owner=%00", "/?patient_name=DOE%00", "/admin/users?q=%00"]
)
def test_a_nul_in_other_console_queries_is_a_bad_request_page(admin_client, path):
    assert_page(admin_client.get(path), 400, REFUSED)


@pytest.mark.parametrize("query", ["share=%00", "actor=a%00b", "day_from=yesterday", "kind=nope"])
def test_the_csv_export_refuses_a_bad_filter_before_it_starts(admin_client, query):
    response = admin_client.get(f"/admin/audit.csv?{query}")
    assert_page(response, 400, "Bad request")
    assert "Content-Disposition" not in response.headers


def test_the_csv_export_of_a_good_filter_still_downloads(admin_client):
    response = admin_client.get("/admin/audit.csv?actor=admin@example.org")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.text.startswith("time_utc,share,kind,actor")


@pytest.mark.parametrize(
    "number", [str(MAX_ID + 1), str(2**63), "99999999999999999999", "9" * 5000]
)
def test_ids_past_the_integer_columns_are_not_found(admin_client, number):
    assert_page(admin_client.get(f"/admin/users/{number}"), 404, "Page not found")
    assert_page(admin_client.post(f"/admin/users/{number}/deactivate"), 404, "Page not found")


def test_the_largest_id_is_looked_up(admin_client):
    assert_page(admin_client.get(f"/admin/users/{MAX_ID}"), 404, "Page not found")


def test_a_nul_in_a_form_is_a_bad_request_page(each_database_app):
    client = each_database_app.test_client()
    response = client.post("/login", data={"email": "admin@example.org\x00", "password": "x"})
    assert_page(response, 400, REFUSED)


def test_a_nul_in_a_recipient_form_is_the_patient_bad_request_page(each_database_app):
    response = each_database_app.test_client().post("/code", data={"code": "ABCD\x00EFGH"})
    assert_page(response, 400, NOT_RIGHT)


def test_a_nul_in_a_header_is_a_bad_request(each_database_app):
    client = each_database_app.test_client()
    assert_page(client.get("/login", headers={"User-Agent": "curl\x00"}), 400, REFUSED)


@pytest.mark.parametrize(
    "path", ["/dicom-web/studies?StudyInstanceUID=1.2%00", "/readyz?probe=%00", "/auth/?x=%00"]
)
def test_json_areas_answer_a_nul_in_json(each_database_app, path):
    response = each_database_app.test_client().get(path)
    assert response.status_code == 400
    assert response.json == {"error": "Bad request", "message": REFUSED}


def test_json_areas_answer_a_nul_in_their_path_in_json(each_database_app):
    response = each_database_app.test_client().get("/dicom-web/studies/1.2%00/metadata")
    assert response.status_code == 404
    assert response.json["error"] == "Page not found"


ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def hostile_paths(rule) -> list[str]:
    """The rule's path with NUL in its text arguments, and with a huge number in its ints."""
    converters = [converter for converter, _ in ARGUMENT.findall(rule.rule)]

    def filled(text: str, number: str) -> str:
        values = iter(number if c == "int" else text for c in converters)
        return ARGUMENT.sub(lambda _: next(values), rule.rule)

    paths = [filled("a%00b", "1")] if any(c != "int" for c in converters) else []
    if "int" in converters:
        paths.append(filled("x", "99999999999999999999"))
    return paths


def test_int_routes_use_the_bounded_converter(each_database_app):
    assert each_database_app.url_map.converters["int"] is BoundedIntegerConverter
    ints = [rule.rule for rule in each_database_app.url_map.iter_rules() if "<int" in rule.rule]
    assert ints, "no <int:…> route left to check"
    assert not [path for path in ints if "<int(" in path], "an int route with its own bounds"


def test_every_route_refuses_hostile_arguments(admin_client, each_database_app):
    """Every rule of the URL map, as an admin, with NUL in its text and huge ids: no 500."""
    checked = 0
    for rule in each_database_app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        method = sorted(rule.methods - {"HEAD", "OPTIONS"})[0].lower()
        for path in hostile_paths(rule):
            response = getattr(admin_client, method)(path)
            assert response.status_code == 404, (path, response.status_code)
            checked += 1
    assert checked > 40
