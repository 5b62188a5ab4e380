"""The rule for input no database stores, and the bounded `<int:…>` converter."""

import pytest
from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Rule

from app.input_guard import MAX_ID, BoundedIntegerConverter, holds_unstorable_text


@pytest.mark.parametrize(
    "value",
    [
        "a\x00b",
        "\ud800",
        "x\udfff",
        ["ok", {"key": ["deep", "\x00"]}],
        {"\ud83d": "a key of its own"},
        ("name", "a\x00"),
    ],
)
def test_nul_and_lone_surrogates_are_found_anywhere(value):
    assert holds_unstorable_text(value)


@pytest.mark.parametrize(
    "value",
    ["", "plain", "Müller 😀 \u2028 \x01\x7f", ["a", {"b": [1, 2.5, None, True]}], 0, None],
)
def test_other_text_and_values_are_fine(value):
    assert not holds_unstorable_text(value)


def test_nesting_deeper_than_the_stack_is_walked():
    value: object = "\x00"
    for _ in range(100_000):
        value = [value]
    assert holds_unstorable_text(value)


@pytest.fixture
def adapter():
    rules = [Rule("/users/<int:user_id>", endpoint="user")]
    return Map(rules, converters={"int": BoundedIntegerConverter}).bind("localhost")


def test_ids_up_to_the_integer_column_match(adapter):
    assert adapter.match(f"/users/{MAX_ID}") == ("user", {"user_id": MAX_ID})
    assert adapter.match("/users/0") == ("user", {"user_id": 0})


@pytest.mark.parametrize(
    "number", [str(MAX_ID + 1), str(2**63), "99999999999999999999", "9" * 5000]
)
def test_larger_numbers_name_no_route(adapter, number):
    with pytest.raises(NotFound):
        adapter.match(f"/users/{number}")
