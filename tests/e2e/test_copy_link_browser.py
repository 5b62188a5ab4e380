""" "Copy link" under the real Content-Security-Policy, and the page without JavaScript."""

import pytest

from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True


def make_a_share(page, live_server, study_id):
    page.goto(f"{live_server}/shares/new?study={study_id}")
    page.get_by_label("Nothing (the link alone opens the share)").check()
    page.get_by_role("button", name="Create share").click()
    page.wait_for_selector("text=The share is ready")


def test_copy_link_copies_the_link(browser, live_server, make_user, demo_study):
    make_user()
    context = browser.new_context(locale="en-GB")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server)
    make_a_share(page, live_server, demo_study("DEMO0002").orthanc_id)
    link = page.locator("a.share-link").inner_text()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Copied.").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert errors == []  # no CSP refusal: the script is a file of ours
    page.get_by_role("link", name="Done").click()
    page.wait_for_selector("text=Audit trail")
    context.close()


def test_without_javascript_the_link_waits_in_a_field(browser, live_server, make_user, demo_study):
    make_user()
    context = browser.new_context(locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server)
    make_a_share(page, live_server, demo_study("DEMO0002").orthanc_id)
    field = page.get_by_label("The link, to copy")
    assert field.input_value() == page.locator("a.share-link").inner_text()
    assert field.get_attribute("readonly") is not None
    assert not page.get_by_role("button", name="Copy link").is_visible()
    # The confirmation is a page of its own: no script needed either.
    page.get_by_role("link", name="Done").click()
    page.get_by_role("button", name="Revoke now").click()
    page.get_by_role("button", name="Revoke now").click()
    page.wait_for_selector("text=The share is revoked")
    context.close()
