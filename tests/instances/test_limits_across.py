"""Rate limits live in the one Redis: failures counted on A also count on B.

Half the failures go to each instance; the limit is reached only when both halves are
counted together, which a per-instance (in-memory) limit never does. Another address is
never limited by them. Each attempt names a new account, so only the per-address limits
(LOGIN_LIMIT_PER_IP, CODE_LIMIT_PER_IP) are in play.
"""

from __future__ import annotations

import secrets

from tests.instances import people
from tests.instances.browser import Browser
from tests.instances.settings import LIMIT_PER_ADDRESS

TOO_MANY = 429


def wrong_login(browser: Browser, server) -> int:
    nobody = people.Clinician(f"nobody-{secrets.token_hex(4)}@example.org", "not the password")
    return people.log_in(browser, server, nobody).status_code


def wrong_code(browser: Browser, server) -> int:
    return browser.submit(server, "/code", {"code": "AAAA-AAAA-AAAA"}).status_code


def test_failed_logins_on_a_and_b_add_up_for_one_address(a, b, clinician):
    guesser = Browser()
    statuses = [wrong_login(guesser, (a, b)[n % 2]) for n in range(LIMIT_PER_ADDRESS)]
    assert statuses == [400] * LIMIT_PER_ADDRESS

    for server in (a, b):
        assert wrong_login(guesser, server) == TOO_MANY, f"{server} did not count the others"
    assert wrong_login(Browser(), b) == 400  # another address is not limited
    assert people.log_in(Browser(), a, clinician).status_code == 302


def test_wrong_access_codes_on_a_and_b_add_up_for_one_address(a, b, clinician, study):
    share = people.make_share(people.console(a, clinician), a, study.orthanc_id, access_code=True)
    guesser = Browser()
    statuses = [wrong_code(guesser, (a, b)[n % 2]) for n in range(LIMIT_PER_ADDRESS)]
    assert statuses == [400] * LIMIT_PER_ADDRESS

    for server in (a, b):
        refused = guesser.submit(server, "/code", {"code": share.access_code})
        assert refused.status_code == TOO_MANY, f"{server} did not count the others"
    other = Browser().submit(b, "/code", {"code": share.access_code})
    assert other.status_code == 303  # the right code, from another address
