"""Wrong answers sent at once to both instances lock the share after exactly the maximum."""

from __future__ import annotations

import threading
from collections import Counter

import psycopg

from tests.fixtures.instances import Server
from tests.instances import people
from tests.instances.browser import Browser, csrf_token
from tests.instances.settings import MAX_ATTEMPTS

WRONG_ANSWERS = 20


def share_row(database_url: str, public_id: str) -> tuple[int, bool, Counter]:
    """(failed attempts, locked, audit events by kind) as the database holds them."""
    url = database_url.replace("postgresql+psycopg://", "postgresql://", 1)
    with psycopg.connect(url, connect_timeout=5) as conn:
        failed, locked = conn.execute(
            "SELECT failed_attempts, locked_at IS NOT NULL FROM shares WHERE public_id = %s",
            (public_id,),
        ).fetchone()
        kinds = conn.execute(
            "SELECT e.kind FROM audit_events e JOIN shares s ON s.id = e.share_id"
            " WHERE s.public_id = %s",
            (public_id,),
        ).fetchall()
    return failed, locked, Counter(kind for (kind,) in kinds)


def test_twenty_wrong_answers_at_once_on_a_and_b_lock_after_exactly_the_maximum(
    cluster, a, b, clinician, study
):
    share = people.make_share(people.console(a, clinician), a, study.orthanc_id)
    # Each guesser is a browser of its own, with its form loaded, at an address of its own.
    guessers = []
    for number in range(WRONG_ANSWERS):
        server = (a, b)[number % 2]
        browser = Browser()
        landing = browser.get(server, share.path)
        assert landing.status_code == 200
        guessers.append((browser, server, csrf_token(landing.text)))
    start = threading.Barrier(WRONG_ANSWERS)
    statuses: list[int] = []

    def guess(browser: Browser, server: Server, token: str) -> None:
        start.wait(timeout=30)
        answer = browser.post(
            server, share.path, data={"csrf_token": token, "birth_date": people.WRONG_BIRTH_DATE}
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=guesser) for guesser in guessers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # 400: counted, attempts left; 403: locked (by this answer or an earlier one).
    counted_before_the_lock = MAX_ATTEMPTS - 1
    expected = [400] * counted_before_the_lock + [403] * (WRONG_ANSWERS - counted_before_the_lock)
    assert sorted(statuses) == expected, statuses
    failed, locked, events = share_row(cluster.env["DATABASE_URL"], share.public_id)
    assert (failed, locked) == (MAX_ATTEMPTS, True)
    assert events["challenge_failed"] == MAX_ATTEMPTS
    assert events["locked"] == 1

    for browser, server, token in guessers[:2]:  # one on A, one on B
        right = browser.post(
            server, share.path, data={"csrf_token": token, "birth_date": people.BIRTH_DATE}
        )
        assert right.status_code == 403, f"the right answer opens the locked share on {server}"
        assert Browser().get(server, share.path).status_code == 403
