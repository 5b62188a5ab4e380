"""A live StudyShare server and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from werkzeug.serving import make_server

from tests.fixtures.app import PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
def live_server(app) -> Iterator[str]:
    """The test app served over real HTTP on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make setup` (Debian package chromium).")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def arrive(page: Page, url: str | re.Pattern[str]) -> None:
    """Wait until the page is at `url` and loaded. The URL is asked of the browser, not
    learnt from Playwright's navigation event, which never comes for an address a page's
    script changes with `history.replaceState`."""
    expect(page).to_have_url(url)
    page.wait_for_load_state()


def open_share(page: Page, live_server: str, secret: str) -> None:
    """Open a challenge-free share's link as its recipient and arrive at their home."""
    page.goto(f"{live_server}/s/{secret}")
    page.get_by_role("button", name="View my images").click()
    arrive(page, f"{live_server}/v/")


def log_in(page, live_server: str, email: str = "doctor@example.org") -> None:
    """Fill the console's login form as a person would and wait for the home page."""
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    arrive(page, f"{live_server}/")
