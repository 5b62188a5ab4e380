"""A share revoked on A is denied by B's token service within the share-state cache."""

from __future__ import annotations

import time

from tests.instances import people
from tests.instances.plugin import validate
from tests.instances.settings import STATE_CACHE_SECONDS

# Scheduling on a busy machine: a worker may answer a little after its cache entry aged out.
MARGIN_SECONDS = 1.5
POLL_SECONDS = 0.1


def test_a_revocation_on_a_is_denied_by_b_within_the_state_cache(a, b, clinician, study):
    clinic = people.console(a, clinician)
    share = people.make_share(clinic, a, study.orthanc_id)
    token = people.viewer_token(people.open_share(b, share), b)
    # Every worker of B answers a few times: each caches the live state.
    assert all(validate(b, token, study) for _ in range(8))

    revoked = people.revoke(clinic, a, share)
    revoked_at = time.monotonic()
    assert revoked.status_code == 302, revoked.text[:500]

    deadline = revoked_at + STATE_CACHE_SECONDS + MARGIN_SECONDS
    late_grants, answers_after_deadline = [], 0
    while answers_after_deadline < 8:
        granted = validate(b, token, study)
        now = time.monotonic()
        if now > deadline:
            answers_after_deadline += 1
            if granted:
                late_grants.append(round(now - revoked_at, 2))
        time.sleep(POLL_SECONDS)
    assert late_grants == [], f"B still granted {late_grants} s after the revocation on A"
    assert validate(a, token, study) is False
