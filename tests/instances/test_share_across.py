"""A share made on one instance opens, and serves its images, on the other."""

from __future__ import annotations

from tests.instances import people
from tests.instances.browser import Browser


def test_a_share_made_on_a_opens_on_b(a, b, clinician, study):
    share = people.make_share(people.console(a, clinician), a, study.orthanc_id)

    recipient = Browser()
    landing = recipient.get(b, share.path)
    assert landing.status_code == 200
    assert 'name="birth_date"' in landing.text
    opened = people.answer_challenge(recipient, b, share.path)
    assert opened.status_code == 303, opened.text[:500]

    home = recipient.get(b, "/v/")
    assert home.status_code == 200
    assert "/v/studies/0" in home.text
    assert recipient.get(b, "/v/studies/0").status_code == 200
    series = recipient.get(b, f"/dicom-web/studies/{study.uid}/series")
    assert series.status_code == 200, series.text[:500]
    assert series.headers["Content-Type"].startswith("application/dicom+json")
    assert {item["0020000D"]["Value"][0] for item in series.json()} == {study.uid}


def test_a_share_made_on_b_opens_on_a_and_its_session_works_on_b(a, b, clinician, study):
    share = people.make_share(people.console(b, clinician), b, study.orthanc_id)
    recipient = people.open_share(a, share)
    assert recipient.get(b, "/v/").status_code == 200
