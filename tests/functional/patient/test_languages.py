"""Patient pages speak the recipient's language: switcher, then the share's, then the browser's."""

import re
from datetime import date

import pytest
from babel.dates import format_date

from app.shares.models import ChallengeKind

# What each language must show; the English twin of each text must not appear.
WORDS = {
    "en": {
        "heading": "Images shared with you",
        "label": "Your date of birth",
        "hint": "DD/MM/YYYY",
        "until": "You can open them until {date}.",
        "wrong": "That did not match. Please check and try again.",
        "left": "4 attempts left.",
        "home": "Your images",
        "available": "Available until {date}.",
        "sign_out": "Sign out",
    },
    "fr": {
        "heading": "Images partagées avec vous",
        "label": "Votre date de naissance",
        "hint": "JJ/MM/AAAA",
        "until": "Vous pouvez les consulter jusqu’au {date}.",  # noqa: RUF001  (French typography)
        "wrong": "Votre réponse ne correspond pas. Veuillez vérifier et réessayer.",
        "left": "Il vous reste 4 essais.",
        "home": "Vos images",
        "available": "Disponibles jusqu’au {date}.",  # noqa: RUF001
        "sign_out": "Se déconnecter",
    },
    "de": {
        "heading": "Mit Ihnen geteilte Bilder",
        "label": "Ihr Geburtsdatum",
        "hint": "TT.MM.JJJJ",
        "until": "Sie können sie bis zum {date} öffnen.",
        "wrong": "Das hat leider nicht gepasst.",
        "left": "Sie haben noch 4 Versuche.",
        "home": "Ihre Bilder",
        "available": "Verfügbar bis zum {date}.",
        "sign_out": "Abmelden",
    },
}
MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
}
ENGLISH = {"accept-language": "en-GB,en;q=0.9"}


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([a-z]+)"', page)
    assert match, "no lang attribute on <html>"
    return match.group(1)


def long_date(moment, language: str) -> str:
    return format_date(moment, "long", locale=language)


@pytest.fixture
def share_in(make_share, demo_study):
    """A birth-date share of Jane Doe's study (born 29 Feb 1972), for a recipient's language."""

    def make(language: str, **options):
        return make_share(
            [demo_study("DEMO0004").orthanc_id],
            challenge=ChallengeKind.BIRTH_DATE,
            language=language,
            **options,
        )

    return make


@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_landing_page_speaks_the_shares_language(client, share_in, language):
    created = share_in(language)
    # The share's language wins over the browser's.
    page = client.get(f"/s/{created.secret}", headers=ENGLISH).text
    words = WORDS[language]
    assert html_lang(page) == language
    expiry = long_date(created.share.expires_at, language)
    assert any(month in expiry for month in MONTHS[language].split())
    for key in ("heading", "label", "hint"):
        assert words[key] in page
        assert WORDS["en"][key] not in page
    assert words["until"].format(date=expiry) in page
    # The link to the current language is not a link; the others are, in their own language.
    assert f'<span aria-current="true" lang="{language}">' in page
    assert 'href="?lang=en" lang="en"' in page


@pytest.mark.parametrize("language", ["fr", "de"])
def test_wrong_answer_and_home_speak_the_shares_language(client, share_in, language):
    created = share_in(language)
    words = WORDS[language]
    wrong = client.post(f"/s/{created.secret}", data={"birth_date": "01.01.1970"}, headers=ENGLISH)
    assert wrong.status_code == 400
    assert html_lang(wrong.text) == language
    assert words["wrong"] in wrong.text
    assert words["left"] in wrong.text

    right = client.post(f"/s/{created.secret}", data={"birth_date": "29.02.1972"})
    assert right.status_code == 303
    home = client.get("/v/", headers=ENGLISH).text
    assert html_lang(home) == language
    assert f"<h1>{words['home']}</h1>" in home
    assert words["available"].format(date=long_date(created.share.expires_at, language)) in home
    study_date = date.fromisoformat(created.share.studies[0].summary["date"])
    assert long_date(study_date, language) in home
    assert words["sign_out"] in home
    assert "Sign out" not in home


def test_the_switcher_wins_over_the_share_and_the_browser_and_sticks(client, share_in):
    created = share_in("fr")
    german = {"accept-language": "de-DE,de;q=0.9"}
    switched = client.get(f"/s/{created.secret}?lang=en", headers=german).text
    assert html_lang(switched) == "en"
    assert WORDS["en"]["heading"] in switched
    # The next page, without ?lang=, keeps the choice…
    again = client.get(f"/s/{created.secret}", headers=german).text
    assert html_lang(again) == "en"
    # …and so does the session that starts after the challenge.
    client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    home = client.get("/v/", headers=german).text
    assert html_lang(home) == "en"
    assert "<h1>Your images</h1>" in home
    # Switching again, on any patient page, also sticks.
    assert html_lang(client.get("/v/?lang=de").text) == "de"
    assert f"<h1>{WORDS['de']['home']}</h1>" in client.get("/v/").text


