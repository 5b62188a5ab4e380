"""The recipient's "Who opened this share": when, how, and roughly from where, nothing more."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.shares import lifecycle
from app.shares.audit_models import AuditEvent
from app.shares.models import ChallengeKind, Share

PHONE = {"REMOTE_ADDR": "203.0.113.57"}
PHONE_UA = "Mozilla/5.0 (Android 14; Mobile; rv:125.0) Gecko/125.0 Firefox/125.0"
LAPTOP = {"REMOTE_ADDR": "2001:db8:77:1::abcd"}
LAPTOP_UA = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.4 Safari/605.1.15"
)


@pytest.fixture
def app_env(app_env):
    return {
        **app_env,
        "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc",
        "EXTERNAL_VIEWERS": "ohif",
    }


@pytest.fixture
def coded(make_share, demo_study):
    return make_share(
        [demo_study("DEMO0004").orthanc_id], access_code=True, challenge=ChallengeKind.BIRTH_DATE
    )


def on_phone(client, method, path, **kwargs):
    headers = {"User-Agent": PHONE_UA}
    return getattr(client, method)(path, environ_base=PHONE, headers=headers, **kwargs)


def test_history_shows_how_when_and_the_network_never_the_address(app, client, coded):
    on_phone(client, "get", f"/s/{coded.secret}")
    assert on_phone(client, "post", f"/s/{coded.secret}", data={"birth_date": "01/01/1999"})
    answer = on_phone(client, "post", f"/s/{coded.secret}", data={"birth_date": "29/02/1972"})
    assert answer.status_code == 303
    assert on_phone(client, "get", "/v/view/ohif/0").status_code == 303
    assert on_phone(client, "get", "/v/download/0").data  # audited once the body is sent
    laptop = app.test_client()
    headers = {"User-Agent": LAPTOP_UA}
    laptop.post("/code", data={"code": coded.access_code}, environ_base=LAPTOP, headers=headers)
    laptop.post(
        "/code/challenge", data={"birth_date": "29/02/1972"}, environ_base=LAPTOP, headers=headers
    )
    with app.app_context():
        share = db.session.scalar(select(Share).where(Share.public_id == coded.share.public_id))
        lifecycle.extend(share, 30, user=share.owner)  # a clinic action, from no network
        owner_email = share.owner.email
    page = client.get("/v/").text
    history = page[page.index("Who opened this share") :]
    for text in (
        "The link was opened",
        "A wrong answer was given",
        "Signed in to see the images",
        "Opened in OHIF Viewer",
        "Downloaded (ZIP)",
        "The access code was entered",
        "The clinic shared the images",
        "The clinic extended the access",
        "203.0.113.0/24, Firefox (Android)",
        "2001:db8:77::/48, Safari (macOS)",
    ):
        assert text in history, text
    for secret in ("203.0.113.57", "2001:db8:77:1::abcd", owner_email, "125.0", coded.secret):
        assert secret not in page
    newest_first = history.index("The clinic extended") < history.index("The link was opened")
    assert newest_first


def test_the_audit_stores_the_masked_network_next_to_the_full_record(app, client, coded):
    on_phone(client, "get", f"/s/{coded.secret}")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.kind == "opened"))
        assert (event.network, event.browser) == ("203.0.113.0/24", "Firefox (Android)")


def test_another_shares_events_are_not_shown(app, client, coded, make_share, demo_study):
    other = make_share([demo_study("DEMO0001").orthanc_id])
    app.test_client().get(f"/s/{other.secret}", environ_base={"REMOTE_ADDR": "198.51.100.4"})
    client.post(f"/s/{coded.secret}", data={"birth_date": "29/02/1972"})
    page = client.get("/v/").text
    assert "198.51.100.0/24" not in page
    assert "The link was opened" not in page  # this share was answered, never landed on


def test_the_history_renders_in_each_language(client, coded):
    client.post(f"/s/{coded.secret}", data={"birth_date": "29/02/1972"})
    for language in ("en", "fr", "de"):
        page = client.get(f"/v/?lang={language}")
        assert page.status_code == 200
        assert 'class="card access-history"' in page.text
