"""schemathesis over /auth/openapi.json: every /auth/ endpoint, real Orthanc, zero 500s.

The schema is loaded from the app itself, so the document and the code are tested together:
no 500, answers whose status, content type, headers and body match the document, and
credentials required where the document says so. Half the cases carry a real viewer token
and a shared study, so the walk reaches the grant, the decode of a live share and the
creation of real shares, not only the refusals.

schemathesis' own pytest integration (`@schema.parametrize()`) does not run on pytest 9.2
(it sets `Node._nodeid`, which pytest no longer has): its strategies run under hypothesis'
`@given` instead, one test per documented operation.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import example, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app.authz import nginx_check, openapi, validate_endpoint
from app.authz.publication import INSTANT_LINK_VIEWERS, PUBLICATION_TYPES, type_enabled
from app.extensions import db
from app.shares.models import Share
from app.shares.viewer_tokens import TOKEN_NAME, mint_viewer_token
from tests.fixtures.schemathesis import CHECKS, UNCOMPRESSED, documented_operations, fuzz

FUZZ = fuzz(30)


@pytest.fixture
def app_env(app_env):
    # Viewer links need a public Orthanc: without one, creation refuses every type.
    return {**app_env, "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc"}


@pytest.fixture
def live_share(app, make_share, demo_study):
    """(viewer token, shared study) of a live share."""
    study = demo_study("DEMO0001")
    created = make_share([study.orthanc_id])
    with app.app_context():
        query = db.select(Share).where(Share.public_id == created.share.public_id)
        return mint_viewer_token(db.session.scalar(query)), study


@pytest.fixture
def token_types(app) -> list[str]:
    """The token types this configuration creates (the others are refused, also fuzzed)."""
    with app.app_context():
        enabled = [t for t in [*PUBLICATION_TYPES, *INSTANT_LINK_VIEWERS] if type_enabled(t)]
    assert enabled
    return enabled


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/auth/openapi.json", app)


def plant(case, token: str, study, token_type: str) -> None:
    """Swap the generated ids and token for real ones, keeping the rest of the case."""
    if case.path == nginx_check.PATH:
        planted = {
            "X-Original-URI": f"/studies/{study.orthanc_id}",
            "X-Original-Method": "GET",
            "X-Original-Authorization": f"Bearer {token}",
        }
        if any(name.lower() == TOKEN_NAME.lower() for name in case.headers or {}):
            # A generated `token` header is a second, different token, which the guard
            # refuses (rightly): the viewer's token goes in both places instead.
            planted[TOKEN_NAME] = token
        names = {name.lower() for name in planted}
        generated = {k: v for k, v in (case.headers or {}).items() if k.lower() not in names}
        case.headers = {**generated, **planted}
        return
    if case.path == "/auth/tokens/{token_type}":
        case.path_parameters = {"token_type": token_type}
    if not isinstance(case.body, dict):
        # No body, or not an object: the plugin's object with the real token instead.
        case.body, case.media_type = {}, "application/json"
    case.body = {
        **case.body,
        "token-value": token,
        "orthanc-id": study.orthanc_id,
        "dicom-uid": study.study_instance_uid,
    }
    if case.path == "/auth/tokens/validate":
        case.body |= {"method": "get", "level": "study"}
    if case.path == "/auth/tokens/{token_type}":
        resources = [{"orthanc-id": study.orthanc_id, "level": "study"}]
        # The generated durations stay: out of range, they are replaced, not refused.
        case.body |= {"resources": resources, "expiration-date": None}


def reached_its_purpose(path: str, status: int, body: bytes) -> bool:
    """A grant, a decoded live token, a created token...: not only refusals."""
    if path == nginx_check.PATH:
        return status == 204
    if status != 200:
        return False
    if path == validate_endpoint.PATH:
        return json.loads(body)["granted"] is True
    if path == "/auth/tokens/decode":
        return json.loads(body)["error-code"] is None
    return True


@pytest.mark.parametrize(("path", "method"), documented_operations(openapi.document_bytes()))
def test_auth_api_keeps_its_document(
    api_schema, live_share, plugin_headers, token_types, path, method
):
    operation = api_schema[path][method.upper()]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    reached = []

    # The walk always holds one plain case with the real token and study, so reaching the
    # grant does not hang on how many of the 30 drawn cases happen to carry them.
    @FUZZ
    @example(case=operation.Case(), real=True, token_type=token_types[0])
    @given(case=cases, real=st.booleans(), token_type=st.sampled_from(token_types))
    def run(case, real, token_type):
        if real:
            plant(case, *live_share, token_type)
        response = case.call_and_validate(headers={**plugin_headers, **UNCOMPRESSED}, checks=CHECKS)
        reached.append(reached_its_purpose(path, response.status_code, response.content))

    run()
    assert any(reached), f"no {method.upper()} {path} case got past the refusals"
