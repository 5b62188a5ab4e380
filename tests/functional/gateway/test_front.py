"""The image front (app/gateway/front.py): WADO-RS answered before Flask's request handling,
exactly as Flask would answer it, and everything it refuses answered by Flask, once."""

from __future__ import annotations

import gzip
import re

import pytest
from werkzeug.test import Client

from app import create_app
from app.gateway.front import GatewayFront
from config import TestConfig
from tests.fixtures.scripted_orthanc import orthanc_replaced

ORIGIN = "https://viewer.example.org"


def instance(ct, ending: str) -> str:
    return f"/studies/{ct.study_uid}/series/{ct.series_uid}/instances/{ct.instance_uid}{ending}"


@pytest.fixture
def app_env(app_env):
    return {**app_env, "GATEWAY_CORS_ORIGINS": ORIGIN}


@pytest.fixture
def front(app) -> GatewayFront:
    layer = app.wsgi_app
    while not isinstance(layer, GatewayFront):  # under the token service's layers
        layer = layer.wrapped
    return layer


@pytest.fixture
def handed_on(front, monkeypatch) -> list[str]:
    """The paths the front passed on to Flask."""
    paths = []
    flask_app = front.wrapped

    def recorded(environ, start_response):
        paths.append(environ["PATH_INFO"])
        return flask_app(environ, start_response)

    monkeypatch.setattr(front, "wrapped", recorded)
    return paths


def answer(wsgi_app, path: str, headers: dict[str, str]):
    """Status, headers and body, with Orthanc's multipart boundary (new for every answer)
    taken out."""
    response = Client(wsgi_app).get(f"/dicom-web{path}", headers=headers)
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    found = re.search(r"boundary=([^;]+)", response.headers["Content-Type"])
    if found is None:
        return response.status_code, sorted(response.headers.items()), body
    boundary = found.group(1)
    kept = [
        (name, value.replace(boundary, "B"))
        for name, value in response.headers.items()
        if name != "Content-Length"  # of a compressed body holding the boundary
    ]
    return response.status_code, sorted(kept), body.replace(boundary.encode(), b"B")


@pytest.mark.parametrize(
    "ending",
    [
        "/frames/1/rendered?viewport=32,32&window=40,400",
        "/rendered",
        "/frames/1",
        "/metadata",
        "/thumbnail",
        "",  # the whole instance (a download: this share allows them)
    ],
)
@pytest.mark.parametrize("extra", [{}, {"Origin": ORIGIN}, {"Accept-Encoding": "gzip"}])
def test_the_front_answers_as_flask_would(front, handed_on, gateway, shared_ct, ending, extra):
    headers = {"Authorization": f"Bearer {gateway.token}", **extra}
    path = instance(shared_ct, ending)
    mine = answer(front, path, headers)
    assert handed_on == []
    flasks = answer(front.wrapped, path, headers)
    assert mine[0] == 200
    assert mine == flasks


def test_the_recipient_session_cookie_is_read_in_front(client, make_share, demo_study, handed_on):
    created = make_share([demo_study("DEMO0004").orthanc_id])
    uid = demo_study("DEMO0004").study_instance_uid
    assert client.post(f"/s/{created.secret}", data={}).status_code == 303
    series = client.get(f"/dicom-web/studies/{uid}/series").json[0]["0020000E"]["Value"][0]
    handed_on.clear()
    response = client.get(f"/dicom-web/studies/{uid}/series/{series}/rendered")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert handed_on == []
    client.post("/v/sign-out")
    response = client.get(f"/dicom-web/studies/{uid}/series/{series}/rendered")
    assert response.status_code == 401
    assert response.is_json


@pytest.mark.parametrize(
    ("ending", "status"),
    [
        ("/frames/2/rendered", 404),  # a frame the image does not have
        ("/rendered?viewport=0,0", 400),
        ("/rendered?unknown=1", 400),
        ("/frames/1?quality=5", 400),
    ],
)
def test_refusals_are_flasks_answers(front, handed_on, gateway, shared_ct, ending, status):
    path = instance(shared_ct, ending)
    response = gateway(path)
    assert response.status_code == status
    assert response.is_json
    assert response.json["message"]
    assert response.headers["Content-Security-Policy"]
    assert handed_on == [f"/dicom-web{path.split('?')[0]}"]


def test_a_foreign_uid_or_no_token_is_refused_by_flask(gateway, shared_ct, handed_on):
    foreign = (
        f"/studies/{shared_ct.study_uid}/series/{shared_ct.other_series_uid}"
        f"/instances/{shared_ct.other_instance_uid}/rendered"
    )
    assert gateway(foreign).status_code == 404
    assert gateway(instance(shared_ct, "/rendered"), headers={}).status_code == 401
    assert len(handed_on) == 2


def test_input_the_guard_refuses_goes_to_flask_plainly(gateway, shared_ct, handed_on):
    response = gateway(instance(shared_ct, "/rendered?token=a%00b"))
    assert response.status_code == 400
    assert "NUL" in response.json["message"]
    assert handed_on == [f"/dicom-web{instance(shared_ct, '/rendered')}"]


def test_orthanc_down_is_asked_once(app, gateway, shared_ct, handed_on):
    path = instance(shared_ct, "/rendered")
    assert gateway(path).status_code == 200  # the study's contents, read while it was up
    with orthanc_replaced(app) as start:
        fake = start(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n")
        response = gateway(path)
    assert response.status_code == 503
    assert response.is_json
    assert len(fake.requests) == 1
    assert handed_on == [f"/dicom-web{path}"]


def test_a_database_without_its_tables_is_a_503(app_env, tmp_path, gateway, shared_ct):
    empty = create_app(TestConfig({**app_env, "DATABASE_URL": f"sqlite:///{tmp_path / 'e.db'}"}))
    response = empty.test_client().get(
        f"/dicom-web{instance(shared_ct, '/rendered')}",
        headers={"Authorization": f"Bearer {gateway.token}"},
    )
    assert response.status_code == 503
    assert response.is_json


@pytest.mark.parametrize("stall", [False, True], ids=["hung up", "stalled"])
def test_an_image_cut_short_is_a_503_not_a_short_file(app, gateway, shared_ct, stall, caplog):
    path = instance(shared_ct, "/rendered")
    assert gateway(path).status_code == 200
    head = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 5000\r\n\r\n"
    with orthanc_replaced(app) as start:
        start(head + b"\xff\xd8" * 100, stall=stall)
        response = gateway(path)
    assert response.status_code == 503
    assert response.is_json
    assert "broke off" in caplog.text
