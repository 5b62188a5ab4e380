"""The limits on access codes and challenge answers, and the warning about a code campaign.

Why no limit for everyone together: it would let a few addresses close code entry for every
recipient. Codes are limited per address and per network (IPv4 /24, IPv6 /64) instead; the
failed codes of all clients together are only counted, in the limiter's storage (so every
instance adds to one count), and above CODE_CAMPAIGN_WARNING operators are warned in the log
and in /readyz while the door stays open.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from functools import lru_cache

from flask import Response, after_this_request, current_app, request
from limits import RateLimitItem, parse_many

from app.extensions import limiter
from app.rate_limits import setting
from app.rate_limits.addresses import client_address, client_network

log = logging.getLogger(__name__)

CAMPAIGN_KEY = "code-campaign"
_WARNED_KEY = "code-campaign-warned"

challenge_limit = limiter.limit(
    setting("CHALLENGE_LIMIT_PER_IP"),
    key_func=lambda: f"challenge-address:{client_address()}",
    methods=["POST"],
)


def code_entry_limits(view: Callable) -> Callable:
    """Decorate the code-entry view: attempts per address and per network, failures counted."""

    @functools.wraps(view)
    def counted(*args, **kwargs):
        if request.method == "POST":
            after_this_request(_count_if_failed)
        return view(*args, **kwargs)

    # Every attempt counts, before the code is checked: no burst gets past the limits.
    for name, key in (
        ("CODE_LIMIT_PER_NETWORK", lambda: f"code-network:{client_network()}"),
        ("CODE_LIMIT_PER_IP", lambda: f"code-address:{client_address()}"),
    ):
        counted = limiter.limit(setting(name), key_func=key, methods=["POST"])(counted)
    return counted


@lru_cache(maxsize=8)
def _thresholds(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


def _campaign_thresholds() -> tuple[RateLimitItem, ...]:
    return _thresholds(current_app.config["CODE_CAMPAIGN_WARNING"])


def _count_if_failed(response: Response) -> Response:
    if response.status_code == 400 and limiter.enabled:
        try:
            record_failed_code()
        except Exception as exc:  # the storage failed mid-request: storage.py reports it
            log.warning("Access codes: the campaign count failed (%s).", type(exc).__name__)
    return response


def record_failed_code() -> None:
    """Count one failed code for everyone together; warn once per window above the threshold."""
    for threshold in _campaign_thresholds():
        if limiter.limiter.hit(threshold, CAMPAIGN_KEY):
            continue
        once = type(threshold)(1, threshold.multiples)
        # One warning per window for all instances: the first to count it logs.
        if limiter.limiter.hit(once, _WARNED_KEY, str(threshold)):
            log.warning(
                "Access codes: more than %s failed from all clients together "
                "(CODE_CAMPAIGN_WARNING): someone may be guessing codes. Code entry stays "
                "open; the limits per address and per network still apply. The audit log's "
                "access_code_failed events tell when.",
                threshold,
            )


def campaign_check() -> dict[str, object]:
    """For /readyz: whether failed codes reached CODE_CAMPAIGN_WARNING. Never "not ok"."""
    threshold_text = current_app.config["CODE_CAMPAIGN_WARNING"]
    if not limiter.enabled:
        return {"ok": True, "campaign": None, "threshold": threshold_text}
    try:
        reached = [
            threshold
            for threshold in _campaign_thresholds()
            if limiter.limiter.get_window_stats(threshold, CAMPAIGN_KEY).remaining == 0
        ]
    except Exception as exc:  # the storage check reports the storage itself
        log.warning("Readiness: the code campaign count failed (%s).", type(exc).__name__)
        return {"ok": True, "campaign": None, "threshold": threshold_text}
    check: dict[str, object] = {"ok": True, "campaign": bool(reached), "threshold": threshold_text}
    if reached:
        check["warning"] = (
            f"Failed access codes from all clients together reached {reached[0]} "
            "(CODE_CAMPAIGN_WARNING): someone may be guessing codes. Code entry stays open."
        )
    return check
