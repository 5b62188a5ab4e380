"""The patterns Orthanc gets for a typed name: few answers, and never a match missed."""

import fnmatch
import itertools

import pytest

from app.studies.criteria import StudyCriteria
from app.studies.names import NameSearch


@pytest.mark.parametrize(
    ("typed", "patterns"),
    [
        ("Olga Silva", ("*s*lv*lg*", "*lg*s*lv*")),  # the longer skeleton first
        ("silva olga", ("*s*lv*lg*", "*lg*s*lv*")),
        ("Müller, Hans", ("*m*ll*r*h*ns*", "*h*ns*m*ll*r*")),
        ("de Vries Noah", ("*vr*s*n*h*", "*n*h*vr*s*")),  # `de` is too short to ask
        ("Jane Doe", ("*j*n*",)),  # one distinctive word: one request, as before
        ("silva SILVA", ("*s*lv*",)),
        ("ann anna", ("*nn*",)),  # a word inside another adds nothing
        ("anna nap", ("*nn*",)),  # `annap` holds both: in order they would miss it
        ("Li", ("*Li*",)),
    ],
)
def test_patterns(typed, patterns):
    assert NameSearch.parse(typed).orthanc_patterns() == patterns


def test_three_words_ask_the_two_most_distinctive():
    patterns = NameSearch.parse("piotr kowalski sigrid").orthanc_patterns()
    assert patterns == ("*k*w*lsk*s*gr*d*", "*s*gr*d*k*w*lsk*")


def test_each_query_keeps_the_other_criteria():
    criteria = StudyCriteria(patient_name="olga silva", modality="CT")
    assert criteria.to_dicom_queries() == [
        {"PatientName": "*s*lv*lg*", "ModalitiesInStudy": "CT"},
        {"PatientName": "*lg*s*lv*", "ModalitiesInStudy": "CT"},
    ]


@pytest.mark.parametrize("criteria", [StudyCriteria(), StudyCriteria(patient_name="d?e*")])
def test_anything_but_a_tolerant_name_is_one_query(criteria):
    assert criteria.to_dicom_queries() == [criteria.to_dicom_query()]


def orthanc_matches(pattern: str, name: str) -> bool:
    # Orthanc 1.10 ignores case only, and its `*` stands for anything, accented letters too
    # (`*M*LLER*` finds MÜLLER: the functional test pins it against the real server).
    return fnmatch.fnmatchcase(name.upper(), pattern.upper())


NAMES = ["MÜLLER^HANS", "MUELLER^ANNA", "SILVA^OLGA", "OLGA^SILVA^MARIA", "DE VRIES^NOAH"]
TYPED = ["hans müller", "Anna Mueller", "olga silva", "maria silva", "noah de vries", "anna"]
MATCHES = [
    (name, typed)
    for name, typed in itertools.product(NAMES, TYPED)
    if NameSearch.parse(typed).matches(name)
]


def test_the_examples_hold_matches_in_both_orders():
    assert ("SILVA^OLGA", "olga silva") in MATCHES
    assert ("OLGA^SILVA^MARIA", "olga silva") in MATCHES
    assert len(MATCHES) == 7


@pytest.mark.parametrize(("name", "typed"), MATCHES)
def test_every_match_answers_one_of_the_patterns(name, typed):
    patterns = NameSearch.parse(typed).orthanc_patterns()
    assert any(orthanc_matches(pattern, name) for pattern in patterns)
