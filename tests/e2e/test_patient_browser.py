"""A recipient opens a share in a real browser: phone first, three languages, and without JS."""

import pytest

from app.shares.models import ChallengeKind
from tests.e2e.conftest import arrive

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
MIN_TAP = 44  # CSS pixels: the smallest comfortable tap target

# Jane Doe (DEMO0004) is born on 29 February 1972; each recipient types it their own way.
PEOPLE = {
    "en": {
        "locale": "en-GB",
        "right": "29/02/1972",
        "wrong": "01/01/1970",
        "landing": "Images shared with you",
        "label": "Your date of birth",
        "submit": "View my images",
        "error": "That did not match. Please check and try again.",
        "home": "Your images",
    },
    "fr": {
        "locale": "fr-FR",
        "right": "29/02/1972",
        "wrong": "01/01/1970",
        "landing": "Images partagées avec vous",
        "label": "Votre date de naissance",
        "submit": "Voir mes images",
        "error": "Votre réponse ne correspond pas. Veuillez vérifier et réessayer.",
        "home": "Vos images",
    },
    "de": {
        "locale": "de-DE",
        "right": "29.02.1972",
        "wrong": "01.01.1970",
        "landing": "Mit Ihnen geteilte Bilder",
        "label": "Ihr Geburtsdatum",
        "submit": "Meine Bilder ansehen",
        "error": "Das hat leider nicht gepasst. Bitte prüfen Sie Ihre Eingabe",
        "home": "Ihre Bilder",
    },
}

# Every control a thumb has to hit on the patient pages.
SMALL_TARGETS = """(minimum) => [...document.querySelectorAll(
    "button, .button, input:not([type=hidden]), .languages a, .languages [aria-current]"
  )].map(e => [e, e.getBoundingClientRect().height])
   .filter(([e, height]) => height < minimum)
   .map(([e, height]) => `${e.tagName} "${e.textContent.trim() || e.name}" ${height}px`)"""


@pytest.fixture
def app_env(app_env):
    # External viewers configured, so the home page shows all of its buttons.
    return {**app_env, "PUBLIC_ORTHANC_ROOT": "https://pacs.example.org/orthanc"}


@pytest.fixture(autouse=True)
def csrf_on(app):
    """The real posture: the browser's session cookie carries the CSRF token."""
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def doe_share(make_share, demo_study):
    def make(language: str, **options):
        options.setdefault("challenge", ChallengeKind.BIRTH_DATE)
        return make_share([demo_study("DEMO0004").orthanc_id], language=language, **options)

    return make


def open_page(browser, viewport, locale, **options):
    context = browser.new_context(viewport=viewport, locale=locale, **options)
    page = context.new_page()
    page.console_errors = []
    page.refused_pages = set()
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m))
    page.on("pageerror", lambda error: page.console_errors.append(error))

    def note_refused_page(response):
        if response.request.resource_type == "document" and response.status >= 400:
            page.refused_pages.add(response.url)

    page.on("response", note_refused_page)
    return context, page


def problems(page) -> list[str]:
    """Console errors, except Chromium's note that a page came with the 400 the test wanted."""
    return [
        str(getattr(error, "text", error))
        for error in page.console_errors
        if not (
            getattr(error, "text", "").startswith("Failed to load resource")
            and error.location.get("url") in page.refused_pages
        )
    ]


def check_layout(page, shot):
    """Readable on this screen: no sideways scrolling, big enough targets; then a screenshot."""
    page.screenshot(path=shot, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), shot.name
    assert page.evaluate(SMALL_TARGETS, MIN_TAP) == [], shot.name


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.mark.parametrize(
    ("viewport", "language"),
    [("phone", "en"), ("phone", "fr"), ("phone", "de"), ("desktop", "fr")],
)
def test_open_the_link_answer_and_see_the_images(
    browser, live_server, doe_share, screenshot_dir, viewport, language
):
    person = PEOPLE[language]
    created = doe_share(language)
    context, page = open_page(browser, PHONE if viewport == "phone" else DESKTOP, person["locale"])
    name = f"patient-{viewport}-{language}"

    page.goto(f"{live_server}/s/{created.secret}")
    assert page.locator("html").get_attribute("lang") == language
    assert heading(page) == person["landing"]
    check_layout(page, screenshot_dir / f"{name}-1-landing.png")

    answer = page.get_by_label(person["label"])
    answer.press_sequentially(person["wrong"])
    with page.expect_navigation():
        page.get_by_role("button", name=person["submit"]).click()
    alert = page.get_by_role("alert")
    assert person["error"] in alert.inner_text()
    assert "4" in alert.inner_text()  # attempts left
    assert answer.get_attribute("aria-invalid") == "true"
    assert "challenge-error" in answer.get_attribute("aria-describedby")
    # Focus starts at the error summary; what was typed is still there to correct.
    assert page.evaluate("document.activeElement.id") == "challenge-error"
    assert answer.input_value() == person["wrong"]
    check_layout(page, screenshot_dir / f"{name}-2-wrong-answer.png")

    answer.fill(person["right"])
    page.get_by_role("button", name=person["submit"]).click()
    arrive(page, f"{live_server}/v/")
    assert page.locator("html").get_attribute("lang") == language
    assert heading(page) == person["home"]
    assert page.locator(".study-list .button").count() >= 3  # two viewers and the download
    assert created.secret not in page.url
    check_layout(page, screenshot_dir / f"{name}-3-home.png")
    assert problems(page) == []
    context.close()


