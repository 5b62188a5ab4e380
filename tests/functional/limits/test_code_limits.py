"""Access codes: limited per address and per network; a campaign warns and closes no door."""

import logging

import pytest

from app.shares.models import ChallengeKind
from tests.fixtures.shares import share_in_app
from tests.functional.limits.conftest import REDIS_URL

WRONG = {"code": "ZZZZ-ZZZZ-ZZ"}


def post_code(client, address, data=WRONG):
    return client.post("/code", data=data, environ_base={"REMOTE_ADDR": address})


@pytest.mark.parametrize(
    ("neighbours", "same_network", "other_network"),
    [
        (["198.51.100.1", "198.51.100.2", "198.51.100.3"], "198.51.100.250", "198.51.101.1"),
        (["2001:db8:1:1::1", "2001:db8:1:1::2", "2001:db8:1:1:ffff::3"], "2001:db8:1:1::9",
         "2001:db8:1:2::1"),
    ],
    ids=["ipv4 /24", "ipv6 /64"],
)  # fmt: skip
def test_codes_from_one_network_are_limited_together(
    limited_app, demo_studies, neighbours, same_network, other_network
):
    flask_app = limited_app(CODE_LIMIT_PER_IP="100 per minute", CODE_LIMIT_PER_NETWORK="3 per hour")
    client = flask_app.test_client()
    for address in neighbours:
        assert post_code(client, address).status_code == 400
    blocked = post_code(client, same_network)
    assert blocked.status_code == 429
    assert "Too many attempts from your connection." in blocked.text
    assert post_code(client, other_network).status_code == 400


def test_a_code_campaign_warns_once_and_a_recipient_still_gets_in(
    limited_app, redis_db, demo_study, caplog
):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL, "CODE_CAMPAIGN_WARNING": "4 per hour"}
    flask_app = limited_app(**settings)
    share = share_in_app(
        flask_app,
        [demo_study("DEMO0004").orthanc_id],
        access_code=True,
        challenge=ChallengeKind.BIRTH_DATE,
    )
    client = flask_app.test_client()
    caplog.set_level(logging.WARNING)
    # Eight networks, one failure each: no per-address or per-network limit is reached.
    for n in range(8):
        assert post_code(client, f"203.0.{n}.7").status_code == 400
    warnings = [r for r in caplog.records if "Access codes: more than 4 per 1 hour" in r.message]
    assert len(warnings) == 1
    assert "ZZZZ" not in caplog.text
    assert "203.0." not in caplog.text

    recipient = flask_app.test_client()
    response = post_code(recipient, "192.0.2.44", {"code": share.access_code})
    assert response.status_code == 303
    assert response.headers["Location"] == "/code/challenge"

    # Another instance on the same Redis sees the campaign in its readiness answer.
    ready = limited_app(ready=True, **settings).test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.json["status"] == "ok"
    check = ready.json["checks"]["access_codes"]
    assert check["ok"] is True
    assert check["campaign"] is True
    assert ready.json["warnings"] == [check["warning"]]
    assert "CODE_CAMPAIGN_WARNING" in check["warning"]


def test_readyz_reports_no_campaign_in_quiet_times(limited_app, redis_db):
    client = limited_app(ready=True, RATELIMIT_STORAGE_URI=REDIS_URL).test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json["checks"]["access_codes"] == {
        "ok": True,
        "campaign": False,
        "threshold": "300 per hour",
    }
    assert "warnings" not in ready.json
