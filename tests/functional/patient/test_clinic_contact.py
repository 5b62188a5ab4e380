"""Every recipient page that says "contact your clinic" says how; the logo is served here."""

import pytest

from app import create_app
from config import ConfigError, TestConfig
from tests.fixtures.clinic import CLINIC_CONTACT, LOGO_PNG, with_clinic_identity


@pytest.fixture
def app_env(app_env, tmp_path):
    return with_clinic_identity(app_env, tmp_path)


@pytest.mark.parametrize("path", ["/s/", "/s/AAAAAAAAAAAAAAAAAAAAAA"])
def test_pages_that_send_to_the_clinic_give_its_contact(client, path):
    page = client.get(path).text
    for value in CLINIC_CONTACT.values():
        assert value in page
    assert 'href="tel:+41215550123"' in page
    assert 'href="mailto:radiologie@clinique.example"' in page
    assert '<img class="clinic-logo" src="/clinic/logo" alt="">' in page


def test_the_landing_page_gives_the_contact(client, doe_share):
    page = client.get(f"/s/{doe_share.secret}").text
    assert CLINIC_CONTACT["CLINIC_PHONE"] in page


def test_the_logo_is_served_cacheable_and_inert(client):
    response = client.get("/clinic/logo")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data == LOGO_PNG
    assert "max-age=3600" in response.headers["Cache-Control"]
    assert "sandbox" in response.headers["Content-Security-Policy"]
    response.close()


def test_no_logo_is_a_404(app_env):
    app = create_app(TestConfig({**app_env, "CLINIC_LOGO": ""}))
    assert app.test_client().get("/clinic/logo").status_code == 404
    assert 'class="clinic-logo"' not in app.test_client().get("/s/").text


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "must be a readable image file"), (b"hello", "must be a PNG, JPEG, WebP or SVG")],
)
def test_a_bad_logo_stops_the_start(tmp_path, content, message):
    path = tmp_path / "logo.png"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        TestConfig({"CLINIC_LOGO": str(path)})


def test_an_oversized_logo_stops_the_start(tmp_path):
    path = tmp_path / "logo.png"
    path.write_bytes(LOGO_PNG + bytes(600 * 1024))
    with pytest.raises(ConfigError, match="at most 512 KB"):
        TestConfig({"CLINIC_LOGO": str(path)})
