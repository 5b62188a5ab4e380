"""WADO-RS through the gateway: metadata, frames, rendered images, thumbnails, retrieve."""

import gzip
import io
import json

import pydicom
import pytest
from PIL import Image


def instance_path(ct, ending=""):
    path = f"/studies/{ct.study_uid}/series/{ct.series_uid}/instances/{ct.instance_uid}"
    return path + ending


def multipart_parts(response) -> list[bytes]:
    boundary = response.headers["Content-Type"].split("boundary=")[1].strip('"').split(";")[0]
    body = response.get_data()
    assert body.rstrip().endswith(f"--{boundary}--".encode())
    parts = body.split(f"--{boundary}".encode())[1:-1]
    return [part.split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n") for part in parts]


def test_study_metadata_is_dicom_json_naming_the_public_gateway(app, gateway, shared_ct):
    response = gateway(f"/studies/{shared_ct.study_uid}/metadata")
    assert response.status_code == 200
    assert response.mimetype == "application/dicom+json"
    metadata = json.loads(response.get_data())
    assert len(metadata) == 20
    assert {item["0020000D"]["Value"][0] for item in metadata} == {shared_ct.study_uid}
    bulk = metadata[0]["7FE00010"]["BulkDataURI"]
    assert bulk.startswith(app.config["PUBLIC_BASE_URL"] + "/dicom-web/studies/")


def test_metadata_comes_gzipped_when_the_client_accepts_it(gateway, shared_ct):
    response = gateway(
        instance_path(shared_ct, "/metadata"),
        headers={
            "Authorization": f"Bearer {gateway.token}",
            "Accept-Encoding": "gzip",
        },
    )
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.get_data()))[0]["00080018"]


def test_frames_are_multipart_pixel_data(gateway, shared_ct):
    response = gateway(instance_path(shared_ct, "/frames/1"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("multipart/related")
    (pixels,) = multipart_parts(response)
    assert len(pixels) == 64 * 64 * 2


@pytest.mark.parametrize("frames", ["2", "0", "99999999", "1,2", "x", "1;2"])
def test_frames_out_of_range_are_not_found(gateway, shared_ct, frames):
    response = gateway(instance_path(shared_ct, f"/frames/{frames}"))
    assert response.status_code == 404
    assert response.is_json


def test_rendered_frame_is_a_jpeg_and_windowing_changes_it(gateway, shared_ct):
    plain = gateway(instance_path(shared_ct, "/frames/1/rendered"))
    assert plain.status_code == 200
    assert plain.mimetype == "image/jpeg"
    assert Image.open(io.BytesIO(plain.get_data())).size == (64, 64)
    lung = gateway(instance_path(shared_ct, "/frames/1/rendered?window=-600,1500,linear"))
    assert lung.status_code == 200
    assert lung.get_data() != plain.get_data()
    # The function is optional: Orthanc's DICOMweb would refuse it missing, the gateway adds it.
    assert gateway(instance_path(shared_ct, "/rendered?window=-600,1500")).get_data() == (
        gateway(instance_path(shared_ct, "/rendered?window=-600,1500,linear")).get_data()
    )
    small = gateway(instance_path(shared_ct, "/rendered?viewport=32,32&quality=80"))
    assert Image.open(io.BytesIO(small.get_data())).size == (32, 32)


@pytest.mark.parametrize(
    "query",
    [
        "window=40",
        "window=40,0",
        "window=a,b",
        "viewport=0,10",
        "viewport=99999,1",
        "quality=101",
        "foo=1",
        "quality=50&quality=60",
    ],
)
def test_bad_rendering_parameters_get_a_400(gateway, shared_ct, query):
    response = gateway(instance_path(shared_ct, f"/rendered?{query}"))
    assert response.status_code == 400
    assert response.json["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/studies/{study}/thumbnail",
        "/studies/{study}/series/{series}/thumbnail",
        "/studies/{study}/series/{series}/instances/{instance}/thumbnail",
        "/studies/{study}/series/{series}/instances/{instance}/frames/1/thumbnail",
    ],
)
def test_thumbnails_are_small_renderings(gateway, shared_ct, path):
    url = path.format(
        study=shared_ct.study_uid, series=shared_ct.series_uid, instance=shared_ct.instance_uid
    )
    response = gateway(url)
    assert response.status_code == 200
    assert max(Image.open(io.BytesIO(response.get_data())).size) <= 128


def test_bulk_pixel_data(gateway, shared_ct):
    response = gateway(instance_path(shared_ct, "/bulk/7FE00010"))
    assert response.status_code == 200
    (pixels,) = multipart_parts(response)
    assert len(pixels) == 64 * 64 * 2


@pytest.mark.parametrize(
    "path",
    [
        "/studies/{other}/metadata",
        "/studies/{study}/series/{other_series}/metadata",
        "/studies/{study}/series/{series}/instances/{other_instance}/metadata",
        "/studies/{study}/series/{series}/instances/{other_instance}/frames/1",
        "/studies/{other}/thumbnail",
        "/studies/{study}/series/{other_series}/rendered",
        "/studies/{study}/series/{series}/instances/{instance}/bulk/../../../../metadata",
        "/studies/1.2.3/metadata",
        "/studies/not-a-uid/metadata",
        "/studies/{study}/series/{series}/instances/{instance}/bulk/00100010%2F",
        "/patients",
        "/studies/{study}/series/{series}/instances/{instance}/pdf",
    ],
)
def test_foreign_or_unknown_resources_are_404(gateway, shared_ct, path):
    url = path.format(
        study=shared_ct.study_uid,
        series=shared_ct.series_uid,
        instance=shared_ct.instance_uid,
        other=shared_ct.other_study_uid,
        other_series=shared_ct.other_series_uid,
        other_instance=shared_ct.other_instance_uid,
    )
    response = gateway(url)
    assert response.status_code == 404
    assert response.is_json


def test_retrieve_sends_dicom_files_when_downloads_are_allowed(gateway, shared_ct):
    response = gateway(f"/studies/{shared_ct.study_uid}/series/{shared_ct.series_uid}")
    assert response.status_code == 200
    parts = multipart_parts(response)
    assert len(parts) == 20
    assert pydicom.dcmread(io.BytesIO(parts[0])).StudyInstanceUID == shared_ct.study_uid


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_no_write_method(gateway, client, shared_ct, method):
    headers = {"Authorization": f"Bearer {gateway.token}"}
    for path in ("/studies", f"/studies/{shared_ct.study_uid}"):
        response = getattr(client, method)(f"/dicom-web{path}", headers=headers, data=b"x")
        assert response.status_code == 405
        assert response.is_json
