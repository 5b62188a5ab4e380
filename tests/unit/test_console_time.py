"""Console times: the clinic's time zone, checked at start, with UTC kept on hover."""

from datetime import UTC, datetime

import pytest
from flask_babel import format_date

from app import create_app
from app.console_time import clinic_time_text, console_time
from config import ConfigError, TestConfig

SUMMER = datetime(2025, 7, 1, 12, 30, tzinfo=UTC)
WINTER = datetime(2025, 1, 15, 23, 30, tzinfo=UTC)


def app_in(zone: str | None):
    env = {"DATABASE_URL": "sqlite://"}
    if zone is not None:
        env["CLINIC_TIMEZONE"] = zone
    return create_app(TestConfig(env))


def test_times_are_shown_in_the_clinic_time_zone_with_utc_on_hover():
    with app_in("Europe/Berlin").app_context():
        assert clinic_time_text(SUMMER) == "2025-07-01 14:30 CEST"
        # Across midnight and without daylight saving time.
        assert clinic_time_text(WINTER) == "2025-01-16 00:30 CET"
        assert str(console_time(SUMMER)) == (
            '<time datetime="2025-07-01T12:30:00+00:00" title="2025-07-01 12:30 UTC">'
            "2025-07-01 14:30 CEST</time>"
        )


def test_utc_is_the_default_and_a_missing_time_shows_its_placeholder():
    with app_in(None).app_context():
        assert clinic_time_text(SUMMER) == "2025-07-01 12:30 UTC"
        assert str(console_time(None, "Never <b>")) == "Never &lt;b&gt;"


def test_templates_use_the_one_filter():
    app = app_in("America/New_York")
    with app.app_context():
        page = app.jinja_env.from_string(
            '{% from "components/time.html" import utc %}{{ utc(moment) }}'
        ).render(moment=SUMMER)
    assert ">2025-07-01 08:30 EDT</time>" in page


def test_patient_dates_fall_on_the_clinic_calendar():
    with app_in("Europe/Berlin").test_request_context("/s/x"):
        assert format_date(WINTER, "yyyy-MM-dd") == "2025-01-16"


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "CEST+2"])
def test_an_unknown_time_zone_stops_the_start_and_is_named(zone):
    with pytest.raises(ConfigError, match="CLINIC_TIMEZONE must be an IANA time zone name"):
        TestConfig({"CLINIC_TIMEZONE": zone})
