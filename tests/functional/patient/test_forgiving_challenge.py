"""A forgiving challenge: typed answers kept, errors summarised, the lock announced."""

import html
import re

import pytest

from app.shares.models import ChallengeKind

PHONE = "+41 21 555 01 23"


@pytest.fixture
def app_env(app_env):
    return {**app_env, "CLINIC_NAME": "Clinique du Lac", "CLINIC_PHONE": PHONE}


def answer(client, secret, **fields):
    return client.post(f"/s/{secret}", data=fields)


def typed_value(page: str, field: str) -> str | None:
    match = re.search(rf'<input id="{field}"[^>]*>', page)
    assert match, f"no {field} input"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return html.unescape(value.group(1)) if value else None


def test_an_unreadable_date_is_kept_and_summarised(client, doe_share):
    page = answer(client, doe_share.secret, birth_date="29/2/72<b>").text
    assert typed_value(page, "birth_date") == "29/2/72<b>"
    assert "29/2/72<b>" not in page  # kept escaped
    summary = re.search(r'<div class="[^"]*error-summary[^>]*>(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    assert 'tabindex="-1"' in summary.group(0)
    assert "data-error-summary" in summary.group(0)
    assert '<a href="#birth_date">Please enter your date of birth like this' in summary.group(1)
    assert re.search(r'src="/static/js/error-summary\.[0-9a-f]{12}\.js"', page)


def test_a_wrong_answer_keeps_the_birth_date_never_the_password(client, make_share, demo_study):
    both = make_share(
        [demo_study("DEMO0004").orthanc_id],
        challenge=ChallengeKind.BIRTH_DATE_AND_PASSWORD,
        password="open sesame",
    )
    page = answer(client, both.secret, birth_date="29/02/1972", password="wrong words").text
    assert "That did not match" in page
    assert typed_value(page, "birth_date") == "29/02/1972"
    assert typed_value(page, "password") is None
    assert "wrong words" not in page
    # The same when the date is what was wrong: which part failed is never revealed.
    page = answer(client, both.secret, birth_date="01/01/1970", password="open sesame").text
    assert typed_value(page, "birth_date") == "01/01/1970"
    assert "open sesame" not in page


def test_the_last_attempt_warns_of_the_lock_and_whom_to_call(client, doe_share):
    for _ in range(3):
        page = answer(client, doe_share.secret, birth_date="01/01/1970").text
        assert "will be locked" not in page
    last = answer(client, doe_share.secret, birth_date="01/01/1970").text
    assert "1 attempt left." in last
    assert (
        "If the next answer does not match either, this link will be locked to protect your "
        f"privacy. Then please contact Clinique du Lac, phone {PHONE}: they can unlock it."
    ) in html.unescape(last)


@pytest.mark.parametrize(
    ("language", "hint"),
    [
        ("en", "Day, month and year (DD/MM/YYYY), for example 31/03/1985"),
        ("fr", "Jour, mois et année (JJ/MM/AAAA), par exemple 31/03/1985"),
        ("de", "Tag, Monat und Jahr (TT.MM.JJJJ), zum Beispiel 31.03.1985"),
    ],
)
def test_the_date_hint_has_a_real_example_per_language(
    make_share, demo_study, client, language, hint
):
    share = make_share(
        [demo_study("DEMO0004").orthanc_id], challenge=ChallengeKind.BIRTH_DATE, language=language
    )
    assert hint in html.unescape(client.get(f"/s/{share.secret}").text)


@pytest.mark.parametrize(
    ("kind", "shown", "hidden"),
    [
        (ChallengeKind.BIRTH_DATE, ['id="birth_date"'], ['id="password"']),
        (ChallengeKind.PASSWORD, ['id="password"'], ['id="birth_date"']),
        (ChallengeKind.NONE, [], ['id="birth_date"', 'id="password"']),
    ],
)
def test_only_the_fields_the_challenge_asks_are_shown(
    client, make_share, demo_study, kind, shown, hidden
):
    password = "open sesame" if kind is ChallengeKind.PASSWORD else None
    share = make_share([demo_study("DEMO0004").orthanc_id], challenge=kind, password=password)
    for page in (
        client.get(f"/s/{share.secret}").text,
        answer(client, share.secret, birth_date="nonsense", password="").text,
    ):
        for field in shown:
            assert field in page
        for field in hidden:
            assert field not in page
