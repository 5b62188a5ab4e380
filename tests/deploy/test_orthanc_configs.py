"""deploy/orthanc/*.json: the two Orthancs of the compose file, as AUTHZ-CONTRACT.md §1 asks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ORTHANC_CONFIGS = Path(__file__).resolve().parents[2] / "deploy" / "orthanc"

# AUTHZ-CONTRACT.md §1: the plugin configuration that points at StudyShare.
AUTHORIZATION_KEYS = {
    "WebServiceTokenValidationUrl",
    "WebServiceTokenDecoderUrl",
    "WebServiceTokenCreationBaseUrl",
    "WebServiceUsername",
    "WebServicePassword",
    "StandardConfigurations",
    "TokenHttpHeaders",
    "TokenGetArguments",
    "CheckedLevel",
}
POSTGRESQL_KEYS = {"EnableIndex", "Host", "Port", "Database", "Username", "Password", "Lock"}


def load(name: str) -> dict:
    return json.loads((ORTHANC_CONFIGS / f"{name}.json").read_text(encoding="utf-8"))


def test_there_are_exactly_the_two_orthancs():
    assert sorted(path.name for path in ORTHANC_CONFIGS.glob("*.json")) == [
        "internal.json",
        "public.json",
    ]


@pytest.mark.parametrize("name", ["internal", "public"])
def test_each_uses_the_postgresql_index(name):
    pg = load(name)["PostgreSQL"]
    assert set(pg) >= POSTGRESQL_KEYS
    assert pg["EnableIndex"] is True
    # Two Orthancs on one database: neither may lock the other out (PostgreSQL plugin docs).
    assert pg["Lock"] is False
    assert pg["Password"].startswith("${"), "a secret: from the environment, not the file"


def test_they_are_told_apart_in_the_shared_database():
    identifiers = {load(name)["DatabaseServerIdentifier"] for name in ("internal", "public")}
    assert len(identifiers) == 2


def test_the_internal_orthanc_wants_credentials():
    internal = load("internal")
    assert internal["AuthenticationEnabled"] is True
    assert internal["RegisteredUsers"]
    assert all(password.startswith("${") for password in internal["RegisteredUsers"].values())
    assert "Authorization" not in internal
    assert internal["DicomWeb"]["Enable"] is True  # the gateway streams from it


def test_the_public_orthanc_leaves_every_request_to_the_plugin():
    public = load("public")
    # §1 and §6: with authentication on, a token-only request gets 401 before the plugin.
    assert public["AuthenticationEnabled"] is False
    assert "RegisteredUsers" not in public
    assert public["DicomServerEnabled"] is False
    assert public["SaveJobs"] is False  # it only reads the shared database
    assert public["DicomWeb"]["Root"] == "/dicom-web/"  # the guard's paths


def test_the_public_orthancs_plugin_is_configured_for_studyshare():
    authz = load("public")["Authorization"]
    assert set(authz) == AUTHORIZATION_KEYS
    assert authz["CheckedLevel"] == "studies"
    assert authz["TokenHttpHeaders"] == ["token"]
    assert authz["TokenGetArguments"] == ["token"]
    assert authz["StandardConfigurations"] == ["stone-webviewer", "ohif", "osimis-web-viewer"]
    assert authz["WebServiceTokenValidationUrl"].endswith("/auth/tokens/validate")
    assert authz["WebServiceTokenDecoderUrl"].endswith("/auth/tokens/decode")
    assert authz["WebServiceTokenCreationBaseUrl"].endswith("/auth/tokens/")
    assert authz["WebServicePassword"].startswith("${")