def test_an_unknown_language_is_ignored(client, share_in):
    created = share_in("de")
    page = client.get(f"/s/{created.secret}?lang=xx", headers=ENGLISH).text
    assert html_lang(page) == "de"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("de-CH,de;q=0.9,en;q=0.5", "de"),
        ("fr-FR,fr;q=0.9", "fr"),
        ("es-ES,es;q=0.9", "en"),  # not offered: English
        ("es-ES,es;q=0.9,fr;q=0.5", "fr"),
        (None, "en"),
    ],
)
def test_the_browsers_language_is_used_when_no_share_says(
    client, demo_studies, accept_language, expected
):
    headers = {"accept-language": accept_language} if accept_language else {}
    for path in ("/s/", "/code", "/s/AAAAAAAAAAAAAAAAAAAAAA"):
        page = client.get(path, headers=headers).text
        assert html_lang(page) == expected, path


def test_pages_without_a_share_are_translated(client, demo_studies):
    french = {"accept-language": "fr"}
    assert "Ouvrir des images partagées" in client.get("/s/", headers=french).text
    code = client.get("/code", headers=french).text
    assert "Saisissez votre code d’accès" in code  # noqa: RUF001
    assert '<label for="code">Code d’accès</label>' in code  # noqa: RUF001
    unknown = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA", headers=french)
    assert unknown.status_code == 404
    assert "Ce lien ne fonctionne pas" in unknown.text
    empty = client.post("/code", data={"code": ""}, headers={"accept-language": "de"})
    assert "Bitte geben Sie den Code ein, der auf Ihrem Blatt steht." in empty.text
    wrong = client.post("/code", data={"code": "ZZZZ-ZZZZ-ZZ"}, headers={"accept-language": "de"})
    assert "Dieser Code passt leider nicht." in wrong.text


def test_an_ended_share_is_explained_in_its_language(client, share_in):
    created = share_in("de", max_opens=1)
    client.post(f"/s/{created.secret}", data={"birth_date": "29.02.1972"})
    used_up = client.get(f"/s/{created.secret}", headers=ENGLISH)
    assert used_up.status_code == 410
    assert html_lang(used_up.text) == "de"
    assert "Dieser Link kann nicht mehr geöffnet werden" in used_up.text


def test_the_access_code_challenge_speaks_the_shares_language(client, share_in):
    created = share_in("fr", access_code=True)
    assert client.post("/code", data={"code": created.access_code}).status_code == 303
    page = client.get("/code/challenge", headers=ENGLISH).text
    assert html_lang(page) == "fr"
    assert WORDS["fr"]["label"] in page


def test_signing_out_says_goodbye_in_the_same_language(client, share_in):
    created = share_in("fr")
    client.post(f"/s/{created.secret}", data={"birth_date": "29/02/1972"})
    goodbye = client.post("/v/sign-out", headers=ENGLISH).text
    assert html_lang(goodbye) == "fr"
    assert "Votre session est fermée." in goodbye
    # Sign-out only answers POST: the language links lead to the start page instead.
    assert 'href="/s/?lang=en"' in goodbye


def test_a_too_long_answer_is_explained_at_its_field(client, share_in):
    created = share_in("fr")
    response = client.post(f"/s/{created.secret}", data={"birth_date": "1" * 41})
    assert response.status_code == 400
    page = response.text
    assert re.search(r'<p class="field-error" id="birth_date-error">[^<]*40[^<]*</p>', page)
    assert 'aria-describedby="birth_date-hint birth_date-error"' in page
    assert "Field cannot be longer" not in page  # WTForms' own message, translated


def test_the_cookie_error_page_is_translated(csrf_app, make_user, demo_studies):
    french = {"accept-language": "fr-FR,fr;q=0.9"}
    cookieless = csrf_app.test_client(use_cookies=False)
    refused = cookieless.post("/code", data={"code": "ABCD-EFGH-JK"}, headers=french)
    assert refused.status_code == 400
    assert html_lang(refused.text) == "fr"
    assert "Veuillez autoriser les cookies pour ce site" in refused.text
    assert "Demande non valide" in refused.text
    assert "Erreur 400" in refused.text


def test_the_console_stays_in_english(client):
    page = client.get("/login", headers={"accept-language": "fr"}).text
    assert html_lang(page) == "en"
    assert "Skip to content" in page


def test_http_errors_on_patient_pages_speak_the_chosen_language(client, demo_studies):
    client.get("/code?lang=de")
    missing = client.get("/v/nope", headers=ENGLISH)
    assert missing.status_code == 404
    assert "Diese Seite gibt es nicht. Bitte öffnen Sie Ihren Link erneut." in missing.text
    wrong_method = client.get("/v/sign-out", headers=ENGLISH)
    assert wrong_method.status_code == 405
    assert "Diese Seite kann so nicht geöffnet werden." in wrong_method.text
