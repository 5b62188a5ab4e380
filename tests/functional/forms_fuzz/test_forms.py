"""Hostile values in every form, posted with a valid CSRF token: never a 500, always a page.

Each case reads its form off the real page (so a form that moved or lost its token fails),
then posts hypothesis' values in it: NUL, lone surrogates, huge and odd numbers, odd dates,
overlong text, wrong types, fields missing or given twice, and fields the form does not
have. The GET forms (study search, audit and share filters, the language choice) get the
same values in their query.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.fuzz import form_pairs, hostile_text, query_string, url_quoted, weighted
from tests.functional.forms_fuzz.cases import POST_CASES
from tests.functional.forms_fuzz.form_case import FormCase
from tests.functional.forms_fuzz.get_cases import GET_CASES
from tests.functional.forms_fuzz.pages import assert_answer, csrf_token, post_form
from tests.functional.forms_fuzz.world import World

PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The console's and the recipient's words for a refused CSRF token (app/errors.py).
CSRF_REFUSALS = ("This form has expired", "This page has expired")


def fuzz(case: FormCase) -> settings:
    return settings(
        max_examples=case.examples, deadline=None, suppress_health_check=list(HealthCheck)
    )


def filled(template: str, world: World) -> str:
    return PLACEHOLDER.sub(lambda m: world.values(m.group(1))[0], template)


def paths(template: str, world: World) -> st.SearchStrategy[str]:
    """The action with real values in its {names}, or now and then a hostile one."""
    names = PLACEHOLDER.findall(template)
    if not names:
        return st.just(template)
    parts = {
        name: weighted(st.sampled_from(world.values(name)), hostile_text.map(url_quoted), 3 / 4)
        for name in names
    }
    return st.fixed_dictionaries(parts).map(
        lambda drawn: PLACEHOLDER.sub(lambda m: drawn[m.group(1)], template)
    )


def form_page(world: World, case: FormCase):
    """A visitor in the right state, and the CSRF token of the case's form on its page."""
    client = world.visitor(case.visitor)
    action = filled(case.action, world)
    page = world.created_page if case.page == "created" else client.get(filled(case.page, world))
    return client, csrf_token(page, action)


@pytest.mark.parametrize("case", POST_CASES, ids=lambda case: case.endpoint)
def test_post_form_answers_with_a_page(world, case):
    world.prepare(case.state)
    client, token = form_page(world, case)

    @fuzz(case)
    @given(pairs=form_pairs(case.fields(world)), path=paths(case.action, world))
    def post(pairs, path):
        visitor, csrf = form_page(world, case) if case.fresh else (client, token)
        response = post_form(visitor, path, pairs, csrf)
        assert_answer(response, case.expected())
        if response.mimetype == "text/html":
            assert not any(refusal in response.text for refusal in CSRF_REFUSALS), "CSRF refused"

    post()


@pytest.mark.parametrize("case", GET_CASES, ids=lambda case: case.endpoint)
def test_get_form_answers_with_a_page(world, case):
    client = world.visitor(case.visitor)
    assert client.get(case.page).status_code == 200

    @fuzz(case)
    @given(pairs=form_pairs(case.fields(world)))
    def search(pairs):
        response = client.get(f"{case.page}?{query_string(pairs)}")
        assert_answer(response, case.expected())

    search()
