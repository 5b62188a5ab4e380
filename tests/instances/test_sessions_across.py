"""A session started on one instance is the same session on the other, and ends on both.

A copy of the cookie jar taken before sign-out (a stolen cookie, a backed-up browser profile)
must be refused afterwards everywhere, not only by the instance that saw the sign-out.
"""

from __future__ import annotations

from tests.instances import people
from tests.instances.browser import csrf_token


def test_a_recipient_session_from_a_works_on_b_and_sign_out_on_a_ends_it_on_both(
    a, b, clinician, study
):
    share = people.make_share(people.console(a, clinician), a, study.orthanc_id)
    recipient = people.open_share(a, share)
    home_on_b = recipient.get(b, "/v/")
    assert home_on_b.status_code == 200
    series = f"/dicom-web/studies/{study.uid}/series"
    assert recipient.get(b, series).status_code == 200
    copy = recipient.copied()

    home_on_a = recipient.get(a, "/v/")
    signed_out = recipient.post(
        a, "/v/sign-out", page="/v/", data={"csrf_token": csrf_token(home_on_a.text)}
    )
    assert signed_out.status_code == 200, signed_out.text[:500]

    for server in (a, b):
        assert recipient.get(server, "/v/").status_code == 401
        assert copy.get(server, "/v/").status_code == 401, f"the copy opens /v/ on {server}"
        assert copy.get(server, series).status_code == 401, f"the copy reads images on {server}"


def test_a_console_login_on_a_works_on_b_and_logout_on_b_ends_it_on_both(a, b, clinician):
    browser = people.console(a, clinician)
    shares_on_b = browser.get(b, "/shares", allow_redirects=False)
    assert shares_on_b.status_code == 200
    copy = browser.copied()

    logged_out = browser.post(
        b, "/logout", page="/shares", data={"csrf_token": csrf_token(shares_on_b.text)},
        allow_redirects=False,
    )  # fmt: skip
    assert logged_out.status_code == 302

    for server in (a, b):
        assert browser.get(server, "/shares", allow_redirects=False).status_code == 302
        after = copy.get(server, "/shares", allow_redirects=False)
        assert after.status_code == 302, f"the copied cookie still opens the console on {server}"
        assert "/login" in after.headers["Location"]
