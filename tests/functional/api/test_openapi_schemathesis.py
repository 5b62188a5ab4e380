"""schemathesis over /api/v1/openapi.json: every operation, real Orthanc, zero 500s.

The schema is loaded from the app, so document and code are tested together: no 500, and
status, content type, headers and body as documented; auth required where it says so. Half
the cases carry real study and share ids, so the walk reaches creations and reads, not only
refusals. As in tests/functional/authz/, hypothesis' `@given` drives schemathesis'
strategies (its pytest integration does not run on pytest 9.2).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from app.api import openapi
from tests.fixtures.schemathesis import CHECKS, UNCOMPRESSED, documented_operations, fuzz
from tests.functional.api.conftest import smallest_create

FUZZ = fuzz(25)
UNPLANTABLE_EDITS = ("add_studies", "remove_studies", "expires_on", "password", "birth_date")


@pytest.fixture
def app_env(app_env):
    return {**app_env, "API_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture
def real_ids(client, api_key, demo_study) -> dict:
    study = demo_study("DEMO0001")
    # With an address, so that resend can succeed (the test config suppresses sending).
    body = {**smallest_create(study.orthanc_id), "email": "pat@example.org"}
    made = client.post("/api/v1/shares", json=body, headers=api_key.headers)
    assert made.status_code == 201
    share_id = made.json["id"]

    def version() -> int:
        return client.get(f"/api/v1/shares/{share_id}", headers=api_key.headers).json["version"]

    return {
        "study": study.orthanc_id,
        "uid": study.study_instance_uid,
        "share": share_id,
        "version": version,
    }


def plant(case, ids: dict) -> None:
    """Swap generated ids (and the share's version) for real ones, keeping the rest."""
    if case.path_parameters and "share_id" in case.path_parameters:
        case.path_parameters = {"share_id": ids["share"]}
        if isinstance(case.body, dict) and "version" in case.body:
            # An edit from the share as it is now, without what random values can't hit
            # (a study of the patient, an allowed day, a long enough password).
            kept = {k: v for k, v in case.body.items() if k not in UNPLANTABLE_EDITS}
            case.body = {**kept, "version": ids["version"]()}
    if isinstance(case.body, dict) and "studies" in case.body:
        # No anonymized copies: they would be new studies in the session's shared Orthanc.
        case.body = {**case.body, "studies": [ids["study"]], "anonymize": False}


@pytest.mark.parametrize(("path", "method"), documented_operations(openapi.document_bytes()))
def test_the_api_keeps_its_document(api_schema, api_key, real_ids, path, method):
    operation = api_schema[path][method.upper()]
    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    statuses = []

    @FUZZ
    @given(case=cases, real=st.booleans())
    def run(case, real):
        if real:
            plant(case, real_ids)
        if isinstance(case.body, dict):
            case.body.pop("anonymize", None)  # see plant()
        headers = {**api_key.headers, **UNCOMPRESSED}
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        statuses.append(response.status_code)

    run()
    assert any(status < 300 for status in statuses), f"no {method.upper()} {path} case passed"
