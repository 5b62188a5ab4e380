"""What a clinician and a recipient do, over HTTP, on whichever server the balancer picks."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests

from tests.fixtures.instances import Server
from tests.instances.browser import Browser, csrf_token

BIRTH_DATE = "1970-03-14"  # the answer every share of these tests asks
WRONG_BIRTH_DATE = "1971-03-14"
LINK = re.compile(r'class="share-link" href="([^"]+)"')
ACCESS_CODE = re.compile(r'Access code: <strong class="code">([^<]+)</strong>')
CREATION_KEY = re.compile(r'name="creation_key"[^>]*value="([^"]+)"')
PUBLIC_ID = re.compile(r'href="/shares/([A-Za-z0-9_-]+)"')


@dataclass(frozen=True)
class Clinician:
    email: str
    password: str


@dataclass(frozen=True)
class SharedStudy:
    orthanc_id: str
    uid: str  # StudyInstanceUID


@dataclass(frozen=True)
class MadeShare:
    public_id: str
    path: str  # /s/<secret>: the link, on any server
    access_code: str | None


def log_in(browser: Browser, server: Server, clinician: Clinician) -> requests.Response:
    return browser.submit(
        server, "/login", {"email": clinician.email, "password": clinician.password}
    )


def console(server: Server, clinician: Clinician) -> Browser:
    """A browser logged in to the console on `server`."""
    browser = Browser()
    answer = log_in(browser, server, clinician)
    assert answer.status_code == 302, (answer.status_code, answer.text[:800])
    return browser


def make_share(
    browser: Browser, server: Server, study_id: str, *, access_code: bool = False
) -> MadeShare:
    """Create a share through the console's form; the page shows its link once."""
    fields = {
        "study": study_id,
        "expires": "15",
        "challenge": "birthdate",
        "birth_date": BIRTH_DATE,
        "allow_download": "y",
        "language": "en",
    }
    if access_code:
        fields["access_code"] = "y"
    page = f"/shares/new?study={study_id}"
    form = browser.get(server, page)
    assert form.status_code == 200, form.text[:500]
    key = CREATION_KEY.search(form.text)
    assert key, "no creation key on the share form"
    fields.update(csrf_token=csrf_token(form.text), creation_key=key.group(1))
    created = browser.post(server, "/shares/new", page=page, data=fields)
    assert created.status_code == 200, created.text[:1000]
    link = html.unescape(LINK.search(created.text).group(1))
    code = ACCESS_CODE.search(created.text)
    return MadeShare(
        public_id=PUBLIC_ID.search(created.text).group(1),
        path=urlsplit(link).path,
        access_code=html.unescape(code.group(1)) if code else None,
    )


def revoke(browser: Browser, server: Server, share: MadeShare) -> requests.Response:
    return browser.submit(
        server,
        f"/shares/{share.public_id}",
        {"confirmed": "yes"},
        action=f"/shares/{share.public_id}/revoke",
    )


def answer_challenge(
    browser: Browser, server: Server, path: str, birth_date: str = BIRTH_DATE
) -> requests.Response:
    """Open the link (or the code's challenge page) and answer: 303 to /v/ when it opens."""
    return browser.submit(server, path, {"birth_date": birth_date})


def open_share(server: Server, share: MadeShare) -> Browser:
    """A recipient who has passed the challenge on `server`."""
    browser = Browser()
    answer = answer_challenge(browser, server, share.path)
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    assert answer.headers["Location"].endswith("/v/")
    return browser


def viewer_token(browser: Browser, server: Server) -> str:
    """The token of the OHIF link the recipient's page offers (minted by `server`)."""
    answer = browser.get(server, "/v/view/ohif/0", allow_redirects=False)
    assert answer.status_code == 303, (answer.status_code, answer.text[:500])
    (token,) = parse_qs(urlsplit(answer.headers["Location"]).query)["token"]
    return token
