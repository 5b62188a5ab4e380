"""deploy/compose.yaml: its services, and every name, port and URL agreeing with the rest."""

from __future__ import annotations

import json
import re
import runpy
from urllib.parse import urlsplit

import pytest

from config import ProductionConfig, config_from_environ
from tests.deploy import compose
from tests.deploy.settings import IMAGE_VARIABLES, production_settings

ORTHANC_CONFIGS = compose.DEPLOY / "orthanc"
SERVICES = {
    "nginx",
    "studyshare",
    "token-service",
    "purge",
    "postgres",
    "redis",
    "orthanc-internal",
    "orthanc-public",
    "ohif",
    "smtp",
}
APP_SERVICES = ("studyshare", "token-service", "purge")


@pytest.fixture(scope="module")
def model():
    return compose.rendered(compose.example_env())


@pytest.fixture(scope="module")
def services(model):
    return model["services"]


@pytest.fixture(scope="module")
def app_env(services):
    return compose.environment(services["studyshare"])


def orthanc_config(name: str) -> dict:
    return json.loads((ORTHANC_CONFIGS / f"{name}.json").read_text(encoding="utf-8"))


def test_compose_names_every_service(services):
    assert set(services) == SERVICES


def test_compose_refuses_to_start_without_its_secrets():
    with pytest.raises(compose.MissingVariableError, match="SECRET_KEY"):
        compose.rendered({k: v for k, v in compose.example_env().items() if k != "SECRET_KEY"})


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_studyshare_variable_is_a_real_setting(services, service):
    names = set(compose.environment(services[service]))
    unknown = names - production_settings() - set(IMAGE_VARIABLES)
    assert sorted(unknown) == [], f"{service} sets variables StudyShare never reads"


def test_the_image_variables_are_read_where_they_are_said_to_be():
    for name, path in IMAGE_VARIABLES.items():
        assert name in (compose.ROOT / path).read_text(encoding="utf-8"), (name, path)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_the_required_production_settings_are_set_and_valid(services, service):
    env = compose.environment(services[service])
    assert env["STUDYSHARE_ENV"] == "production"
    for name in ProductionConfig.REQUIRED:
        assert env.get(name, "").strip(), f"{service} lacks {name}"
    # The whole environment passes the settings' checks (URLs, origins, numbers, limits).
    config = config_from_environ({k: v for k, v in env.items() if k not in IMAGE_VARIABLES})
    assert config.ENV_NAME == "production"


@pytest.mark.parametrize("service", ["token-service", "purge"])
def test_the_app_containers_share_the_settings(services, service):
    def settings(name: str) -> dict:
        env = compose.environment(services[name])
        return {k: v for k, v in env.items() if k not in IMAGE_VARIABLES}

    assert settings(service) == settings("studyshare")


def test_the_token_service_starts_after_the_migrations_with_few_threads_and_no_access_log(
    services,
):
    token_service = services["token-service"]
    env = compose.environment(token_service)
    assert env["STUDYSHARE_MIGRATE"] == "false"
    assert token_service["depends_on"]["studyshare"]["condition"] == "service_healthy"
    default = runpy.run_path(str(compose.ROOT / "serve.py"))["DEFAULT_THREADS"]
    assert "WEB_THREADS" not in compose.environment(services["studyshare"])
    assert int(env["WEB_THREADS"]) < default
    assert env["WEB_ACCESS_LOG"] == "false"
    assert "WEB_ACCESS_LOG" not in compose.environment(services["studyshare"])
    for name in ("nginx", "orthanc-public"):
        assert services[name]["depends_on"]["token-service"]["condition"] == "service_healthy"


def test_studyshare_reaches_services_by_their_compose_names(services, app_env):
    internal = orthanc_config("internal")
    assert compose.host_port(app_env["ORTHANC_URL"]) == ("orthanc-internal", internal["HttpPort"])
    assert app_env["ORTHANC_USERNAME"] in internal["RegisteredUsers"]
    assert internal["RegisteredUsers"][app_env["ORTHANC_USERNAME"]] == "${ORTHANC_PASSWORD}"
    assert (
        compose.environment(services["orthanc-internal"])["ORTHANC_PASSWORD"]
        == (app_env["ORTHANC_PASSWORD"])
    )
    database = urlsplit(app_env["DATABASE_URL"])
    assert (database.hostname, database.port, database.path) == ("postgres", 5432, "/studyshare")
    assert compose.host_port(app_env["RATELIMIT_STORAGE_URI"])[0] == "redis"
    assert app_env["MAIL_SERVER"] in services


