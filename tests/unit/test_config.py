import subprocess
import sys
from pathlib import Path

import pytest

from app import default_sqlite_uri
from config import (
    ConfigError,
    DevelopmentConfig,
    ProductionConfig,
    TestConfig,
    config_from_environ,
    normalize_database_url,
)
from config.settings import PROFILES, SETTINGS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "s" * 40,
    "DATABASE_URL": "postgresql://studyshare@db/studyshare",
    "ORTHANC_URL": "http://orthanc:8042/",
}


def test_production_is_the_default():
    config = config_from_environ(PRODUCTION_ENV)
    assert isinstance(config, ProductionConfig)
    assert config.SESSION_COOKIE_SECURE is True
    assert config.ORTHANC_URL == "http://orthanc:8042"
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://studyshare@db/studyshare"


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL", "ORTHANC_URL"])
def test_production_names_each_missing_variable(missing):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        config_from_environ(env)


def test_production_lists_all_missing_variables():
    with pytest.raises(ConfigError) as excinfo:
        config_from_environ({"STUDYSHARE_ENV": "production", "SECRET_KEY": "  "})
    assert "SECRET_KEY, DATABASE_URL, ORTHANC_URL" in str(excinfo.value)


def test_environment_selects_the_class():
    assert isinstance(config_from_environ({"STUDYSHARE_ENV": "development"}), DevelopmentConfig)
    assert isinstance(config_from_environ({"STUDYSHARE_ENV": "TEST"}), TestConfig)
    with pytest.raises(ConfigError, match="STUDYSHARE_ENV must be one of"):
        config_from_environ({"STUDYSHARE_ENV": "staging"})


def test_development_allows_plain_http_and_generates_a_key():
    first = DevelopmentConfig({})
    second = DevelopmentConfig({})
    assert first.SESSION_COOKIE_SECURE is False
    assert len(first.SECRET_KEY) >= 32
    assert first.SECRET_KEY != second.SECRET_KEY


def test_test_config_ignores_the_process_environment(monkeypatch):
    monkeypatch.setenv("ORTHANC_URL", "http://should-not-leak:1")
    assert TestConfig().ORTHANC_URL == "http://127.0.0.1:8042"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAIL_PORT", "twenty-five", "MAIL_PORT must be a whole number"),
        ("MAIL_USE_TLS", "maybe", "MAIL_USE_TLS must be true or false"),
        ("ORTHANC_TIMEOUT", "soon", "ORTHANC_TIMEOUT must be a number"),
        ("ORTHANC_TIMEOUT", "0", "ORTHANC_TIMEOUT must be at least 0.1, not 0.0"),
        ("SEARCH_PAGE_SIZE", "0", "SEARCH_PAGE_SIZE must be at least 1, not 0"),
        ("SEARCH_SORT_WINDOW", "-5", "SEARCH_SORT_WINDOW must be at least 1, not -5"),
        ("CHALLENGE_MAX_ATTEMPTS", "0", "CHALLENGE_MAX_ATTEMPTS must be at least 1"),
        ("PROXY_FIX_HOPS", "-1", "PROXY_FIX_HOPS must be at least 0"),
        ("VIEWER_TOKEN_KEYS", "k1:short", "each secret at least 32 characters"),
        ("VIEWER_TOKEN_KEYS", "k1:" + "s" * 40 + ",:" + "t" * 40, "kid:secret entries"),
        ("AUTHZ_VALIDITY_SECONDS", "0", "must not exceed AUTHZ_VALIDITY_SECONDS"),
        ("AUTHZ_STATE_CACHE_SECONDS", "10.5", "must not exceed AUTHZ_VALIDITY_SECONDS"),
        ("PUBLIC_BASE_URL", "share.example.org", "PUBLIC_BASE_URL must be an http"),
        ("GATEWAY_CORS_ORIGINS", "https://ok.example,ftp://x", "must be origins"),
        ("GATEWAY_CORS_ORIGINS", "https://viewer.example/path", "must be origins"),
        ("MAIL_BACKEND", "sendmail", "MAIL_BACKEND must be one of smtp, console, not 'sendmail'"),
        ("LOGIN_LIMIT_PER_IP", "10 per fortnight", "LOGIN_LIMIT_PER_IP must be a rate limit"),
        ("CODE_CAMPAIGN_WARNING", "lots", "CODE_CAMPAIGN_WARNING must be a rate limit like"),
        ("LOG_LEVEL", "chatty", "LOG_LEVEL must be a logging level"),
        (
            "EXTERNAL_VIEWERS",
            "ohif, unknown",
            "EXTERNAL_VIEWERS must name only stone, ohif, osimis, webviewer, volview, meddream, "
            "not 'unknown'",
        ),
    ],
)
def test_malformed_values_are_named(name, value, message):
    with pytest.raises(ConfigError, match=message):
        DevelopmentConfig({name: value})


