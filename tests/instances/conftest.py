"""Two production servers (A and B, 2 workers each) on one PostgreSQL database and one Redis.

They start once for the package; tests that need other settings restart them
(`cluster.restart`). Migrated once with `flask db upgrade`, as a release step does for
several replicas (the image's entrypoint then runs with STUDYSHARE_MIGRATE=false).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtures.instances import Cluster, Server, flush_redis, process_env, run_flask
from tests.fixtures.postgres import fresh_database
from tests.instances.people import Clinician, SharedStudy
from tests.instances.settings import CLINICIAN, REDIS_URL, production_settings


@pytest.fixture(scope="package")
def cluster(orthanc_server, tmp_path_factory) -> Iterator[Cluster]:
    home = tmp_path_factory.mktemp("instances")
    with fresh_database("studyshare_instances") as database_url:
        env = process_env(home, production_settings(database_url, orthanc_server))
        flush_redis(REDIS_URL)
        run_flask(env, "db", "upgrade")
        servers = Cluster((Server("A", home), Server("B", home)), env)
        try:
            servers.launch()
            # While they boot: the first account, made as an operator makes it.
            run_flask(
                env, "users", "create", CLINICIAN.email, "--name", "Dr Two",
                stdin=CLINICIAN.password + "\n",
            )  # fmt: skip
            servers.wait_ready()
            yield servers
        finally:
            servers.stop()
            flush_redis(REDIS_URL)


@pytest.fixture
def a(cluster) -> Server:
    return cluster.servers[0]


@pytest.fixture
def b(cluster) -> Server:
    return cluster.servers[1]


@pytest.fixture(scope="package")
def study(orthanc_client, demo_studies) -> SharedStudy:
    """The demo MR brain study, in the suite's Orthanc."""
    found = orthanc_client.find_studies({"AccessionNumber": "DEMO0003"}, limit=1).studies[0]
    return SharedStudy(found.orthanc_id, found.study_instance_uid)


@pytest.fixture(scope="package")
def clinician() -> Clinician:
    return CLINICIAN


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # A failure here is often told by the servers' own logs: show them with it.
    outcome = yield
    report = outcome.get_result()
    servers = getattr(item, "funcargs", {}).get("cluster")
    if report.failed and isinstance(servers, Cluster):
        report.sections.append(("StudyShare servers", servers.logs()))
