"""The synthetic DICOM generator: deterministic, readable, and covering what demos need."""

import io
from collections import Counter

import pydicom
import pytest
from pydicom.uid import ExplicitVRLittleEndian

from app.demo.dicom import DEMO_PATIENTS, SOP_CLASSES, bulk_study_instances, demo_instances


@pytest.fixture(scope="module")
def files() -> list[bytes]:
    return list(demo_instances())


@pytest.fixture(scope="module")
def datasets(files) -> list[pydicom.Dataset]:
    return [pydicom.dcmread(io.BytesIO(data)) for data in files]


def test_generation_is_byte_for_byte_deterministic(files):
    assert list(demo_instances()) == files


def test_files_are_part10_explicit_little_endian_utf8(files, datasets):
    for data, ds in zip(files, datasets, strict=True):
        assert data[128:132] == b"DICM"
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.SpecificCharacterSet == "ISO_IR 192"
        assert ds.SOPClassUID == SOP_CLASSES[ds.Modality]


def test_pixel_module_matches_the_pixel_data(datasets):
    for ds in datasets:
        assert ds.PhotometricInterpretation == "MONOCHROME2"
        assert ds.SamplesPerPixel == 1
        assert ds.HighBit == ds.BitsStored - 1
        assert len(ds.PixelData) == ds.Rows * ds.Columns * ds.BitsAllocated // 8


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
    for accession, (_, study) in studies.items():
        assert per_study[accession] == sum(series.images for series in study.series)
    for ds in datasets:
        patient, study = studies[ds.AccessionNumber]
        assert str(ds.PatientName) == patient.name
        assert (ds.PatientID, ds.PatientBirthDate, ds.PatientSex) == (
            patient.patient_id,
            patient.birth_date,
            patient.sex,
        )
        assert (ds.StudyDate, ds.Modality, ds.StudyDescription) == (
            study.date,
            study.modality,
            study.description,
        )


def test_non_ascii_name_is_encoded_as_utf8(files):
    assert any("MÜLLER^HANS".encode() in data for data in files)


def test_image_sizes_per_modality(datasets):
    shapes = {(ds.Modality, ds.Rows, ds.Columns, ds.BitsAllocated) for ds in datasets}
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
