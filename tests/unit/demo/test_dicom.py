"""The synthetic DICOM generator: deterministic, readable, and covering what demos need."""

import io
from collections import Counter

import pydicom
import pytest
from pydicom.uid import (
    EncapsulatedPDFStorage,
    ExplicitVRLittleEndian,
    UltrasoundMultiFrameImageStorage,
)

from app.demo.bench_studies import bulk_study_instances
from app.demo.catalog import DemoPatient, DemoSeries, DemoStudy
from app.demo.dicom import DEMO_PATIENTS, demo_instances, sop_class_uid

FRAME_TIME = pydicom.tag.Tag("FrameTime")


@pytest.fixture(scope="module")
def files() -> list[bytes]:
    return list(demo_instances())


@pytest.fixture(scope="module")
def datasets(files) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(io.BytesIO(data)) for data in files]


def catalog_entry(ds: pydicom.Dataset) -> tuple[DemoPatient, DemoStudy, DemoSeries]:
    """The catalog's patient, study and series that this instance was made from."""
    for patient in DEMO_PATIENTS:
        for study in patient.studies:
            if study.accession == ds.AccessionNumber:
                return patient, study, study.series[ds.SeriesNumber - 1]
    raise LookupError(ds.AccessionNumber)


def of_kind(datasets, kind: str) -> list[pydicom.Dataset]:
    return [ds for ds in datasets if catalog_entry(ds)[2].kind == kind]


def test_generation_is_byte_for_byte_deterministic(files):
    assert list(demo_instances()) == files


def test_files_are_part10_explicit_little_endian_utf8(files, datasets):
    for data, ds in zip(files, datasets, strict=True):
        assert data[128:132] == b"DICM"
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.SpecificCharacterSet == "ISO_IR 192"
        _, study, series = catalog_entry(ds)
        assert ds.SOPClassUID == sop_class_uid(study, series)


def test_pixel_module_matches_the_pixel_data(datasets):
    for ds in datasets:
        if catalog_entry(ds)[2].kind == "pdf":
            assert "PixelData" not in ds
            continue
        assert ds.PhotometricInterpretation == "MONOCHROME2"
        assert ds.SamplesPerPixel == 1
        assert ds.HighBit == ds.BitsStored - 1
        frames = int(ds.get("NumberOfFrames", 1))
        assert len(ds.PixelData) == frames * ds.Rows * ds.Columns * ds.BitsAllocated // 8


def test_the_catalog_covers_names_birthdays_and_modalities():
    names = {p.name for p in DEMO_PATIENTS}
    assert len(DEMO_PATIENTS) >= 4
    assert "MÜLLER^HANS" in names
    assert "19720229" in {p.birth_date for p in DEMO_PATIENTS}
    modalities = {s.modality for p in DEMO_PATIENTS for s in p.studies}
    assert modalities >= {"CT", "MR", "CR", "US"}
    assert all(len(p.studies) >= 1 for p in DEMO_PATIENTS)
    assert sum(len(p.studies) >= 2 for p in DEMO_PATIENTS) >= 3
    assert len({s.date for p in DEMO_PATIENTS for s in p.studies}) >= 6


def test_files_follow_the_catalog(datasets):
    studies = {s.accession: (p, s) for p in DEMO_PATIENTS for s in p.studies}
    per_study = Counter(ds.AccessionNumber for ds in datasets)
    per_series = Counter((ds.AccessionNumber, ds.SeriesNumber) for ds in datasets)
    for accession, (_, study) in studies.items():
        assert per_study[accession] == sum(series.images for series in study.series)
        for number, series in enumerate(study.series, start=1):
            assert per_series[accession, number] == series.images
    for ds in datasets:
        patient, study, series = catalog_entry(ds)
        assert ds.SeriesDescription == series.description
        assert ds.Modality == study.modality_of(series)
        assert str(ds.PatientName) == patient.name
        assert (ds.PatientID, ds.PatientBirthDate, ds.PatientSex) == (
            patient.patient_id,
            patient.birth_date,
            patient.sex,
        )
        assert (ds.StudyDate, ds.StudyDescription) == (study.date, study.description)


def test_non_ascii_name_is_encoded_as_utf8(files):
    assert any("MÜLLER^HANS".encode() in data for data in files)


def test_image_sizes_per_modality(datasets):
    shapes = {
        (ds.Modality, ds.Rows, ds.Columns, ds.BitsAllocated) for ds in datasets if "PixelData" in ds
    }
    assert shapes == {
        ("CT", 64, 64, 16),
        ("MR", 64, 64, 16),
        ("CR", 128, 128, 16),
        ("US", 64, 64, 8),
    }
    by_series = Counter((ds.Modality, ds.SeriesInstanceUID) for ds in datasets)
    assert max(n for (modality, _), n in by_series.items() if modality == "CT") >= 20
    assert sum(n for (modality, _), n in by_series.items() if modality == "MR") >= 10


