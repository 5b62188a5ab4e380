"""Folding typed names and the one wide pattern Orthanc gets for them."""

import pytest

from app.studies.criteria import StudyCriteria
from app.studies.names import NameSearch, fold


@pytest.mark.parametrize("typed", ["muller", "Müller", "MUELLER", "mueller", "MÜLLER"])
def test_umlaut_spellings_fold_together(typed):
    assert fold(typed) == "muller"


def test_accents_and_ligatures_fold():
    assert fold("GARCÍA") == fold("garcia")
    assert fold("Léa") == "lea"
    assert fold("Straße") == "strasse"


@pytest.mark.parametrize("typed", ["Jane Doe", "Doe Jane", "doe, jane", "DOE^JANE", "jane"])
def test_any_order_and_separator_matches(typed):
    assert NameSearch.parse(typed).matches("DOE^JANE")


@pytest.mark.parametrize("typed", ["muller", "Müller", "mueller", "hans müller"])
def test_umlaut_spellings_match_either_way(typed):
    search = NameSearch.parse(typed)
    assert search.matches("MÜLLER^HANS")
    assert search.matches("MUELLER^HANS")
    assert not search.matches("MILLER^HANS")


def test_every_word_must_be_there():
    assert not NameSearch.parse("jane smith").matches("DOE^JANE")


@pytest.mark.parametrize(
    ("typed", "pattern"),
    [
        ("muller", "*m*ll*r*"),
        ("Müller", "*m*ll*r*"),
        ("mueller", "*m*ll*r*"),
        ("Jane Doe", "*j*n*"),  # the word with most consonants, vowels left open
        ("Doe Jane", "*j*n*"),
        ("Li", "*Li*"),  # too short to widen: as typed
    ],
)
def test_orthanc_gets_one_wide_pattern(typed, pattern):
    assert StudyCriteria(patient_name=typed).to_dicom_query() == {"PatientName": pattern}


def test_wildcards_are_sent_as_typed_and_not_filtered():
    criteria = StudyCriteria(patient_name="d?e*")
    assert criteria.to_dicom_query() == {"PatientName": "d?e*"}
    assert criteria.accepts({"PatientMainDicomTags": {"PatientName": "ANYONE"}})


def test_answers_without_a_name_are_not_accepted():
    criteria = StudyCriteria(patient_name="muller")
    assert not criteria.accepts({"PatientMainDicomTags": {}})
    assert not criteria.accepts({})
    assert StudyCriteria().accepts({})
