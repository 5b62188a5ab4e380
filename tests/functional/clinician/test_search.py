"""Study search through the console, against the real Orthanc with the demo studies."""

import re
import socket
from datetime import UTC, date, datetime, timedelta

import pytest

from app import create_app
from app.demo.catalog import demo_entry
from app.extensions import db
from app.shares.models import Share, ShareStudy
from app.studies.criteria import dicom_date
from app.users.models import User
from config import TestConfig
from tests.fixtures.app import PASSWORD
from tests.fixtures.dicom import pixelless_instance

# Other tests may add studies to the session's Orthanc: these searches stay on the demo ones.
DEMO = {"patient_id": "SS-DEMO-*"}


@pytest.fixture
def search(logged_in_client, demo_studies):
    def run(**params):
        return logged_in_client.get("/", query_string={**DEMO, **params})

    return run


def patients(response) -> list[str]:
    return re.findall(r'data-label="Patient"><a href="/studies/[^"]+">([^<]+)</a>', response.text)


def study_dates(response) -> list[str]:
    return re.findall(r'data-label="Study date">([^<]+)</td>', response.text)


def study_links(response) -> list[str]:
    return re.findall(r'href="/studies/([0-9a-f-]+)"', response.text)


def test_default_search_lists_the_most_recent_studies_first(search):
    response = search()
    assert response.status_code == 200
    assert "8 studies" in response.text
    dates = study_dates(response)
    assert len(dates) == 8
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize(
    ("params", "expected_patients", "count"),
    [
        ({"patient_name": "müller"}, {"MÜLLER, HANS"}, 2),
        ({"patient_name": "MÜLLER hans"}, {"MÜLLER, HANS"}, 2),
        ({"patient_name": "d?e*"}, {"DOE, JANE"}, 3),
        ({"patient_id": "SS-DEMO-0003"}, {"O&#39;BRIEN, SEAN"}, 2),
        ({"birth_date": "1972-02-29"}, {"DOE, JANE"}, 3),
        ({"birth_date": "29.02.1972"}, {"DOE, JANE"}, 3),
        ({"birth_date": "19720229"}, {"DOE, JANE"}, 3),
        ({"accession_number": "DEMO0001"}, {"MÜLLER, HANS"}, 1),
        ({"modality": "MR"}, None, 2),
        ({"description": "thorax"}, {"MÜLLER, HANS"}, 1),
        ({"date_from": "2024-01-01", "date_to": "2024-12-31"}, None, None),
    ],
)
def test_search_by_each_field(search, params, expected_patients, count):
    response = search(**params)
    assert response.status_code == 200
    found = patients(response)
    assert found, response.text
    if expected_patients is not None:
        assert set(found) == expected_patients
    if count is not None:
        assert len(found) == count


def test_modality_filter_shows_only_that_modality(search):
    response = search(modality="US")
    cells = re.findall(r'data-label="Modalities">([^<]+)</td>', response.text)
    assert cells
    assert all("US" in cell for cell in cells)


def test_date_range_keeps_only_studies_inside_it(search):
    dates = study_dates(search(date_from="2024-01-01", date_to="2024-12-31"))
    assert dates
    assert all("2024-01-01" <= day <= "2024-12-31" for day in dates)
    single = study_dates(search(date_from=dates[0], date_to=dates[0]))
    assert set(single) == {dates[0]}


def test_rows_show_counts_and_modalities(search):
    response = search(accession_number="DEMO0001")
    _, ct = demo_entry("DEMO0001")
    assert f'data-label="Series" class="num">{len(ct.series)}</td>' in response.text
    assert f'data-label="Images" class="num">{ct.instance_count}</td>' in response.text
    assert 'data-label="Modalities">CT</td>' in response.text


def test_no_match_says_so(search):
    response = search(patient_name="nobody-by-that-name")
    assert response.status_code == 200
    assert "No studies match this search" in response.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"date_from": "2024-05-01", "date_to": "2024-01-01"},
            "The end date is before the start date.",
        ),
        ({"date_from": "31/31/2024"}, "Enter a date like 2024-03-31."),
        ({"birth_date": "2999-01-01"}, "The birth date is in the future."),
        ({"birth_date": "1066-10-14"}, "Enter a date after 1800."),
        ({"page": "abc"}, "Page"),
        ({"page": "0"}, "Page"),
        ({"modality": "XYZ"}, "Not a valid choice"),
        ({"patient_name": "x" * 65}, "Field cannot be longer than 64 characters."),
    ],
)
def test_bad_input_is_a_clear_400(search, params, message):
    response = search(**params)
    assert response.status_code == 400
    assert "Please correct the search" in response.text
    assert message in response.text


