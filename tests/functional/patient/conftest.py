import re

import pytest

from app.shares.models import ChallengeKind


@pytest.fixture
def doe_share(make_share, demo_study):
    """A birth-date share of Jane Doe's US study (born 29 Feb 1972)."""
    return make_share([demo_study("DEMO0004").orthanc_id], challenge=ChallengeKind.BIRTH_DATE)


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1)
