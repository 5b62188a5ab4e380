"""Page cursors: what a link carries is exactly the row it names, and nothing else parses."""

from datetime import UTC, datetime

import pytest

from app.shares.keyset import Cursor


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1970, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 2, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(2099, 6, 30, 0, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_a_cursor_survives_its_link(moment):
    cursor = Cursor(moment, 12345)
    assert Cursor.parse(str(cursor)) == cursor


@pytest.mark.parametrize("text", ["", None, "12", "1.2.3", "-1.5", "1.-5", "a.1", "1e5.1", "1 .1"])
def test_anything_else_is_no_cursor(text):
    assert Cursor.parse(text) is None
