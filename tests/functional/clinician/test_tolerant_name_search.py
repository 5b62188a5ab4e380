"""Name search tolerant of case, accents, umlaut spellings and order, against the real Orthanc.

Also pins Orthanc 1.10's own literal matching, which is why StudyShare folds (names.py).
"""

import re

import pytest

from app.studies.criteria import StudyCriteria
from app.studies.search import search_studies
from tests.fixtures.dicom import pixelless_instance

DEMO = {"patient_id": "SS-DEMO-*"}
EXTRA = "UB-FOLD-*"
# Uploaded here, not in the demo catalog: other tests count the demo studies.
EXTRA_PATIENTS = {
    "UB-FOLD-1": "MUELLER^ANNA",
    "UB-FOLD-2": "MULLER^PIA",
    "UB-FOLD-3": "MILLER^JOE",
    "UB-FOLD-4": "GARCÍA^LÉA",
}


@pytest.fixture(scope="module")
def extra_patients(orthanc_client):
    for patient_id, name in EXTRA_PATIENTS.items():
        orthanc_client.upload_instance(
            pixelless_instance(
                PatientName=name, PatientID=patient_id, SpecificCharacterSet="ISO_IR 192"
            )
        )
    return EXTRA_PATIENTS


def names_found(client, query: dict[str, str], **more: str) -> set[str]:
    answers, _ = client.find_study_answers({**query, **more}, limit=50)
    return {a["PatientMainDicomTags"]["PatientName"] for a in answers}


def test_orthanc_alone_matches_names_literally(orthanc_client, demo_studies):
    """The archive's behaviour the folding makes up for (if this changes, revisit names.py)."""
    ask = {"PatientID": "SS-DEMO-*"}
    assert names_found(orthanc_client, {"PatientName": "*müller*"}, **ask) == {"MÜLLER^HANS"}
    assert names_found(orthanc_client, {"PatientName": "*muller*"}, **ask) == set()
    assert names_found(orthanc_client, {"PatientName": "*mueller*"}, **ask) == set()
    assert names_found(orthanc_client, {"PatientName": "*M?LLER*"}, **ask) == set()
    assert names_found(orthanc_client, {"PatientName": "*jane*doe*"}, **ask) == set()
    assert names_found(orthanc_client, {"PatientName": "*M*LLER*"}, **ask) == {"MÜLLER^HANS"}


def patients(response) -> set[str]:
    return set(
        re.findall(r'data-label="Patient"><a href="/studies/[^"]+">([^<]+)</a>', response.text)
    )


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("muller", {"MÜLLER, HANS"}),
        ("Müller", {"MÜLLER, HANS"}),
        ("mueller", {"MÜLLER, HANS"}),
        ("MUELLER Hans", {"MÜLLER, HANS"}),
        ("Jane Doe", {"DOE, JANE"}),
        ("Doe Jane", {"DOE, JANE"}),
        ("doe, jane", {"DOE, JANE"}),
        ("d?e*", {"DOE, JANE"}),  # wildcards: as typed, as before
    ],
)
def test_console_search_forgives_case_accents_and_order(
    logged_in_client, demo_studies, typed, expected
):
    response = logged_in_client.get("/", query_string={**DEMO, "patient_name": typed})
    assert response.status_code == 200
    assert patients(response) == expected


@pytest.mark.parametrize("typed", ["muller", "müller", "Mueller"])
def test_every_spelling_of_an_umlaut_finds_the_others_but_not_a_near_name(
    logged_in_client, extra_patients, typed
):
    response = logged_in_client.get("/", query_string={"patient_id": EXTRA, "patient_name": typed})
    assert patients(response) == {"MUELLER, ANNA", "MULLER, PIA"}


def test_accented_names_are_found_without_accents(logged_in_client, extra_patients):
    response = logged_in_client.get(
        "/", query_string={"patient_id": EXTRA, "patient_name": "garcia"}
    )
    assert patients(response) == {"GARCÍA, LÉA"}


def test_pages_beyond_the_sort_window_hold_only_real_matches(orthanc_client, extra_patients):
    # A window of one makes Orthanc's wide answers (MUELLER, MULLER, MILLER) overflow.
    criteria = StudyCriteria(patient_name="muller", patient_id=EXTRA)
    shown, has_next, page = [], True, 0
    while has_next:
        page += 1
        results = search_studies(orthanc_client, criteria, page=page, page_size=1, sort_window=1)
        assert results.total is None
        shown += [row.study.patient.name for row in results.rows]
        has_next = results.has_next
    assert sorted(shown) == ["MUELLER^ANNA", "MULLER^PIA"]
    assert page == 2