def test_the_database_roles_are_made_for_studyshare_and_orthanc(model, services, app_env):
    script = model["configs"]["postgres-databases"]["content"]
    database = urlsplit(app_env["DATABASE_URL"])
    postgres_env = compose.environment(services["postgres"])
    assert database.password == postgres_env["STUDYSHARE_DB_PASSWORD"]
    assert f"CREATE ROLE {database.username} LOGIN" in script
    assert f"CREATE DATABASE {database.path.strip('/')} OWNER {database.username}" in script
    for name in ("internal", "public"):
        pg = orthanc_config(name)["PostgreSQL"]
        assert f"CREATE DATABASE {pg['Database']} OWNER {pg['Username']}" in script
        assert pg["Password"] == "${ORTHANC_DB_PASSWORD}"
    # Variables of the postgres container, not compose's: escaped as $$ in the file.
    assert '"$STUDYSHARE_DB_PASSWORD"' in script
    assert '"$ORTHANC_DB_PASSWORD"' in script


@pytest.mark.parametrize("name", ["internal", "public"])
def test_every_variable_an_orthanc_config_uses_is_given_to_it(services, name):
    text = (ORTHANC_CONFIGS / f"{name}.json").read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)\}", text))
    service = services[f"orthanc-{name}"]
    assert used <= set(compose.environment(service)), name
    assert (ORTHANC_CONFIGS / f"{name}.json", "/etc/orthanc/orthanc.json") in [
        (source, target.removesuffix(":ro")) for source, target in compose.bind_mounts(service)
    ]


def test_the_plugin_asks_studyshare_with_studyshares_credentials(services, app_env):
    authz = orthanc_config("public")["Authorization"]
    port = compose.environment(services["token-service"])["PORT"]
    for key, path in [
        ("WebServiceTokenValidationUrl", "/auth/tokens/validate"),
        ("WebServiceTokenDecoderUrl", "/auth/tokens/decode"),
        ("WebServiceTokenCreationBaseUrl", "/auth/tokens/"),
    ]:
        assert authz[key] == f"http://token-service:{port}{path}"
    assert authz["WebServiceUsername"] == app_env["AUTHZ_USERNAME"]
    assert authz["WebServicePassword"] == "${AUTHZ_PASSWORD}"
    public_env = compose.environment(services["orthanc-public"])
    assert public_env["AUTHZ_PASSWORD"] == app_env["AUTHZ_PASSWORD"]


def test_both_orthancs_share_one_index_and_one_storage(services):
    internal, public = orthanc_config("internal"), orthanc_config("public")
    keys = ("Host", "Port", "Database", "Username")
    assert [internal["PostgreSQL"][k] for k in keys] == [public["PostgreSQL"][k] for k in keys]
    assert internal["PostgreSQL"]["Host"] in services
    assert internal["StorageDirectory"] == public["StorageDirectory"]
    storage = {
        name: [v for v in services[name]["volumes"] if v.startswith("orthanc-storage:")]
        for name in ("orthanc-internal", "orthanc-public")
    }
    assert storage["orthanc-internal"] == [f"orthanc-storage:{internal['StorageDirectory']}"]
    assert storage["orthanc-public"] == [f"orthanc-storage:{public['StorageDirectory']}:ro"]


def test_nginx_sites_name_the_public_addresses(services, app_env):
    nginx = compose.environment(services["nginx"])
    assert urlsplit(app_env["PUBLIC_BASE_URL"]).hostname == nginx["STUDYSHARE_SERVER_NAME"]
    assert urlsplit(app_env["PUBLIC_ORTHANC_ROOT"]).hostname == nginx["ORTHANC_SERVER_NAME"]
    ohif = urlsplit(app_env["PUBLIC_OHIF_ROOT"])
    assert ohif.hostname == nginx["VIEWER_SERVER_NAME"]
    assert app_env["GATEWAY_CORS_ORIGINS"] == f"{ohif.scheme}://{ohif.netloc}"
    assert {urlsplit(app_env[k]).scheme for k in ("PUBLIC_BASE_URL", "PUBLIC_OHIF_ROOT")} == {
        "https"
    }


def test_nginx_upstreams_are_the_services_ports(services):
    nginx = compose.environment(services["nginx"])
    app_port = compose.environment(services["studyshare"])["PORT"]
    assert nginx["STUDYSHARE_UPSTREAM"] == f"studyshare:{app_port}"
    token_port = compose.environment(services["token-service"])["PORT"]
    assert nginx["TOKEN_SERVICE_UPSTREAM"] == f"token-service:{token_port}"
    public_port = orthanc_config("public")["HttpPort"]
    assert nginx["PUBLIC_ORTHANC_UPSTREAM"] == f"orthanc-public:{public_port}"
    assert nginx["OHIF_UPSTREAM"] == f"ohif:{compose.environment(services['ohif'])['PORT']}"
    assert nginx["HTTPS_LISTEN"] == "443"
    assert "443:443" in services["nginx"]["ports"]


