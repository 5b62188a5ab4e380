"""The clinic's identity and contact (CLINIC_* settings) on the handout and in the e-mail."""

import html
import re

import pytest

from app.extensions import db
from app.shares.mail import send_share_email
from app.shares.models import Share
from app.shares.service import CreatedShare
from tests.fixtures.clinic import CLINIC_CONTACT, LOGO_PNG, with_clinic_identity
from tests.functional.shares.conftest import secret_form


@pytest.fixture
def app_env(app_env, tmp_path):
    return with_clinic_identity(app_env, tmp_path)


def test_the_handout_leads_with_the_clinic_exam_code_then_qr_then_url(
    logged_in_client, doctor_share
):
    created = doctor_share(access_code=True)
    response = logged_in_client.post(
        f"/shares/{created.share.public_id}/handout",
        data=secret_form(created, access_code=created.access_code),
    )
    page = html.unescape(response.text)
    for value in CLINIC_CONTACT.values():
        assert value in page
    assert '<img class="sheet-logo" src="/clinic/logo" alt="">' in page
    assert "CT scan: chest" in page  # the demo CT's "CT THORAX", in plain words
    assert "MÜLLER" not in page  # no patient name unless asked
    order = [page.index(part) for part in ("sheet-exams", "sheet-code", "sheet-qr", "sheet-link")]
    assert order == sorted(order)


def test_the_email_carries_the_contact_and_an_inline_logo(app, doctor_share, smtp_sink):
    created = doctor_share()
    with app.app_context():
        share = db.session.scalar(db.select(Share).filter_by(public_id=created.share.public_id))
        assert send_share_email(CreatedShare(share, created.secret, None), "p@example.net") is None
    [delivery] = smtp_sink.deliveries
    parts = {p.get_content_type(): p for p in delivery.message.walk() if not p.is_multipart()}
    text, page = parts["text/plain"].get_content(), parts["text/html"].get_content()
    for value in CLINIC_CONTACT.values():
        assert value in text
        assert value in page
    assert parts["image/png"]  # the QR code
    logo_cid = re.search(r'<p style="[^"]*"><img src="cid:([^"]+)" alt=""', page).group(1)
    logo = [p for p in delivery.message.walk() if p.get("Content-ID") == f"<{logo_cid}>"]
    assert logo[0].get_content() == LOGO_PNG
    assert "CT THORAX" not in text  # no study details in the mail
    assert "CT scan" not in text