def test_backslashes_cannot_inject_a_dicom_list(search):
    response = search(patient_id="SS-DEMO-0001\\SS-DEMO-0002")
    assert response.status_code == 200
    assert "No studies match this search" in response.text


def test_oversized_query_string_is_refused_clearly(logged_in_client):
    response = logged_in_client.get("/?description=" + "a" * 5000)
    assert response.status_code == 414
    assert "This address is too long" in response.text


@pytest.fixture
def small_pages_client(app_env, make_user, demo_studies):
    def build(**config):
        flask_app = create_app(TestConfig({**app_env, **config}))
        flask_app.config["WTF_CSRF_ENABLED"] = False
        client = flask_app.test_client()
        make_user()
        client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
        return client

    return build


def test_paging_walks_every_study_once_in_date_order(small_pages_client):
    client = small_pages_client(SEARCH_PAGE_SIZE="3")
    seen, dates, page = [], [], 1
    while True:
        response = client.get("/", query_string={**DEMO, "page": page})
        assert response.status_code == 200
        seen += study_links(response)
        dates += study_dates(response)
        if 'rel="next"' not in response.text:
            break
        assert f"page={page + 1}" in response.text
        page += 1
    assert page == 3
    assert len(seen) == len(set(seen)) == 8
    assert dates == sorted(dates, reverse=True)
    assert 'rel="prev"' in response.text


def test_too_many_matches_fall_back_to_archive_order(small_pages_client):
    client = small_pages_client(SEARCH_PAGE_SIZE="5", SEARCH_SORT_WINDOW="4")
    first = client.get("/", query_string=DEMO)
    assert "shown in the archive's order" in first.text
    second = client.get("/", query_string={**DEMO, "page": 2})
    both = study_links(first) + study_links(second)
    assert len(both) == len(set(both)) == 8


def test_orthanc_down_keeps_the_form_and_says_so(app_env, make_user):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    flask_app = create_app(TestConfig({**app_env, "ORTHANC_URL": f"http://127.0.0.1:{port}"}))
    flask_app.config["WTF_CSRF_ENABLED"] = False
    client = flask_app.test_client()
    make_user()
    client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    response = client.get("/", query_string={"patient_name": "doe"})
    assert response.status_code == 503
    assert "The image archive is not answering right now." in response.text
    assert 'value="doe"' in response.text


def test_live_shares_are_flagged(app, search, orthanc_client):
    study_id = orthanc_client.find_studies({"AccessionNumber": "DEMO0001"}, limit=1).studies[0]
    with app.app_context():
        owner = db.session.scalar(db.select(User))
        for public_id, revoked in (("live1", None), ("gone1", datetime.now(UTC))):
            share = Share(
                public_id=public_id,
                secret_hash=public_id.ljust(64, "0"),
                owner=owner,
                expires_at=datetime.now(UTC) + timedelta(days=1),
                revoked_at=revoked,
            )
            share.studies.append(
                ShareStudy(
                    orthanc_study_id=study_id.orthanc_id,
                    source_orthanc_study_id=study_id.orthanc_id,
                    study_instance_uid=study_id.study_instance_uid,
                )
            )
            db.session.add(share)
        db.session.commit()
    response = search(accession_number="DEMO0001")
    assert '<span class="badge badge-live">1 live</span>' in response.text
    other = search(accession_number="DEMO0002")
    assert "badge-live" not in other.text


@pytest.fixture
def recent_studies(orthanc_client, demo_studies):
    """Three studies of the last year, next to the demo studies of 2022-2024."""
    today = date.today()
    stored = [
        orthanc_client.upload_instance(
            pixelless_instance(
                PatientID="SS-TEST-RECENT",
                PatientName="RECENT^PATIENT",
                StudyDate=dicom_date(today - timedelta(days=days_ago)),
                StudyDescription=description,
            )
        )
        for days_ago, description in ((200, "LAST YEAR"), (2, "THIS WEEK"), (20, "THIS MONTH"))
    ]
    yield today
    for instance in stored:
        orthanc_client.delete_study(instance["ParentStudy"])


def test_the_landing_page_of_a_large_archive_shows_its_latest_studies(
    small_pages_client, recent_studies
):
    client = small_pages_client(SEARCH_SORT_WINDOW="5")  # the whole archive overflows it
    page = client.get("/").text
    since = recent_studies - timedelta(days=365)
    assert f"these are the ones since {since.isoformat()}, most recent first" in page
    assert "3 studies" in page
    positions = [page.index(text) for text in ("THIS WEEK", "THIS MONTH", "LAST YEAR")]
    assert positions == sorted(positions)
    assert "shown in the archive's order" not in page
