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
    # Two distinctive words: Orthanc gets both, in both orders (names.orthanc_patterns).
    "UB-FOLD-5": "KOWALSKI^PIOTR",
    "UB-FOLD-6": "PIOTR^KOWALSKI",
    "UB-FOLD-7": "KOWALSKA^PIOTR",  # in the patterns' answers, not a match
    "UB-FOLD-8": "KOWALSKI^PIOTR^KOWALSKI",  # answers both patterns: shown once
}
KOWALSKI_PIOTR = {"KOWALSKI, PIOTR", "PIOTR, KOWALSKI", "KOWALSKI, PIOTR KOWALSKI"}


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
    assert names_found(orthanc_client, {"PatientName": "*M??LLER*"}, **ask) == set()
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


def pages_of_one(client, criteria: StudyCriteria) -> list[list[str]]:
    """Every page of one study with a sort window of one: the names each page shows."""
    pages, has_next = [], True
    while has_next:
        page = len(pages) + 1
        results = search_studies(client, criteria, page=page, page_size=1, sort_window=1)
        assert results.total is None
        pages.append([row.study.patient.name for row in results.rows])
        has_next = results.has_next
    return pages


def test_pages_beyond_the_sort_window_hold_only_real_matches(orthanc_client, extra_patients):
    # A window of one makes Orthanc's wide answers (MUELLER, MULLER, MILLER) overflow.
    pages = pages_of_one(orthanc_client, StudyCriteria(patient_name="muller", patient_id=EXTRA))
    assert sorted(pages) == [["MUELLER^ANNA"], ["MULLER^PIA"]]


@pytest.mark.parametrize("typed", ["Piotr Kowalski", "kowalski piotr", "Kowalski, Piotr"])
def test_two_distinctive_words_are_found_in_either_order(logged_in_client, extra_patients, typed):
    response = logged_in_client.get("/", query_string={"patient_id": EXTRA, "patient_name": typed})
    assert patients(response) == KOWALSKI_PIOTR


def test_orthanc_gets_both_words_in_both_orders_not_one_wide_pattern(
    orthanc_client, extra_patients
):
    queries = StudyCriteria(patient_name="piotr kowalski", patient_id=EXTRA).to_dicom_queries()
    answered = [names_found(orthanc_client, query) for query in queries]
    assert answered == [
        {"KOWALSKI^PIOTR", "KOWALSKA^PIOTR", "KOWALSKI^PIOTR^KOWALSKI"},
        {"PIOTR^KOWALSKI", "KOWALSKI^PIOTR^KOWALSKI"},
    ]


def test_pages_beyond_the_sort_window_walk_both_orders_once(orthanc_client, extra_patients):
    # Both queries overflow a window of one: pages go on from the first to the second.
    criteria = StudyCriteria(patient_name="Piotr Kowalski", patient_id=EXTRA)
    pages = pages_of_one(orthanc_client, criteria)
    assert sorted(pages) == [["KOWALSKI^PIOTR"], ["KOWALSKI^PIOTR^KOWALSKI"], ["PIOTR^KOWALSKI"]]


def test_within_the_sort_window_each_match_is_counted_once(orthanc_client, extra_patients):
    criteria = StudyCriteria(patient_name="kowalski piotr", patient_id=EXTRA)
    results = search_studies(orthanc_client, criteria, page=1, page_size=25, sort_window=50)
    assert results.total == 3
    assert sorted(row.study.patient.name for row in results.rows) == [
        "KOWALSKI^PIOTR",
        "KOWALSKI^PIOTR^KOWALSKI",
        "PIOTR^KOWALSKI",
    ]
