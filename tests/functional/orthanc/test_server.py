"""The Orthanc launcher: public mode with a Python plugin, clean stops and clear failures."""

import os
import socket

import pytest
import requests

from app.demo import orthanc_server as server_module
from app.demo.orthanc_server import OrthancServer
from app.orthanc.client import OrthancClient
from app.orthanc.errors import OrthancUnavailable

PING_PLUGIN = """
import orthanc


def ping(output, uri, **request):
    output.AnswerBuffer("pong", "text/plain")


orthanc.RegisterRestCallback("/studyshare-ping", ping)
"""


def test_public_mode_with_a_python_script_then_stop(tmp_path):
    script = tmp_path / "ping.py"
    script.write_text(PING_PLUGIN, encoding="utf-8")
    server = OrthancServer(tmp_path / "orthanc", authentication=False, python_script=script)
    with server:
        assert (server.username, server.password) == (None, None)
        assert requests.get(f"{server.url}/studyshare-ping", timeout=5).text == "pong"
        assert OrthancClient(server.url).system()["Name"] == "StudyShare test"
        pid = server.pid
        assert server.config()["AuthenticationEnabled"] is False
    assert server.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert server.log_path.exists()
    with pytest.raises(OrthancUnavailable):
        OrthancClient(server.url, timeout=2).system()


def test_internal_mode_config_is_locked_down(tmp_path):
    config = OrthancServer(tmp_path, password="p", plugins=["dicomweb"]).config()
    assert config["AuthenticationEnabled"] is True
    assert config["RegisteredUsers"] == {"studyshare": "p"}
    assert config["Plugins"][0].endswith("libOrthancDicomWeb.so")
    for off in ("DicomServerEnabled", "RemoteAccessAllowed", "WebDavEnabled", "ExecuteLuaEnabled"):
        assert config[off] is False
    assert config["StorageDirectory"].startswith(str(tmp_path))


def test_a_failed_start_raises_with_the_log_tail(tmp_path):
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))  # noqa: S104 - Orthanc 1.10 binds every interface.
        busy.listen()
        server = OrthancServer(tmp_path, port=busy.getsockname()[1])
        with pytest.raises(RuntimeError, match="exited") as caught:
            server.start()
    assert "Log tail" in str(caught.value)
    assert server.pid is None


def test_a_missing_executable_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(server_module.shutil, "which", lambda name: None)
    monkeypatch.setattr(server_module, "FALLBACK_EXECUTABLE", str(tmp_path / "no-orthanc"))
    with pytest.raises(RuntimeError, match="make setup"):
        OrthancServer(tmp_path).start()


def test_an_unknown_plugin_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="plugin not found"):
        OrthancServer(tmp_path, plugins=["/nowhere/libNothing.so"]).config()
