"""Models built from Orthanc JSON: dates, names, missing tags and malformed answers."""

import datetime

import pytest

from app.orthanc.errors import OrthancBadAnswer
from app.orthanc.models import (
    Instance,
    PatientSummary,
    Series,
    Study,
    parse_dicom_date,
    parse_int,
)

STUDY_ID = "014c8375-77786a86-35baede0-7fd185d6-034c8ad9"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20240229", datetime.date(2024, 2, 29)),
        ("19720229", datetime.date(1972, 2, 29)),
        (" 20230101 ", datetime.date(2023, 1, 1)),
        ("20230229", None),
        ("20231301", None),
        ("2023-01-01", None),
        ("2023010", None),
        ("abcdefgh", None),
        ("", None),
        (None, None),
        (20230101, None),
    ],
)
def test_dicom_dates_parse_or_give_none(value, expected):
    assert parse_dicom_date(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", 1), (" 12 ", 12), ("-3", -3), ("", None), ("1.5", None), (None, None)],
)
def test_dicom_integers_parse_or_give_none(value, expected):
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("MÜLLER^HANS", "MÜLLER, HANS"),
        ("DOE", "DOE"),
        ("^JANE", "JANE"),
        ("", ""),
        ("DOE^JOHN^PAUL", "DOE, JOHN PAUL"),
        ("DOE^JOHN^^DR^JR", "DOE, DR JOHN JR"),
        ("YAMADA^TARO=山田^太郎=やまだ^たろう", "YAMADA, TARO"),
        ("O'BRIEN^SEAN^^^", "O'BRIEN, SEAN"),
    ],
)
def test_display_name_reads_like_a_name(name, display):
    patient = PatientSummary(None, "P1", name, None, "")
    assert patient.display_name == display


def test_patient_from_orthanc_keeps_raw_name_and_parses_birth_date():
    patient = PatientSummary.from_orthanc(
        {
            "ID": "46eea307-132cd88e-158f984c-0f325c8e-69e8664d",
            "MainDicomTags": {"PatientName": "MÜLLER^HANS", "PatientBirthDate": "19720229"},
        }
    )
    assert patient.name == "MÜLLER^HANS"
    assert patient.birth_date == datetime.date(1972, 2, 29)
    assert (patient.patient_id, patient.sex) == ("", "")


def test_a_study_with_no_tags_has_empty_fields_not_errors():
    study = Study.from_orthanc({"ID": STUDY_ID})
    assert study.orthanc_id == STUDY_ID
    assert (study.study_instance_uid, study.description, study.time) == ("", "", "")
    assert (study.accession_number, study.referring_physician, study.institution) == ("", "", "")
    assert study.date is None
    assert (study.series_ids, study.modalities) == ((), ())
    assert study.patient == PatientSummary(None, "", "", None, "")


def test_a_full_study_is_parsed():
    study = Study.from_orthanc(
        {
            "ID": STUDY_ID,
            "ParentPatient": "46eea307-132cd88e-158f984c-0f325c8e-69e8664d",
            "MainDicomTags": {
                "StudyInstanceUID": "1.2.3",
                "StudyDate": "20230314",
                "StudyTime": "101500.123",
                "StudyDescription": "CT THORAX",
                "AccessionNumber": "A1",
                "ReferringPhysicianName": "WATSON^JOHN",
                "InstitutionName": "General",
                "ModalitiesInStudy": "CT\\PT",
            },
            "PatientMainDicomTags": {"PatientID": "P1", "PatientSex": "M"},
            "Series": ["a", "b", 3],
        }
    )
    assert study.date == datetime.date(2023, 3, 14)
    assert study.time == "101500.123"
    assert study.modalities == ("CT", "PT")
    assert study.series_ids == ("a", "b")
    assert study.patient.orthanc_id == "46eea307-132cd88e-158f984c-0f325c8e-69e8664d"
    assert (study.patient.patient_id, study.patient.sex) == ("P1", "M")


@pytest.mark.parametrize("model", [Study, Series, Instance, PatientSummary])
@pytest.mark.parametrize("data", [None, [], "ID", {}, {"ID": ""}, {"ID": 7}, {"MainDicomTags": {}}])
def test_malformed_resources_are_bad_answers(model, data):
    with pytest.raises(OrthancBadAnswer):
        model.from_orthanc(data)


def test_tags_of_the_wrong_type_are_ignored():
    study = Study.from_orthanc({"ID": STUDY_ID, "MainDicomTags": ["x"], "Series": "abc"})
    assert (study.description, study.series_ids) == ("", ())


def test_series_and_instances():
    series = Series.from_orthanc(
        {
            "ID": "s1",
            "MainDicomTags": {"Modality": "MR", "SeriesNumber": "2", "SeriesDescription": "AX T2"},
            "Instances": ["i1", "i2"],
        }
    )
    assert (series.modality, series.number, series.description) == ("MR", 2, "AX T2")
    assert (series.instance_ids, series.first_instance_id) == (("i1", "i2"), "i1")
    assert Series.from_orthanc({"ID": "s2"}).first_instance_id is None
    instance = Instance.from_orthanc({"ID": "i1", "MainDicomTags": {"InstanceNumber": "x"}})
    assert (instance.sop_instance_uid, instance.number) == ("", None)
