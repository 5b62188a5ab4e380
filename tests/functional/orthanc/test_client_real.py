"""The Orthanc client against the session's real Orthanc 1.10 with the demo studies."""

import datetime
import socket

import pytest

from app.demo.bench_studies import bulk_study_instances
from app.demo.catalog import DEMO_PATIENTS, demo_entry
from app.demo.dicom import demo_instances, upload_demo_studies
from app.orthanc.client import OrthancClient
from app.orthanc.errors import (
    OrthancBadAnswer,
    OrthancNotFound,
    OrthancUnauthorized,
    OrthancUnavailable,
)

UNKNOWN_ID = "00000000-00000000-00000000-00000000-00000000"
DEMO_STUDIES = {s.accession: (p, s) for p in DEMO_PATIENTS for s in p.studies}
DEMO_INSTANCES = sum(study.instance_count for _, study in DEMO_STUDIES.values())


@pytest.fixture(scope="module")
def by_accession(orthanc_client, demo_studies):
    """Orthanc's Study for each demo accession number."""
    studies = [orthanc_client.get_study(study_id) for study_id in demo_studies.study_ids]
    return {study.accession_number: study for study in studies}


def find_all(client: OrthancClient, query: dict[str, str], **options) -> list:
    return client.find_studies(query, limit=1000, **options).studies


def demo_ids(by_accession, predicate) -> set[str]:
    return {
        by_accession[accession].orthanc_id
        for accession, (patient, study) in DEMO_STUDIES.items()
        if predicate(patient, study)
    }


def test_system_answers(orthanc_client):
    system = orthanc_client.system()
    assert system["Version"].startswith("1.")
    assert system["Name"] == "StudyShare test"


def test_demo_upload_is_idempotent(orthanc_client, demo_studies):
    assert demo_studies.new + demo_studies.already_stored == DEMO_INSTANCES
    assert len(demo_studies.study_ids) == len(DEMO_STUDIES)
    before = orthanc_client.statistics()
    again = upload_demo_studies(orthanc_client, demo_instances())
    assert (again.new, again.already_stored) == (0, DEMO_INSTANCES)
    assert again.study_ids == demo_studies.study_ids
    after = orthanc_client.statistics()
    for count in ("CountPatients", "CountStudies", "CountSeries", "CountInstances"):
        assert after[count] == before[count]


@pytest.mark.parametrize("pattern", ["müller*", "MÜLLER*", "Müller^Hans", "*ÜLL*"])
def test_find_by_name_ignores_case_including_umlauts(orthanc_client, by_accession, pattern):
    found = find_all(orthanc_client, {"PatientName": pattern})
    expected = demo_ids(by_accession, lambda p, s: p.name == "MÜLLER^HANS")
    assert expected <= {s.orthanc_id for s in found}
    assert all("MÜLLER" in s.patient.name for s in found)


def test_find_by_name_can_be_case_sensitive(orthanc_client, by_accession):
    assert find_all(orthanc_client, {"PatientName": "müller*"}, case_sensitive=True) == []
    found = find_all(orthanc_client, {"PatientName": "MÜLLER*"}, case_sensitive=True)
    assert by_accession["DEMO0001"].orthanc_id in {s.orthanc_id for s in found}


def test_find_by_leap_day_birth_date(orthanc_client, by_accession):
    found = find_all(orthanc_client, {"PatientBirthDate": "19720229"})
    assert demo_ids(by_accession, lambda p, s: p.birth_date == "19720229") <= {
        s.orthanc_id for s in found
    }
    assert {s.patient.birth_date for s in found} == {datetime.date(1972, 2, 29)}


def test_find_by_study_date_range(orthanc_client, by_accession):
    found = find_all(orthanc_client, {"StudyDate": "20230101-20231231"})
    expected = demo_ids(by_accession, lambda p, s: s.date.startswith("2023"))
    assert len(expected) >= 3
    assert expected <= {s.orthanc_id for s in found}
    assert all(s.date.year == 2023 for s in found)


