"""Every console and recipient page, on a phone and on a desktop, checked by axe-core.

No serious or critical violation may remain. With UPDATE_SCREENSHOTS=1 the same walk saves
a screenshot of every page into docs/screenshots/ for the user guide (console pages from the
desktop walk, recipient pages from the phone walk); otherwise the docs are left alone.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from app.shares.models import ChallengeKind
from app.users.models import Role
from tests.e2e.conftest import arrive, log_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe-core" / "axe.min.js"
DOCS_SCREENSHOTS = ROOT / "docs" / "screenshots"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1366, "height": 900}
ADMIN = "walk-admin@example.org"
# Pages the user guide already shows keep their names.
GUIDE_NAMES = {
    "console-search": "console-search-desktop",
    "console-study": "console-study-desktop",
    "console-share-form": "share-form",
    "console-share-created": "share-created",
    "patient-landing": "patient-phone-en-1-landing",
    "patient-home": "patient-phone-en-3-home",
}
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" "))}`);
}"""


@pytest.fixture(autouse=True)
def csrf_on(app):
    """The real posture: the browser's session cookie carries the CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True


class Walk:
    """Checks each page it is shown with axe; keeps the violations and, if asked, a picture."""

    def __init__(self, viewport: dict[str, int], screenshots: str | None) -> None:
        self.viewport = viewport
        self.screenshots = screenshots  # "console" or "patient": the pages to picture here
        self.violations: dict[str, list[str]] = {}
        self.names: list[str] = []

    def check(self, page, name: str) -> None:
        page.wait_for_load_state("load")
        page.add_script_tag(path=AXE)
        found = page.evaluate(AXE_RUN)
        if found:
            self.violations[f"{name} at {self.viewport['width']} px"] = found
        self.names.append(name)
        if self.screenshots and name.startswith(self.screenshots):
            save_small_png(page.screenshot(full_page=True), GUIDE_NAMES.get(name, name))


def save_small_png(png: bytes, name: str) -> None:
    # A 256-colour palette: the repository carries these (tests/unit/test_docs.py's budget).
    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=256)
    image.save(DOCS_SCREENSHOTS / f"{name}.png", optimize=True)


def walk_console(browser, live_server: str, walk: Walk, study_id: str) -> None:
    context = browser.new_context(viewport=walk.viewport, locale="en-GB", bypass_csp=True)
    page = context.new_page()

    def visit(path: str, name: str) -> None:
        response = page.goto(f"{live_server}{path}")
        assert response.status in (200, 404), (path, response.status)
        walk.check(page, name)

    visit("/login", "console-login")
    log_in(page, live_server, ADMIN)
    walk.check(page, "console-search")
    visit("/?patient_name=doe", "console-search-results")
    visit(f"/studies/{study_id}", "console-study")
    visit(f"/shares/new?study={study_id}", "console-share-form")
    page.get_by_label("Birth date and password").check()
    page.get_by_label("Send the link to (optional)").fill("jane.doe@example.org")
    page.get_by_role("button", name="Create share").click()
    page.wait_for_selector("text=The share is ready")
    walk.check(page, "console-share-created")
    page.get_by_role("link", name="Done").click()
    page.wait_for_selector("text=Audit trail")
    walk.check(page, "console-share-detail")
    detail = page.url
    page.get_by_role("button", name="Resend with a new link").click()
    page.wait_for_selector("text=Make a new link for share")
    walk.check(page, "console-share-confirm-new-link")
    page.goto(detail)
    page.get_by_role("button", name="Revoke now").click()
    page.wait_for_selector("text=This cannot be undone")
    walk.check(page, "console-share-confirm-revoke")
    visit(detail.removeprefix(live_server) + "/edit", "console-share-edit")
    visit("/shares", "console-share-list")
    visit("/admin/audit", "console-audit-log")
    visit("/admin/users", "console-users")
    page.get_by_role("link", name=ADMIN).first.click()
    walk.check(page, "console-user-detail")
    visit("/admin/users/new", "console-user-new")
    visit("/admin/api-keys", "console-api-keys")
    visit("/account/password", "console-password")
    visit("/studies/00000000-00000000-00000000-00000000-00000000", "console-not-found")
    context.close()


def walk_recipient(browser, live_server: str, walk: Walk, make: Callable) -> None:
    context = browser.new_context(viewport=walk.viewport, locale="en-GB", bypass_csp=True)
    page = context.new_page()
    with_code = make(access_code=True)
    page.goto(f"{live_server}/code")
    walk.check(page, "patient-code")
    page.get_by_label("Access code").fill(with_code.access_code)
    page.get_by_role("button", name="Continue").click()
    arrive(page, re.compile(r"/code/challenge$"))
    walk.check(page, "patient-code-challenge")

    created = make()
    page.goto(f"{live_server}/s/{created.secret}")
    walk.check(page, "patient-landing")
    answer = page.get_by_label("Your date of birth")
    answer.fill("01/01/1970")
    with page.expect_navigation():
        page.get_by_role("button", name="View my images").click()
    walk.check(page, "patient-wrong-answer")
    page.get_by_label("Your date of birth").fill("29/02/1972")
    page.get_by_role("button", name="View my images").click()
    arrive(page, f"{live_server}/v/")
    walk.check(page, "patient-home")
    page.goto(f"{live_server}/v/studies/0")
    walk.check(page, "patient-viewer")
    page.goto(f"{live_server}/s/{'x' * 22}")
    walk.check(page, "patient-unavailable")
    context.close()


@pytest.mark.parametrize(
    ("viewport", "pictured"), [(PHONE, "patient"), (DESKTOP, "console")], ids=["360", "1366"]
)
def test_every_page_passes_axe(
    browser, live_server, make_user, make_share, demo_study, viewport, pictured
):
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (scripts/install-axe.sh).")
    make_user(ADMIN, role=Role.ADMIN, name="Walk Admin")
    jane = demo_study("DEMO0004").orthanc_id  # Jane Doe, born 29 February 1972

    def make(**options):
        return make_share([jane], challenge=ChallengeKind.BIRTH_DATE, language="en", **options)

    walk = Walk(viewport, pictured if os.environ.get("UPDATE_SCREENSHOTS") == "1" else None)
    walk_console(browser, live_server, walk, jane)
    walk_recipient(browser, live_server, walk, make)
    assert len(walk.names) == 25
    assert walk.violations == {}


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_buttons_keep_whole_words_at_200_percent_zoom(browser, live_server, language):
    # A 360 px phone zoomed to 200 % lays the page out in 180 CSS pixels.
    context = browser.new_context(viewport={"width": 180, "height": 370}, device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{live_server}/code?lang={language}")
    button = page.locator("button[type=submit]")
    lines = (
        "(b) => { const r = document.createRange(); r.selectNodeContents(b); "
        "return r.getClientRects().length; }"
    )
    assert button.evaluate(lines) == 1, button.inner_text()
    context.close()
