"""Hypothesis over the path and query of every page and DICOMweb route: never a 500.

The visitor is an admin in the console and a recipient with an open session, so the
console, the patient pages and the gateway all get past their login; both databases.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.extensions import db
from app.shares.models import ChallengeKind
from app.users.models import Role, User
from tests.fixtures.app import PASSWORD
from tests.fixtures.fuzz import hostile_text, queries, query_string, url_quoted
from tests.fixtures.shares import share_in_app

ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
numbers = st.integers(min_value=0, max_value=2**70).map(str) | hostile_text
# Answers that mean "refused" or "not here"; 503 only when Orthanc is really down.
FINE = {200, 204, 206, 301, 302, 303, 304, 308, 400, 401, 403, 404, 405, 406, 410, 413, 414, 429}


@pytest.fixture
def visitor(each_database_app: Flask, demo_study) -> FlaskClient:
    with each_database_app.app_context():
        admin = User(email="admin@example.org", role=Role.ADMIN, name="Ada Admin")
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
    created = share_in_app(
        each_database_app,
        [demo_study("DEMO0004").orthanc_id],
        challenge=ChallengeKind.BIRTH_DATE,
    )
    client = each_database_app.test_client()
    response = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 302
    opened = client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    assert opened.status_code == 303
    return client


def get_routes(flask_app: Flask) -> list[str]:
    return sorted(
        rule.rule
        for rule in flask_app.url_map.iter_rules()
        # /readyz is 503 here: tables made by create_all() carry no migration revision.
        if "GET" in rule.methods and rule.endpoint not in ("static", "health.readyz")
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_path_or_query_makes_a_500(visitor, each_database_app, data):
    route = data.draw(st.sampled_from(get_routes(each_database_app)), label="route")

    def argument(match: re.Match) -> str:
        converter = match.group(1)
        value = data.draw(numbers if converter == "int" else hostile_text, label=match.group(2))
        return url_quoted(value)

    path = ARGUMENT.sub(argument, route)
    query = query_string(data.draw(queries, label="query"))
    response = visitor.get(f"{path}?{query}" if query else path)
    assert response.status_code in FINE, (path, query, response.status_code)
    response.close()