def test_nginx_has_a_value_for_every_template_variable(model, services):
    nginx = services["nginx"]
    env = compose.environment(nginx)
    texts = {
        target: source.read_text(encoding="utf-8")
        for source, target in compose.bind_mounts(nginx)
        if target.startswith("/etc/nginx/templates/")
    }
    for mounted in nginx["configs"]:
        texts[mounted["target"]] = model["configs"][mounted["source"]]["content"]
    assert all(target.endswith(".template:ro") or target.endswith(".template") for target in texts)
    names = {name for text in texts.values() for name in re.findall(r"\$\{(\w+)\}", text)}
    # The image's envsubst leaves an unset ${NAME} as it is, and nginx then fails to start.
    assert sorted(names - set(env)) == []
    shipped = {p.name for p in (compose.DEPLOY / "nginx" / "templates").glob("*.template")}
    assert shipped <= {target.rsplit("/", 1)[1].removesuffix(":ro") for target in texts}


def test_ohif_reads_studyshares_gateway(model, services, app_env):
    config = model["configs"]["ohif-app-config"]["content"]
    gateway = app_env["PUBLIC_BASE_URL"] + "/dicom-web"
    roots = dict(re.findall(r"(wadoUriRoot|qidoRoot|wadoRoot): '([^']+)'", config))
    assert roots == {"wadoUriRoot": gateway, "qidoRoot": gateway, "wadoRoot": gateway}
    assert "defaultDataSourceName: 'studyshare'" in config
    mounted = services["ohif"]["configs"]
    assert mounted == [
        {"source": "ohif-app-config", "target": "/usr/share/nginx/html/app-config.js"}
    ]


def test_every_bind_mount_but_the_certificates_is_in_the_repository(services):
    for name, service in services.items():
        for source, _target in compose.bind_mounts(service):
            if source == compose.DEPLOY / "tls":
                continue  # the operator's certificates (deploy/README.md)
            assert source.is_file(), f"{name} mounts missing {source}"


def server_settings(monkeypatch, env: dict[str, str]) -> dict:
    """serve.py's settings under `env`."""
    for name in ("ORTHANC_ANONYMIZE_TIMEOUT", "LOG_LEVEL", "PORT", "WEB_CONCURRENCY"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)
    return runpy.run_path(str(compose.ROOT / "serve.py"))["settings"]()


def test_stop_grace_periods_outlast_the_servers_graceful_stop(monkeypatch, services, app_env):
    settings = server_settings(monkeypatch, app_env)
    assert settings["workers_kill_timeout"] > float(app_env["ORTHANC_ANONYMIZE_TIMEOUT"])
    for name in ("studyshare", "nginx"):
        grace = compose.seconds(services[name]["stop_grace_period"])
        assert grace >= settings["workers_kill_timeout"] + 10, name


def test_the_purge_runs_daily_and_does_not_migrate(services):
    purge = services["purge"]
    script = purge["command"][-1]
    assert "flask --app wsgi shares purge-expired" in script
    assert "sleep 86400" in script
    assert purge["command"][:2] != ["python", "serve.py"]  # migrating is for the server only
    assert purge["depends_on"]["studyshare"]["condition"] == "service_healthy"
    assert purge["healthcheck"] == {"disable": True}


def test_the_app_containers_are_read_only_with_a_tmpfs(services):
    for name in APP_SERVICES:
        assert services[name]["read_only"] is True
        assert "/tmp" in services[name]["tmpfs"]
        assert services[name]["cap_drop"] == ["ALL"]


def test_the_internal_orthanc_is_reached_by_studyshare_only(services):
    backend = {name for name, s in services.items() if "backend" in s.get("networks", [])}
    assert "nginx" not in backend
    assert "8042" not in " ".join(services["orthanc-internal"].get("ports", []))
    assert services["orthanc-public"].get("ports") is None  # only through the guard


def test_deploy_readme_lists_every_secret_compose_requires():
    readme = (compose.DEPLOY / "README.md").read_text(encoding="utf-8")
    block = readme.split("```sh\n# deploy/.env", 1)[1].split("```", 1)[0]
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]*)=", block, re.MULTILINE))
    required = compose.required_variables(compose.COMPOSE.read_text(encoding="utf-8"))
    assert required <= listed
    assert set(compose.example_env()) == required
