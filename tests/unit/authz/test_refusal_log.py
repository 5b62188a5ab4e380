"""RefusalLog: refused plugin calls are said once per window, with their count."""

import logging

from app.authz.plugin_auth import RefusalLog


def messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "app.authz.plugin_auth"]


def test_the_first_refusal_is_said_and_the_rest_of_its_window_counted(caplog, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr("app.authz.plugin_auth.time.monotonic", lambda: clock[0])
    refusals = RefusalLog(every=60)
    with caplog.at_level(logging.WARNING):
        for _ in range(5):
            refusals.refused()
        assert len(messages(caplog)) == 1
        assert "of 1 call(s)" in messages(caplog)[0]
        clock[0] += 61
        refusals.refused()
    assert len(messages(caplog)) == 2
    assert "of 5 call(s)" in messages(caplog)[1]  # the four held back and this one
