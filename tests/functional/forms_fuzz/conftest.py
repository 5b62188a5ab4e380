import pytest

from tests.functional.forms_fuzz.world import World


@pytest.fixture
def app_env(app_env):
    # Rate limits and lockouts have their own tests: here every post must reach the form.
    return {**app_env, "RATELIMIT_ENABLED": "false", "CHALLENGE_MAX_ATTEMPTS": "100000"}


@pytest.fixture
def world(csrf_app, demo_study) -> World:
    return World(csrf_app, demo_study("DEMO0004").orthanc_id)