def test_find_by_open_ended_date_range(orthanc_client, by_accession):
    found = find_all(orthanc_client, {"StudyDate": "-20221231"})
    assert demo_ids(by_accession, lambda p, s: s.date < "2023") <= {s.orthanc_id for s in found}
    assert all(s.date.year <= 2022 for s in found)


@pytest.mark.parametrize(("query", "modalities"), [("CT", {"CT"}), ("MR\\US", {"MR", "US"})])
def test_find_by_modalities_in_study(orthanc_client, by_accession, query, modalities):
    found = find_all(orthanc_client, {"ModalitiesInStudy": query})
    expected = demo_ids(by_accession, lambda p, s: s.modality in modalities)
    assert expected <= {s.orthanc_id for s in found}
    for study in found:
        series = orthanc_client.get_study_series(study.orthanc_id)
        assert {s.modality for s in series} & modalities
        # Orthanc 1.10 matches on ModalitiesInStudy but does not return it.
        assert study.modalities == ()


def test_modality_is_not_a_study_level_key_in_orthanc_1_10(orthanc_client, demo_studies):
    assert find_all(orthanc_client, {"Modality": "CR"}) == []


def test_wildcards_on_dates_are_refused_as_bad_answers(orthanc_client, demo_studies):
    with pytest.raises(OrthancBadAnswer, match="400"):
        orthanc_client.find_studies({"StudyDate": "2023*"}, limit=10)


