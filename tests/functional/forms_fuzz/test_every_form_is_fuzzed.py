"""Every POST route has a fuzz case in cases.py, so a new form is fuzzed from its first day."""

from __future__ import annotations

import re

from app.extensions import csrf
from tests.functional.forms_fuzz.cases import POST_CASES
from tests.functional.forms_fuzz.get_cases import GET_CASES

# Blueprints without forms: JSON APIs, exempt from CSRF, each fuzzed with its own bodies.
JSON_APIS = {
    "authz": "tests/functional/authz/test_fuzz_bodies.py, test_openapi_schemathesis.py",
    "api": "tests/functional/api/test_openapi_schemathesis.py",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")
SAMPLE = {"user": "1", "key": "1"}  # <int:…>; any text elsewhere


def post_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
        and rule.endpoint.partition(".")[0] not in JSON_APIS
    }


def test_every_post_route_has_a_fuzz_case(app):
    missing = post_endpoints(app) - {case.endpoint for case in POST_CASES}
    assert not missing, f"add a FormCase to tests/functional/forms_fuzz/cases.py for {missing}"


def test_the_json_apis_left_out_are_csrf_exempt(app):
    # Flask-WTF keeps its exempt blueprints in a private set: a form left out would need a token.
    assert set(JSON_APIS) <= {blueprint.name for blueprint in csrf._exempt_blueprints}


def test_each_case_posts_where_its_endpoint_answers(app):
    urls = app.url_map.bind("localhost")
    for case in POST_CASES + GET_CASES:
        path = PLACEHOLDER.sub(lambda m: SAMPLE.get(m.group(1), "x"), case.action)
        endpoint, _ = urls.match(path, method=case.method)
        assert endpoint == case.endpoint, (case.action, endpoint)