def test_gateway_settings_are_parsed_once():
    config = DevelopmentConfig(
        {
            "PUBLIC_BASE_URL": "https://share.example.org:8443/",
            "GATEWAY_CORS_ORIGINS": " https://viewer.example.org/ , http://127.0.0.1:3000",
        }
    )
    assert config.PUBLIC_FORWARDED == "host=share.example.org:8443;proto=https"
    origins = config.GATEWAY_CORS_ORIGINS
    assert origins == frozenset({"https://viewer.example.org", "http://127.0.0.1:3000"})
    assert not DevelopmentConfig({}).GATEWAY_CORS_ORIGINS


def test_the_demo_writes_e_mails_to_files_deployments_send_them():
    assert DevelopmentConfig({}).MAIL_BACKEND == "console"
    assert config_from_environ(PRODUCTION_ENV).MAIL_BACKEND == "smtp"
    assert TestConfig({}).MAIL_BACKEND == "smtp"  # muted by MAIL_SUPPRESS_SEND
    assert DevelopmentConfig({"MAIL_BACKEND": "SMTP"}).MAIL_BACKEND == "smtp"


def test_lists_and_keys_are_parsed_once_into_values():
    key = "k" * 40
    config = DevelopmentConfig(
        {
            "EXTERNAL_VIEWERS": " ohif, ,,WebViewer",
            "VIEWER_TOKEN_KEYS": f"new:{key},old:{'o' * 32},",
            "LOG_LEVEL": "warning",
            "CODE_LIMIT_PER_IP": "3/minute;20 per hour",
        }
    )
    assert config.EXTERNAL_VIEWERS == ("ohif", "webviewer")
    assert list(config.VIEWER_TOKEN_KEYS.items()) == [("new", key.encode()), ("old", b"o" * 32)]
    assert config.LOG_LEVEL == "WARNING"
    assert config.CODE_LIMIT_PER_IP == "3/minute;20 per hour"  # checked, given as is to Limiter


def test_without_viewer_keys_one_is_derived_from_the_secret_key():
    first, again = (DevelopmentConfig({"SECRET_KEY": "a" * 40}) for _ in range(2))
    other = DevelopmentConfig({"SECRET_KEY": "b" * 40})
    [(kid, key)] = first.VIEWER_TOKEN_KEYS.items()
    assert kid.startswith("sk-")
    assert len(key) == 32
    assert again.VIEWER_TOKEN_KEYS == first.VIEWER_TOKEN_KEYS != other.VIEWER_TOKEN_KEYS
    assert "a" * 40 not in kid


def test_every_default_of_the_table_is_valid_in_every_profile():
    for profile in PROFILES:
        for setting in SETTINGS:
            setting.read({}, profile)  # raises ConfigError for a default its own kind refuses


def test_empty_numbers_and_limits_mean_the_default():
    config = DevelopmentConfig({"SEARCH_PAGE_SIZE": "", "LOGIN_LIMIT_PER_IP": "", "LOG_LEVEL": ""})
    assert (config.SEARCH_PAGE_SIZE, config.LOGIN_LIMIT_PER_IP, config.LOG_LEVEL) == (
        25,
        "30 per 15 minutes",
        "INFO",
    )


def test_typed_values_are_parsed():
    config = DevelopmentConfig(
        {"MAIL_PORT": "2525", "MAIL_USE_TLS": "yes", "ORTHANC_TIMEOUT": "2.5"}
    )
    assert (config.MAIL_PORT, config.MAIL_USE_TLS, config.ORTHANC_TIMEOUT) == (2525, True, 2.5)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_normalization(url, expected):
    assert normalize_database_url(url) == expected


def test_unusable_instance_folder_is_a_clear_error(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="Cannot create the instance folder"):
        default_sqlite_uri(str(blocker / "instance"))


def test_wsgi_refuses_to_start_without_settings_and_says_why():
    env = {"PATH": "/usr/bin:/bin", "STUDYSHARE_ENV": "production"}
    result = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY, DATABASE_URL, ORTHANC_URL" in result.stderr
    assert "Traceback" not in result.stderr