def test_paging_covers_every_study_exactly_once(orthanc_client, demo_studies):
    seen, since, pages = [], 0, 0
    while True:
        page = orthanc_client.find_studies({}, limit=3, since=since)
        seen += [s.orthanc_id for s in page.studies]
        pages += 1
        if not page.has_next:
            break
        assert len(page.studies) == 3
        since = page.next_since
    assert len(seen) == len(set(seen)) == orthanc_client.statistics()["CountStudies"]
    assert demo_studies.study_ids <= set(seen)
    assert pages == -(-len(seen) // 3)


def test_get_study_matches_the_catalog(by_accession):
    for accession, (patient, demo) in DEMO_STUDIES.items():
        study = by_accession[accession]
        assert study.date.strftime("%Y%m%d") == demo.date
        assert (study.time, study.description) == (demo.time, demo.description)
        assert study.institution == "StudyShare Demo Hospital"
        assert study.referring_physician == "WATSON^JOHN^^DR"
        assert (study.patient.name, study.patient.patient_id) == (patient.name, patient.patient_id)
        assert len(study.series_ids) == len(demo.series)
        assert study.study_instance_uid


def test_series_and_instances_of_a_two_series_mr(orthanc_client, by_accession):
    study = by_accession["DEMO0003"]
    _, demo = demo_entry("DEMO0003")
    series = sorted(orthanc_client.get_study_series(study.orthanc_id), key=lambda s: s.number)
    assert [(s.number, s.modality, s.description) for s in series] == [
        (number, "MR", one.description) for number, one in enumerate(demo.series, start=1)
    ]
    assert len(series) == 2
    for one, expected in zip(series, demo.series, strict=True):
        instances = orthanc_client.get_series_instances(one.orthanc_id)
        assert sorted(i.number for i in instances) == list(range(1, expected.images + 1))
        assert {i.orthanc_id for i in instances} == set(one.instance_ids)
        assert one.first_instance_id in one.instance_ids
        assert all(i.sop_instance_uid for i in instances)


def test_get_patient(orthanc_client, by_accession):
    patient = orthanc_client.get_patient(by_accession["DEMO0001"].patient.orthanc_id)
    assert patient.display_name == "MÜLLER, HANS"
    assert (patient.birth_date, patient.sex) == (datetime.date(1958, 3, 14), "M")


def test_unknown_ids_are_not_found(orthanc_client):
    calls = [
        orthanc_client.get_study,
        orthanc_client.get_study_series,
        orthanc_client.get_series_instances,
        orthanc_client.get_patient,
        orthanc_client.delete_study,
    ]
    for call in calls:
        with pytest.raises(OrthancNotFound):
            call(UNKNOWN_ID)


def test_lookup_study_uid(orthanc_client, by_accession):
    study = by_accession["DEMO0001"]
    assert orthanc_client.lookup_study_uid(study.study_instance_uid) == study.orthanc_id
    assert orthanc_client.lookup_study_uid("1.2.3.4.5.6.7.8.9") is None
    series = orthanc_client.get_study_series(study.orthanc_id)[0]
    assert orthanc_client.lookup_study_uid(series.series_instance_uid) is None


def test_delete_study(orthanc_client, demo_studies):
    report = upload_demo_studies(orthanc_client, bulk_study_instances(1, seed="delete-me"))
    (study_id,) = report.study_ids
    orthanc_client.delete_study(study_id)
    with pytest.raises(OrthancNotFound):
        orthanc_client.get_study(study_id)


def test_uploading_garbage_is_a_bad_answer(orthanc_client):
    with pytest.raises(OrthancBadAnswer, match="400"):
        orthanc_client.upload_instance(b"not a DICOM file")


def test_wrong_credentials_are_unauthorized(orthanc_server):
    client = OrthancClient(orthanc_server.url, "studyshare", "wrong-password-xyz")
    with pytest.raises(OrthancUnauthorized) as caught:
        client.system()
    assert "wrong-password-xyz" not in str(caught.value)
    assert orthanc_server.password not in str(caught.value)
    client.close()


def test_a_closed_port_is_unavailable(orthanc_server):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = OrthancClient(f"http://127.0.0.1:{port}", "studyshare", orthanc_server.password)
    with pytest.raises(OrthancUnavailable):
        client.find_studies({}, limit=1)
    client.close()


def test_count_studies_stops_one_past_its_limit(orthanc_client, demo_studies):
    patient, _ = demo_entry("DEMO0003")
    jane = {"PatientID": patient.patient_id}
    assert orthanc_client.count_studies(jane, up_to=10) == len(patient.studies) == 3
    assert orthanc_client.count_studies(jane, up_to=1) == 2  # "more than 1"
    assert orthanc_client.count_studies({"PatientID": "NOBODY"}, up_to=10) == 0


class JobThatSeemsStuck(OrthancClient):
    """The real Orthanc, except that the job looks 'Running' until the client gives up."""

    def __init__(self, real: OrthancClient) -> None:
        super().__init__(real.base_url, *real.session.auth, anonymize_timeout=0.3)
        self.gave_up = False

    def _json(self, method, path, expected, **kwargs):
        if method == "GET" and path.startswith("/jobs/") and not self.gave_up:
            return {"State": "Running"}
        return super()._json(method, path, expected, **kwargs)

    def _give_up_anonymization(self, job_id):
        self.gave_up = True
        super()._give_up_anonymization(job_id)


def test_a_stuck_anonymization_is_cancelled_and_leaves_no_copy(orthanc_client, by_accession):
    before = orthanc_client.statistics()["CountStudies"]
    client = JobThatSeemsStuck(orthanc_client)
    with pytest.raises(OrthancUnavailable, match="did not finish the anonymization within 0 s"):
        client.anonymize_study(by_accession["DEMO0001"].orthanc_id, poll_seconds=0.05)
    assert client.gave_up
    assert orthanc_client.statistics()["CountStudies"] == before


def test_anonymization_runs_as_a_job_and_keeps_the_pseudonym(orthanc_client, by_accession):
    copy_id = orthanc_client.anonymize_study(
        by_accession["DEMO0001"].orthanc_id, pseudonym="ANON-TEST"
    )
    try:
        copy = orthanc_client.get_study(copy_id)
        assert copy.patient.patient_id == "ANON-TEST"
        assert copy.study_instance_uid != by_accession["DEMO0001"].study_instance_uid
    finally:
        orthanc_client.delete_study(copy_id)
