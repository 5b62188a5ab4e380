"""Reading forms off real pages, posting hostile values in them, judging the answers."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.fixtures.fuzz import query_string

FORM_TYPE = "application/x-www-form-urlencoded"
# What the page shows when it refuses: a field's error, a message box, or the error page.
MESSAGES = ('class="field-error"', 'class="message message-error"', 'class="error-page"')
# The recipient's "link not available" page (expired, revoked, locked, unknown): what
# happened, then whom to contact.
UNAVAILABLE = '<address class="clinic-contact">'


class _Forms(HTMLParser):
    """Each <form>'s method, action and csrf_token, in page order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "form":
            self.forms.append({**named, "csrf_token": None})
        elif tag == "input" and named.get("name") == "csrf_token" and self.forms:
            self.forms[-1]["csrf_token"] = named.get("value")


def csrf_token(page: TestResponse, action: str) -> str:
    """The CSRF token of the page's POST form to `action`; fails when the page has no such form."""
    assert page.status_code == 200, (page.request.path, page.status_code)
    parser = _Forms()
    parser.feed(page.text)
    for form in parser.forms:
        # A form without an action posts to its own page.
        target = form.get("action") or page.request.path
        if (form.get("method") or "").lower() == "post" and target == action:
            assert form["csrf_token"], f"the form to {action} has no CSRF token"
            return form["csrf_token"]
    raise AssertionError(f"{page.request.path} has no POST form to {action}")


def post_form(client: FlaskClient, path: str, pairs: list[tuple[str, str]], token: str):
    """Post the pairs as a browser would, percent-encoded by hand (lone surrogates included)."""
    body = query_string([("csrf_token", token), *pairs])
    return client.post(path, data=body.encode("ascii"), content_type=FORM_TYPE)


def assert_answer(response: TestResponse, statuses: frozenset[int]) -> None:
    """Never a 500; an expected status; a page that tells the person what happened."""
    status = response.status_code
    where = (response.request.method, response.request.path, status)
    assert status != 500, (*where, response.text[:2000])
    assert status in statuses, where
    if 300 <= status < 400:
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost"), where  # never off the site
        assert location.path.startswith("/"), where
        return
    if response.mimetype != "text/html":
        assert status == 200, where  # a QR code, a CSV export
        return
    text = response.text
    assert "<h1" in text, where
    if status >= 400:
        assert any(marker in text for marker in MESSAGES) or UNAVAILABLE in text, where
