"""Static files under fingerprinted names: cached for good, renamed when they change
(app/static_files.py)."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from flask import url_for

from app.security_headers import CONTENT_SECURITY_POLICY
from tests.fixtures.app import PASSWORD

FINGERPRINTED_CSS = re.compile(r'href="(/static/css/app\.([0-9a-f]{12})\.css)"')


def static_url(app, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def test_pages_name_static_files_by_their_content(app, client):
    page = client.get("/s/").text
    url, digest = FINGERPRINTED_CSS.search(page).groups()
    css = Path(app.static_folder, "css/app.css").read_bytes()
    assert digest == hashlib.sha256(css).hexdigest()[:12]
    assert static_url(app, "js/viewer.js").startswith("/static/js/viewer.")
    assert re.search(r'<link rel="icon" href="/static/favicon\.[0-9a-f]{12}\.svg"', page)

    with client.get(url) as answer:
        assert answer.status_code == 200
        assert answer.data == css
        assert answer.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert answer.mimetype == "text/css"
        # The policy of every other answer, unchanged.
        assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_the_plain_name_and_a_stale_digest_are_served_but_revalidated(client):
    for path in ("/static/css/app.css", "/static/css/app.0123456789ab.css"):
        with client.get(path) as answer:
            assert answer.status_code == 200
            assert answer.headers["Cache-Control"] == "no-cache"
            assert answer.headers["ETag"]


def test_an_unknown_file_is_not_found(app, client):
    assert static_url(app, "css/missing.css") == "/static/css/missing.css"
    for path in ("/static/css/missing.css", "/static/css/missing.0123456789ab.css"):
        with client.get(path) as answer:
            assert answer.status_code == 404
    with client.get("/static/..%2fconfig.py") as answer:
        assert answer.status_code == 404


def test_names_are_looked_at_once_per_process(app, tmp_path):
    """An installed app's files change only with a release, which restarts the server."""
    app.static_folder = str(tmp_path)
    asset = tmp_path / "fixed.js"
    asset.write_text("let a = 1;\n")
    before = static_url(app, "fixed.js")
    asset.write_text("let a = 22;\n")
    assert static_url(app, "fixed.js") == before


def test_an_edited_file_gets_a_new_name_in_debug_mode(app, client, tmp_path):
    app.debug = True
    app.static_folder = str(tmp_path)
    asset = tmp_path / "site.js"
    asset.write_text("let a = 1;\n")
    before = static_url(app, "site.js")
    asset.write_text("let a = 22;\n")
    after = static_url(app, "site.js")
    assert before != after
    assert re.fullmatch(r"/static/site\.[0-9a-f]{12}\.js", after)
    with client.get(before) as stale:  # a page from before the edit still gets a script
        assert stale.data == b"let a = 22;\n"
        assert "immutable" not in stale.headers["Cache-Control"]
    with client.get(after) as fresh:
        assert "immutable" in fresh.headers["Cache-Control"]


def test_static_files_do_not_vary_with_the_cookie(client, make_user):
    """A browser keeps a file under `Vary: Cookie` only until its cookie changes (every
    challenge and login does), so static answers neither send it nor set a cookie."""
    make_user("doctor@example.org")
    login = client.post("/login", data={"email": "doctor@example.org", "password": PASSWORD})
    assert login.status_code == 302
    page = client.get("/")
    assert "Cookie" in page.headers.get("Vary", "")
    with client.get("/static/css/app.css") as answer:
        assert answer.status_code == 200
        assert "Cookie" not in answer.headers.get("Vary", "")
        assert "Set-Cookie" not in answer.headers
