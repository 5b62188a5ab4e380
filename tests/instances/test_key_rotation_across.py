"""A key rotation on both instances keeps what was issued before it working until it expires.

Both restart with a new first VIEWER_TOKEN_KEYS entry (the old ones kept after it) and a new
SECRET_KEY (the old one in SECRET_KEY_FALLBACKS), as docs/operations.md describes a rotation.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import jwt
import pytest

from tests.fixtures.instances import Cluster
from tests.instances import people
from tests.instances.browser import Browser
from tests.instances.plugin import validate
from tests.instances.settings import signing_keys


@dataclass(frozen=True)
class Issued:
    """What people held when the keys changed."""

    clinic: Browser
    recipient: Browser
    share: people.MadeShare
    viewer_token: str
    new_kid: str


def rotate_keys(cluster: Cluster) -> str:
    """Restart every instance with new keys, the old ones still accepted; the new kid."""
    env = cluster.env
    new_kid = f"k{secrets.token_hex(3)}"
    fallbacks = ",".join(filter(None, [env["SECRET_KEY"], env.get("SECRET_KEY_FALLBACKS")]))
    cluster.restart(
        SECRET_KEY=secrets.token_urlsafe(32),
        SECRET_KEY_FALLBACKS=fallbacks,
        VIEWER_TOKEN_KEYS=f"{signing_keys(new_kid)},{env['VIEWER_TOKEN_KEYS']}",
    )
    return new_kid


@pytest.fixture(scope="module")
def issued(cluster, clinician, study) -> Issued:
    a, b = cluster.servers
    clinic = people.console(a, clinician)
    share = people.make_share(clinic, a, study.orthanc_id, access_code=True)
    recipient = people.open_share(a, share)
    token = people.viewer_token(recipient, b)
    new_kid = rotate_keys(cluster)
    return Issued(clinic, recipient, share, token, new_kid)


def test_viewer_tokens_from_before_still_validate(issued, a, b, study):
    assert validate(a, issued.viewer_token, study) is True
    assert validate(b, issued.viewer_token, study) is True


def test_new_viewer_tokens_are_signed_with_the_new_first_key(issued, a, b, study):
    token = people.viewer_token(people.open_share(b, issued.share), a)
    assert jwt.get_unverified_header(token)["kid"] == issued.new_kid
    assert validate(b, token, study) is True


def test_a_console_login_from_before_still_works(issued, a, b):
    for server in (a, b):
        page = issued.clinic.get(server, "/shares", allow_redirects=False)
        assert page.status_code == 200, f"logged out of the console on {server}"


def test_a_recipient_session_from_before_still_works(issued, a, b, study):
    for server in (a, b):
        assert issued.recipient.get(server, "/v/").status_code == 200, f"signed out on {server}"
        images = issued.recipient.get(server, f"/dicom-web/studies/{study.uid}/series")
        assert images.status_code == 200, f"no images on {server}"


def test_the_birth_date_challenge_of_a_share_from_before_still_matches(issued, a):
    recipient = Browser()
    opened = people.answer_challenge(recipient, a, issued.share.path)
    assert opened.status_code == 303, "the right birth date no longer opens the share"


def test_the_access_code_from_before_still_works(issued, b):
    recipient = Browser()
    entered = recipient.submit(b, "/code", {"code": issued.share.access_code})
    assert entered.status_code == 303, "the access code no longer opens its share"
    opened = people.answer_challenge(recipient, b, "/code/challenge")
    assert opened.status_code == 303
    assert recipient.get(b, "/v/").status_code == 200
