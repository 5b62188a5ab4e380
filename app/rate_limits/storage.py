"""The shared counter storage (RATELIMIT_STORAGE_URI), its in-memory fallback, and reports.

When the storage does not answer, Flask-Limiter (RATELIMIT_IN_MEMORY_FALLBACK_ENABLED, set in
config) goes on limiting in this process's memory and retries the storage now and then. The
limits then hold per instance only: operators are told once in the log and by /readyz.
Why /readyz stays "ok": limiting still works, only less strictly, and taking every instance
out of the load balancer because Redis is down would turn a weaker limit into an outage.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app

from app.extensions import limiter

log = logging.getLogger(__name__)

_STATE = "studyshare.rate_limit_storage"
UNREACHABLE = (
    "The rate-limit storage (RATELIMIT_STORAGE_URI) does not answer: limits are counted in "
    "each instance's memory until it answers again, so each instance allows them in full."
)


def configure(app: Flask) -> None:
    """Storage options Flask-Limiter reads at init."""
    if app.config.get("RATELIMIT_STORAGE_URI", "").startswith("redis"):
        # Without timeouts a Redis that vanished from the network would hold every request
        # for the system's TCP timeout before the fallback takes over.
        app.config.setdefault(
            "RATELIMIT_STORAGE_OPTIONS", {"socket_connect_timeout": 1, "socket_timeout": 1}
        )


def init_app(app: Flask) -> None:
    # Flask-Limiter keeps "the storage is dead" on the Limiter object, which outlives an app
    # (tests build many): a storage just configured is not known to be dead.
    limiter._storage_dead = False
    app.extensions[_STATE] = {"reported": False, "fallback": False}
    app.teardown_request(_report_a_change)


def counting_in_memory_fallback() -> bool:
    """Flask-Limiter has given up on the storage for now and counts in memory."""
    return limiter.enabled and limiter.limiter.storage is not limiter.storage


def _report(unreachable: bool) -> None:
    state = current_app.extensions[_STATE]
    if unreachable and not state["reported"]:
        log.warning("Rate limits: %s", UNREACHABLE)
    elif not unreachable and state["reported"]:
        log.warning("Rate limits: the storage answers again; limits are shared again.")
    state["reported"] = unreachable


def _report_a_change(_exc: BaseException | None) -> None:
    # Only Flask-Limiter's own switches: a request that counts nothing does not test Redis.
    state = current_app.extensions[_STATE]
    fallback = counting_in_memory_fallback()
    if fallback != state["fallback"]:
        state["fallback"] = fallback
        _report(fallback)


def storage_check() -> dict[str, object]:
    """For /readyz: whether the limits are shared by every instance. Never "not ok"."""
    if not limiter.enabled:
        return {"ok": True, "counting": "off (RATELIMIT_ENABLED)"}
    if current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory"):
        return {"ok": True, "counting": "per process (memory://)"}
    unreachable = counting_in_memory_fallback() or not limiter.storage.check()
    _report(unreachable)
    if unreachable:
        return {"ok": True, "counting": "per instance", "warning": UNREACHABLE}
    return {"ok": True, "counting": "shared"}
