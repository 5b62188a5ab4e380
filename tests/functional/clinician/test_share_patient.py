"""The patient on every console page about a share or study, and the share list's search."""

import re

import pytest
from sqlalchemy import select, update

from app.extensions import db
from app.shares.models import ShareStudy
from tests.fixtures.dicom import pixelless_instance


@pytest.fixture
def doe_ids(demo_study):
    return [demo_study("DEMO0003").orthanc_id, demo_study("DEMO0004").orthanc_id]


@pytest.fixture
def muller_id(demo_study):
    return demo_study("DEMO0001").orthanc_id


def create(client, study_ids, **fields):
    form = {"study": study_ids, "expires": "15", "challenge": "birthdate", "language": "en"}
    return client.post("/shares/new", data={**form, **fields})


def listed(client, **params) -> list[str]:
    page = client.get("/shares", query_string=params)
    assert page.status_code == 200, page.text
    return re.findall(r'data-label="Patient">([^<]+)<', page.text)


def test_a_new_share_stores_its_patient(app, make_share, doe_ids):
    created = make_share(doe_ids)
    with app.app_context():
        rows = db.session.scalars(select(ShareStudy).order_by(ShareStudy.id)).all()
    assert [(r.patient_name, r.patient_id) for r in rows] == [("DOE^JANE", "SS-DEMO-0002")] * 2
    assert {r.accession_number for r in rows} == {"DEMO0003", "DEMO0004"}
    assert rows[0].patient_name_folded == "do jane"  # folded as searches compare it
    assert created.patient.birth_date.isoformat() == "1972-02-29"


def test_form_ready_detail_and_study_pages_are_headed_by_the_patient(logged_in_client, doe_ids):
    banner = re.compile(r'id="patient-banner">.*?</p>', re.S)
    form = logged_in_client.get("/shares/new", query_string={"study": doe_ids}).text
    assert "DOE, JANE" in banner.search(form).group(0)
    assert "born 1972-02-29" in banner.search(form).group(0)
    ready = create(logged_in_client, doe_ids).text
    head = banner.search(ready).group(0)
    assert "DOE, JANE" in head
    assert "SS-DEMO-0002" in head
    assert "born 1972-02-29" in head
    assert "DEMO0003, DEMO0004" in head
    public_id = re.search(r'href="/shares/([A-Za-z0-9_-]+)"', ready).group(1)
    detail = banner.search(logged_in_client.get(f"/shares/{public_id}").text).group(0)
    assert "DOE, JANE" in detail
    assert "SS-DEMO-0002" in detail
    study = banner.search(logged_in_client.get(f"/studies/{doe_ids[0]}").text).group(0)
    assert "DOE, JANE" in study
    assert "born 1972-02-29" in study
    assert "DEMO0003" in study


def test_selecting_two_patients_is_refused_before_the_form(logged_in_client, doe_ids, muller_id):
    response = logged_in_client.get("/shares/new", query_string={"study": [doe_ids[0], muller_id]})
    assert response.status_code == 400
    assert "These studies belong to different patients" in response.text
    assert "same patient" in response.text
    assert "DOE, JANE" in response.text
    assert "MÜLLER, HANS" in response.text
    assert 'name="challenge"' not in response.text  # no form to fill in
    only_doe = f'href="/shares/new?study={doe_ids[0]}"'
    assert only_doe in response.text


def test_share_list_has_a_patient_column_and_a_bookmarkable_search(
    logged_in_client, doe_ids, muller_id
):
    assert create(logged_in_client, doe_ids).status_code == 200
    assert create(logged_in_client, [muller_id]).status_code == 200
    assert sorted(listed(logged_in_client)) == ["DOE, JANE", "MÜLLER, HANS"]
    for typed in ("muller", "Müller", "mueller", "hans"):
        assert listed(logged_in_client, q=typed) == ["MÜLLER, HANS"], typed
    for typed in ("Jane Doe", "Doe Jane", "ss-demo-0002", "SS-DEMO-0002"):
        assert listed(logged_in_client, q=typed) == ["DOE, JANE"], typed
    assert listed(logged_in_client, q="SS-DEMO") == []  # IDs match whole, names in part
    assert listed(logged_in_client, q="100%_") == []
    assert listed(logged_in_client, q="doe", state="revoked") == []
    assert listed(logged_in_client, q="doe", state="active") == ["DOE, JANE"]
    empty = logged_in_client.get("/shares", query_string={"q": "nobody"}).text
    assert "No shares of a patient matching “nobody”" in empty


def test_admins_search_by_patient_and_owner(
    admin_client, make_share, make_user, doe_ids, muller_id
):
    owner = make_user("other@example.org")
    make_share(doe_ids, owner=owner)
    make_share([muller_id])
    assert sorted(listed(admin_client)) == ["DOE, JANE", "MÜLLER, HANS"]
    assert listed(admin_client, q="jane", owner=str(owner.id)) == ["DOE, JANE"]
    assert listed(admin_client, q="muller", owner=str(owner.id)) == []


def test_an_overlong_search_is_a_clear_400(logged_in_client):
    response = logged_in_client.get("/shares", query_string={"q": "x" * 201})
    assert response.status_code == 400
    assert "at most 200 characters" in response.text


def test_backfill_fills_old_rows_from_orthanc(app, make_share, doe_ids, orthanc_client):
    make_share(doe_ids[:1])
    gone_id = orthanc_client.upload_instance(pixelless_instance(PatientID="UB-GONE"))["ParentStudy"]
    make_share([gone_id])
    orthanc_client.delete_study(gone_id)
    with app.app_context():
        db.session.execute(
            update(ShareStudy).values(patient_name=None, patient_id=None, accession_number=None)
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["shares", "backfill-patients"])
    assert result.exit_code == 0, result.output
    assert "Filled 1 shared studies; 1 left empty" in result.output
    with app.app_context():
        rows = db.session.scalars(select(ShareStudy).order_by(ShareStudy.id)).all()
        assert [(r.patient_name, r.patient_id) for r in rows] == [
            ("DOE^JANE", "SS-DEMO-0002"),
            (None, None),
        ]
