import pytest

pytest_plugins = [
    "tests.orthanc.fixtures",
    "tests.fixtures.postgres",
    "tests.fixtures.app",
    "tests.fixtures.migrations",
    "tests.fixtures.shares",
    "tests.fixtures.smtp",
    "tests.fixtures.big_study",
    "tests.e2e.authz_fixtures",
]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # A skipped test is not a passing one: the real Orthanc, PostgreSQL and friends must be there.
    outcome = yield
    report = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped tests count as failures here: {report.longrepr}"