def test_the_keyboard_reaches_everything_in_reading_order(
    browser, live_server, doe_share, screenshot_dir
):
    created = doe_share(
        "en", challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD, password="open sesame"
    )
    context, page = open_page(browser, PHONE, "en-GB")
    page.goto(f"{live_server}/s/{created.secret}")
    order = []
    for _ in range(6):
        page.keyboard.press("Tab")
        order.append(page.evaluate("(e => e.id || e.textContent.trim())(document.activeElement)"))
    page.screenshot(path=screenshot_dir / "patient-phone-en-keyboard-focus.png")
    assert order == [
        "Skip to content",
        "Français",
        "Deutsch",
        "birth_date",
        "password",
        "View my images",
    ]
    assert page.evaluate("document.activeElement.className") == "button primary wide"
    context.close()


def test_access_code_then_challenge_on_a_phone(browser, live_server, doe_share, screenshot_dir):
    created = doe_share("de", access_code=True)
    context, page = open_page(browser, PHONE, "de-DE")

    page.goto(f"{live_server}/s/")
    assert page.locator("html").get_attribute("lang") == "de"
    check_layout(page, screenshot_dir / "patient-code-1-start.png")
    page.get_by_role("link", name="Ich habe einen Zugangscode").click()
    arrive(page, f"{live_server}/code")

    code = page.get_by_label("Zugangscode")
    code.press_sequentially("ZZZZ ZZZZ ZZ")
    with page.expect_navigation():
        page.get_by_role("button", name="Weiter").click()
    assert "Dieser Code passt leider nicht" in page.get_by_role("alert").inner_text()
    assert code.get_attribute("aria-describedby") == "code-error"
    check_layout(page, screenshot_dir / "patient-code-2-wrong-code.png")

    # As read off the handout: lower case, with spaces instead of dashes.
    code.fill("")
    code.press_sequentially(created.access_code.lower().replace("-", " "))
    page.get_by_role("button", name="Weiter").click()
    arrive(page, f"{live_server}/code/challenge")
    assert heading(page) == PEOPLE["de"]["landing"]
    check_layout(page, screenshot_dir / "patient-code-3-challenge.png")

    page.get_by_label(PEOPLE["de"]["label"]).press_sequentially("29.02.1972")
    page.get_by_role("button", name=PEOPLE["de"]["submit"]).click()
    arrive(page, f"{live_server}/v/")
    assert heading(page) == PEOPLE["de"]["home"]
    check_layout(page, screenshot_dir / "patient-code-4-home.png")
    assert problems(page) == []
    context.close()


def test_everything_works_without_javascript(browser, live_server, doe_share, screenshot_dir):
    linked = doe_share("en")
    coded = doe_share("en", access_code=True)
    context, page = open_page(browser, PHONE, "en-GB", java_script_enabled=False)

    page.goto(f"{live_server}/s/{linked.secret}")
    page.get_by_label("Your date of birth").fill("31/12/1999")
    page.get_by_role("button", name="View my images").click()
    page.wait_for_load_state()
    assert "That did not match" in page.get_by_role("alert").inner_text()
    page.get_by_label("Your date of birth").fill("29/02/1972")
    page.get_by_role("button", name="View my images").click()
    arrive(page, f"{live_server}/v/")
    assert heading(page) == "Your images"
    page.screenshot(path=screenshot_dir / "patient-nojs-home.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()
    assert heading(page) == "You are signed out."

    page.goto(f"{live_server}/code")
    page.get_by_label("Access code").fill(coded.access_code)
    page.get_by_role("button", name="Continue").click()
    arrive(page, f"{live_server}/code/challenge")
    page.get_by_label("Your date of birth").fill("29/02/1972")
    page.get_by_role("button", name="View my images").click()
    arrive(page, f"{live_server}/v/")
    assert heading(page) == "Your images"
    assert problems(page) == []
    context.close()
