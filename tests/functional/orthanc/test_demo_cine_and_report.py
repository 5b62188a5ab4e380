"""What Orthanc 1.10 and DICOMweb 1.7 make of the demo cine clip and PDF report."""

import io
from dataclasses import dataclass

import pydicom
import pytest
import requests

from app.demo.catalog import DEMO_PATIENTS, DemoSeries
from app.demo.dicom import demo_instances

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"


@dataclass(frozen=True)
class Stored:
    """A demo instance as generated and as Orthanc knows it."""

    series: DemoSeries
    dataset: pydicom.Dataset
    orthanc_id: str
    rest: str
    dicomweb: str


def first_of_kind(kind: str) -> tuple[str, int, DemoSeries]:
    for patient in DEMO_PATIENTS:
        for study in patient.studies:
            for number, series in enumerate(study.series, start=1):
                if series.kind == kind:
                    return study.accession, number, series
    raise LookupError(kind)


class OrthancHttp:
    """Plain HTTP to the session's Orthanc: these routes are Orthanc's, not the client's."""

    def __init__(self, server) -> None:
        self.base = server.url
        self.session = requests.Session()
        self.session.auth = server.auth

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(f"{self.base}{path}", timeout=10, **kwargs)

    def post(self, path: str, data: str) -> requests.Response:
        return self.session.post(f"{self.base}{path}", data=data, timeout=10)


@pytest.fixture(scope="module")
def orthanc(orthanc_server, demo_studies):
    http = OrthancHttp(orthanc_server)
    yield http
    http.session.close()


def stored(orthanc, kind: str) -> Stored:
    accession, number, series = first_of_kind(kind)
    dataset = next(
        ds
        for ds in (pydicom.dcmread(io.BytesIO(data)) for data in demo_instances())
        if (ds.AccessionNumber, ds.SeriesNumber) == (accession, number)
    )
    (found,) = orthanc.post("/tools/lookup", dataset.SOPInstanceUID).json()
    dicomweb = (
        f"/dicom-web/studies/{dataset.StudyInstanceUID}/series/{dataset.SeriesInstanceUID}"
        f"/instances/{dataset.SOPInstanceUID}"
    )
    rest = f"/instances/{found['ID']}"
    return Stored(series, dataset, found["ID"], rest, dicomweb)


@pytest.fixture(scope="module")
def cine(orthanc) -> Stored:
    return stored(orthanc, "cine")


@pytest.fixture(scope="module")
def report(orthanc) -> Stored:
    return stored(orthanc, "pdf")


def test_every_series_matches_the_catalog(orthanc_client, demo_studies):
    for patient in DEMO_PATIENTS:
        for study in patient.studies:
            (found,) = orthanc_client.find_studies(
                {"AccessionNumber": study.accession}, limit=2
            ).studies
            series = sorted(
                orthanc_client.get_study_series(found.orthanc_id), key=lambda s: s.number
            )
            assert [(s.number, s.modality, s.description, len(s.instance_ids)) for s in series] == [
                (number, study.modality_of(one), one.description, one.images)
                for number, one in enumerate(study.series, start=1)
            ]


def test_orthanc_indexes_the_number_of_frames(orthanc, cine):
    tags = orthanc.get(cine.rest).json()["MainDicomTags"]
    assert tags["NumberOfFrames"] == str(cine.series.frames)
    frames = orthanc.get(f"{cine.rest}/frames").json()
    assert frames == list(range(cine.series.frames))


def test_rest_frame_previews_are_zero_based_and_differ(orthanc, cine):
    previews = [
        orthanc.get(f"{cine.rest}/frames/{n}/preview").content for n in range(cine.series.frames)
    ]
    assert all(p.startswith(PNG_SIGNATURE) for p in previews)
    assert len(set(previews)) == cine.series.frames
    assert orthanc.get(f"{cine.rest}/preview").content == previews[0]
    assert orthanc.get(f"{cine.rest}/frames/{cine.series.frames}/preview").status_code == 404


def test_dicomweb_rendered_frames_are_one_based_and_differ(orthanc, cine):
    rendered = {
        n: orthanc.get(f"{cine.dicomweb}/frames/{n}/rendered", headers={"Accept": "image/png"})
        for n in (1, 5)
    }
    assert all(r.status_code == 200 for r in rendered.values())
    assert rendered[1].content != rendered[5].content
    fifth = orthanc.get(f"{cine.rest}/frames/4/preview").content
    assert rendered[5].content == fifth
    jpeg = orthanc.get(f"{cine.dicomweb}/frames/5/rendered")
    assert jpeg.headers["Content-Type"] == "image/jpeg"
    assert jpeg.content.startswith(JPEG_SIGNATURE)
    for outside in (0, cine.series.frames + 1):
        assert orthanc.get(f"{cine.dicomweb}/frames/{outside}/rendered").status_code == 400


def test_the_pdf_comes_back_byte_for_byte(orthanc, report):
    pdf = report.dataset.EncapsulatedDocument
    route = orthanc.get(f"{report.rest}/pdf")
    assert (route.status_code, route.headers["Content-Type"]) == (200, "application/pdf")
    assert route.content == pdf
    tag = orthanc.get(f"{report.rest}/content/0042-0011")
    assert (tag.status_code, tag.headers["Content-Type"]) == (200, "application/octet-stream")
    assert tag.content == pdf


def test_orthanc_keeps_the_sop_class_as_metadata(orthanc, report):
    answer = orthanc.get(f"{report.rest}/metadata/SopClassUid")
    assert answer.text == "1.2.840.10008.5.1.4.1.1.104.1"


def test_a_pdf_has_no_preview_nor_rendering(orthanc, report, cine):
    assert orthanc.get(f"{report.rest}/preview").status_code == 415
    assert orthanc.get(f"{report.dicomweb}/rendered").status_code == 400
    assert orthanc.get(f"{cine.rest}/pdf").status_code == 404
