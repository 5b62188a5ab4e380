"""The printable handout and the QR PNG download, posted with the link secret."""

import html
import re

import pytest

from app.extensions import db
from app.shares.models import ChallengeKind, Share
from app.shares.qr import qr_svg
from app.users.models import Role
from tests.fixtures.app import PASSWORD
from tests.functional.shares.conftest import (
    CLINIC,
    csrf_token,
    decode_qr,
    link_of,
    secret_form,
)

PATIENT_NAME = "MÜLLER, HANS"


def handout(client, created, **extra):
    return client.post(
        f"/shares/{created.share.public_id}/handout", data=secret_form(created, **extra)
    )


def test_the_handout_shows_the_link_code_and_expiry(app, logged_in_client, doctor_share):
    created = doctor_share(access_code=True, challenge=ChallengeKind.BIRTH_DATE)
    response = handout(logged_in_client, created, access_code=created.access_code)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = html.unescape(response.text)
    link = link_of(app, created)
    assert f'<p class="sheet-link">{link}</p>' in page
    assert f'<p class="sheet-code">{created.access_code}</p>' in page
    assert f"{app.config['PUBLIC_BASE_URL']}/code" in page
    assert CLINIC in page
    assert "This link expires on" in page
    assert "enter the patient's date of birth" in page
    assert qr_svg(link) in response.text  # the QR is the link's (decoded below from the PNG)
    assert re.search(r"css/print\.[0-9a-f]{12}\.css", page)  # fingerprinted (static_files)
    assert re.search(r"js/print\.[0-9a-f]{12}\.js", page)
    assert "data-print" in page
    assert PATIENT_NAME not in page
    assert "CT THORAX" not in page


def test_the_patient_name_only_when_asked(logged_in_client, doctor_share):
    created = doctor_share()
    page = html.unescape(handout(logged_in_client, created, show_patient_name="y").text)
    assert PATIENT_NAME in page


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Your medical images", "How to open your images"]),
        ("fr", ["Vos images médicales", "Comment ouvrir vos images", "Ce lien expire le"]),
        ("de", ["Ihre medizinischen Bilder", "So öffnen Sie Ihre Bilder", "Dieser Link läuft am"]),
    ],
)
def test_the_handout_is_in_the_recipient_language(logged_in_client, doctor_share, language, words):
    created = doctor_share(language=language)
    page = handout(logged_in_client, created).text
    assert f'<html lang="{language}">' in page
    for text in words:
        assert text in page


def test_an_access_code_that_is_not_the_share_s_is_not_printed(logged_in_client, doctor_share):
    created = doctor_share(access_code=True)
    page = handout(logged_in_client, created, access_code="ABCD-EFGH-JK").text
    assert "ABCD-EFGH-JK" not in page
    assert created.access_code not in page
    assert "sheet-code" not in page


@pytest.mark.parametrize("secret", ["", "A" * 22, "not a secret"])
def test_a_wrong_secret_is_a_404(logged_in_client, doctor_share, secret):
    created = doctor_share()
    for path in ("handout", "qr.png", "email"):
        response = logged_in_client.post(
            f"/shares/{created.share.public_id}/{path}",
            data={"secret": secret, "recipient": "patient@example.net"},
        )
        assert response.status_code == 404, path
        assert "There is no such share" in response.text


def test_an_unknown_share_is_a_404(logged_in_client, doctor_share):
    created = doctor_share()
    response = logged_in_client.post("/shares/sh-000000000000/handout", data=secret_form(created))
    assert response.status_code == 404


def test_another_clinician_gets_a_404_and_an_admin_the_handout(doctor_share, client_as):
    created = doctor_share()
    assert handout(client_as("other@example.org"), created).status_code == 404
    assert handout(client_as("admin@example.org", Role.ADMIN), created).status_code == 200


def test_a_revoked_share_has_no_handout(app, logged_in_client, doctor_share):
    created = doctor_share()
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        share.revoked_at = share.created_at
        db.session.commit()
    response = handout(logged_in_client, created)
    assert response.status_code == 409
    assert "This share is revoked" in response.text


def test_the_qr_png_download_decodes_to_the_link(app, logged_in_client, doctor_share, tmp_path):
    created = doctor_share()
    public_id = created.share.public_id
    response = logged_in_client.post(f"/shares/{public_id}/qr.png", data=secret_form(created))
    assert response.status_code == 200
    assert response.content_type == "image/png"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=studyshare-{public_id}.png"
    )
    assert response.headers["Cache-Control"] == "no-store"
    assert decode_qr(response.data, tmp_path) == link_of(app, created)


def test_delivery_needs_a_login(app, doctor_share):
    created = doctor_share()
    response = app.test_client().post(
        f"/shares/{created.share.public_id}/handout", data=secret_form(created)
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_csrf_is_enforced_on_delivery(csrf_app, make_share, make_user, ct_study_id):
    doctor = make_user("doctor@example.org")
    created = make_share([ct_study_id], owner=doctor)
    client = csrf_app.test_client()
    client.post(
        "/login",
        data={
            "email": "doctor@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_token(client.get("/login").text),
        },
    )
    public_id = created.share.public_id
    for path in ("handout", "qr.png", "email"):
        refused = client.post(f"/shares/{public_id}/{path}", data=secret_form(created))
        assert refused.status_code == 400, path
        assert "This form has expired" in refused.text
    token = csrf_token(client.get("/").text)
    accepted = client.post(
        f"/shares/{public_id}/handout", data=secret_form(created, csrf_token=token)
    )
    assert accepted.status_code == 200