def test_cross_sectional_images_have_geometry(datasets):
    for ds in datasets:
        if ds.Modality in ("CT", "MR"):
            assert len(ds.ImagePositionPatient) == 3
            assert len(ds.PixelSpacing) == 2
            assert ds.SliceThickness > 0
            assert ds.FrameOfReferenceUID


def test_uids_are_unique_and_consistent(datasets):
    sop_uids = [ds.SOPInstanceUID for ds in datasets]
    assert len(set(sop_uids)) == len(sop_uids)
    study_uids = {ds.AccessionNumber: ds.StudyInstanceUID for ds in datasets}
    assert len(set(study_uids.values())) == sum(len(p.studies) for p in DEMO_PATIENTS)
    for ds in datasets:
        assert ds.StudyInstanceUID == study_uids[ds.AccessionNumber]
        assert all(len(uid) <= 64 for uid in (ds.SOPInstanceUID, ds.SeriesInstanceUID))


def test_the_catalog_has_a_cine_clip_and_a_pdf_report():
    kinds = Counter(s.kind for p in DEMO_PATIENTS for st in p.studies for s in st.series)
    assert kinds["cine"] >= 1
    assert kinds["pdf"] >= 1
    series = [s for p in DEMO_PATIENTS for st in p.studies for s in st.series]
    assert all(s.frames >= 10 for s in series if s.kind == "cine")


def test_cine_clips_are_valid_multiframe_ultrasound(datasets):
    clips = of_kind(datasets, "cine")
    assert clips
    for ds in clips:
        series = catalog_entry(ds)[2]
        assert ds.SOPClassUID == UltrasoundMultiFrameImageStorage
        assert ds.NumberOfFrames == series.frames
        assert ds.FrameIncrementPointer == FRAME_TIME
        assert ds.FrameTime > 0
        assert (ds.Rows, ds.Columns, ds.BitsAllocated) == (64, 64, 8)


def test_cine_frames_all_differ(datasets):
    for ds in of_kind(datasets, "cine"):
        size = ds.Rows * ds.Columns
        frames = [ds.PixelData[i * size : (i + 1) * size] for i in range(ds.NumberOfFrames)]
        assert len(set(frames)) == len(frames)
        # Frames 1 and 5 (what the viewer tests compare) differ in many pixels, not a few.
        assert sum(a != b for a, b in zip(frames[0], frames[4], strict=True)) > 50


def test_pdf_reports_are_encapsulated_documents(datasets):
    reports = of_kind(datasets, "pdf")
    assert reports
    for ds in reports:
        series = catalog_entry(ds)[2]
        assert ds.SOPClassUID == EncapsulatedPDFStorage
        assert ds.Modality == "DOC"
        assert ds.MIMETypeOfEncapsulatedDocument == "application/pdf"
        assert ds.DocumentTitle == series.report.title
        assert ds.BurnedInAnnotation == "YES"
        assert ds.EncapsulatedDocument.startswith(b"%PDF-1.")
        assert ds.EncapsulatedDocumentLength == len(ds.EncapsulatedDocument)
        assert ds.ConceptNameCodeSequence[0].CodingSchemeDesignator == "LN"


def test_total_size_is_a_few_hundred_kilobytes(files):
    assert 200_000 < sum(map(len, files)) < 1_000_000


def test_bulk_studies_are_deterministic_and_varied():
    first = list(bulk_study_instances(40))
    assert list(bulk_study_instances(40)) == first
    datasets = [pydicom.dcmread(io.BytesIO(data)) for data in first]
    assert len({ds.StudyInstanceUID for ds in datasets}) == 40
    assert len({ds.PatientID for ds in datasets}) == 20
    patients = {(ds.PatientID, str(ds.PatientName), ds.PatientBirthDate) for ds in datasets}
    assert len(patients) == 20
    assert len({str(ds.PatientName) for ds in datasets}) >= 8
    assert len({ds.StudyDate for ds in datasets}) >= 30
    assert {ds.Modality for ds in datasets} == {"CT", "MR", "CR", "US"}
    assert {(ds.Rows, ds.Columns) for ds in datasets} == {(8, 8)}
    for ds in datasets:
        assert len(ds.PixelData) == 64 * ds.BitsAllocated // 8


def test_bulk_seeds_do_not_collide():
    uids = {pydicom.dcmread(io.BytesIO(d)).StudyInstanceUID for d in bulk_study_instances(5)}
    other = {pydicom.dcmread(io.BytesIO(d)).StudyInstanceUID for d in bulk_study_instances(5, "x")}
    assert not uids & other
