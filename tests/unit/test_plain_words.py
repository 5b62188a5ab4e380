"""Modality codes and usual study descriptions in lay terms, per language."""

import pytest

from app.shares.plain_words import exam_name, modality_names


@pytest.mark.parametrize(
    ("language", "title"),
    [
        ("en", "Ultrasound: thyroid"),
        ("fr", "Échographie: thyroïde"),
        ("de", "Ultraschall: Schilddrüse"),
    ],
)
def test_a_usual_description_in_lay_terms(language, title):
    name = exam_name("US  THYROID", ["US"], language)
    assert name.title == title
    assert name.recorded == "US THYROID"


def test_codes_in_lay_terms_viewer_extras_left_out_unknown_kept():
    assert modality_names(["CT", "SR", "KO", "PR"], "fr") == ["Scanner", "Compte rendu"]
    assert modality_names(["CR", "DX"], "en") == ["X-ray"]
    assert modality_names(["ZZ"], "de") == ["ZZ"]


def test_unknown_words_fall_back_to_the_modality_and_keep_the_record():
    name = exam_name("Knie rechts", ["MR"], "en")
    assert (name.title, name.recorded) == ("MRI scan", "Knie rechts")
    assert exam_name(None, [], "en").title == ""
    assert exam_name("CHEST XR", [], "de").title == "Röntgenbild: Brustkorb"
