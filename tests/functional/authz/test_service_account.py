"""The plugin's service account: made by the one `create_user`, and it cannot log in."""

import pytest

from app.authz import publication
from app.users.accounts import create_user
from app.users.models import User


@pytest.fixture
def app_env(app_env):
    return {**app_env, "AUTHZ_SERVICE_ACCOUNT": "Orthanc-Plugin@StudyShare.invalid"}


def test_it_is_created_once_inactive_under_its_lower_cased_address(app):
    with app.app_context():
        first = publication.service_account()
        again = publication.service_account()
        assert again.id == first.id
        assert first.email == "orthanc-plugin@studyshare.invalid"
        assert (first.active, first.is_active, first.name) == (
            False,
            False,
            publication.SERVICE_NAME,
        )
        assert User.find_by_email(app.config["AUTHZ_SERVICE_ACCOUNT"]).id == first.id


def test_a_concurrent_creation_is_found_not_a_500(app, monkeypatch):
    with app.app_context():
        other = create_user("orthanc-plugin@studyshare.invalid", "x" * 32, can_log_in=False)
        real_lookup, calls = User.find_by_email, []

        # The race: the lookup ran before another request committed the same account.
        def lookup_before_the_other_commit(email):
            calls.append(email)
            return None if len(calls) == 1 else real_lookup(email)

        monkeypatch.setattr(User, "find_by_email", lookup_before_the_other_commit)
        assert publication.service_account().id == other.id
