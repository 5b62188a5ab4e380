"""Deterministic synthetic DICOM studies for demos, tests and benchmarks."""

from __future__ import annotations

import datetime
import hashlib
import io
from collections.abc import Iterator

import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    ComputedRadiographyImageStorage,
    CTImageStorage,
    EncapsulatedPDFStorage,
    ExplicitVRLittleEndian,
    MRImageStorage,
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
    generate_uid,
)

from app.demo import pixels
from app.demo.catalog import DEMO_PATIENTS, DemoPatient, DemoReport, DemoSeries, DemoStudy
from app.demo.pdf import text_pdf
from app.demo.upload import UploadReport, upload_demo_studies

__all__ = [
    "DEMO_PATIENTS",
    "UploadReport",
    "bulk_study_instances",
    "demo_instances",
    "large_study_instances",
    "sop_class_uid",
    "upload_demo_studies",
]

SOP_CLASSES = {
    "CT": CTImageStorage,
    "MR": MRImageStorage,
    "CR": ComputedRadiographyImageStorage,
    "US": UltrasoundImageStorage,
}
# Image edge in pixels and millimetres per modality.
GEOMETRY = {"CT": (64, 5.0), "MR": (64, 3.75), "CR": (128, 2.0), "US": (64, 0.5)}
INSTITUTION = "StudyShare Demo Hospital"
REFERRER = "WATSON^JOHN^^DR"
CINE_FRAME_MS = 100
# LOINC 18748-4 "Diagnostic imaging study", the document's kind.
REPORT_CONCEPT = ("18748-4", "LN", "Diagnostic imaging study")


def _uid(*parts: str) -> str:
    return generate_uid(entropy_srcs=["studyshare-demo", *parts])


def sop_class_uid(study: DemoStudy, series: DemoSeries) -> str:
    """The SOP class of the series' instances."""
    if series.kind == "pdf":
        return EncapsulatedPDFStorage
    if series.kind == "cine":
        return UltrasoundMultiFrameImageStorage
    return SOP_CLASSES[study.modality]


def _pixels(modality: str, series: DemoSeries, index: int) -> bytes:
    size = GEOMETRY[modality][0]
    if series.kind == "cine":
        if modality != "US":
            raise ValueError("only ultrasound series have cine clips")
        return b"".join(pixels.us_cine_frame(size, i, series.frames) for i in range(series.frames))
    if modality == "CT":
        return pixels.ct_slice(size, index, series.images)
    if modality == "MR":
        return pixels.mr_slice(size, index, series.images, t2="T2" in series.description)
    if modality == "CR":
        return pixels.cr_image(size)
    return pixels.us_image(size)


def _dataset(
    patient: DemoPatient, study: DemoStudy, series_number: int, series: DemoSeries, index: int
) -> Dataset:
    """One instance's tags, without pixels."""
    modality = study.modality_of(series)
    series_uid = _uid(study.accession, str(series_number))
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = sop_class_uid(study, series)
    ds.SOPInstanceUID = _uid(series_uid, str(index))
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = study.date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = study.time
    ds.AccessionNumber = study.accession
    ds.Modality = modality
    ds.Manufacturer = "StudyShare"
    ds.InstitutionName = INSTITUTION
    ds.ReferringPhysicianName = REFERRER
    ds.StudyDescription = study.description
    ds.SeriesDescription = series.description
    ds.BodyPartExamined = study.body_part
    ds.PatientName = patient.name
    ds.PatientID = patient.patient_id
    ds.PatientBirthDate = patient.birth_date
    ds.PatientSex = patient.sex
    ds.StudyInstanceUID = _uid(study.accession)
    ds.SeriesInstanceUID = series_uid
    ds.StudyID = study.accession[-4:]
    ds.SeriesNumber = series_number
    ds.InstanceNumber = index + 1
    if series.report is not None:
        _add_report(ds, study, series.report)
        return ds
    ds.ImageType = ["ORIGINAL", "PRIMARY", *(["AXIAL"] if modality in ("CT", "MR") else [])]
    if modality in ("CT", "MR"):
        size, spacing = GEOMETRY[modality]
        _add_plane(ds, study, index, size, spacing, 5.0 if modality == "CT" else 4.0)
    else:
        ds.PatientOrientation = ["L", "F"]
    _add_modality(ds, modality, series)
    if series.kind == "cine":
        ds.NumberOfFrames = series.frames
        ds.FrameIncrementPointer = 0x00181063  # FrameTime: the frames are equally spaced
        ds.FrameTime = CINE_FRAME_MS
        ds.CineRate = ds.RecommendedDisplayFrameRate = 1000 // CINE_FRAME_MS
    return ds


def _add_report(ds: Dataset, study: DemoStudy, report: DemoReport) -> None:
    document = text_pdf(report.title, report.lines)
    ds.ConversionType = "WSD"
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = report.title
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = REPORT_CONCEPT
    ds.ConceptNameCodeSequence = [code]
    ds.AcquisitionDateTime = study.date + study.time
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.add_new("EncapsulatedDocument", "OB", document)
    ds.EncapsulatedDocumentLength = len(document)


def _add_plane(
    ds: Dataset, study: DemoStudy, index: int, size: int, spacing: float, thickness: float
) -> None:
    z = -100.0 + index * thickness
    ds.FrameOfReferenceUID = _uid(study.accession, "frame-of-reference")
    ds.PositionReferenceIndicator = ""
    corner = -round(size * spacing / 2, 3)
    ds.ImagePositionPatient = [corner, corner, z]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.SliceThickness = thickness
    ds.SliceLocation = z
    ds.PixelSpacing = [spacing, spacing]


def _add_modality(ds: Dataset, modality: str, series: DemoSeries) -> None:
    if modality == "CT":
        ds.KVP = 120
        ds.AcquisitionNumber = 1
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"
        ds.WindowCenter, ds.WindowWidth = 40, 400
    elif modality == "MR":
        t2 = "T2" in series.description
        ds.ScanningSequence, ds.SequenceVariant, ds.ScanOptions = "SE", "NONE", ""
        ds.MRAcquisitionType = "2D"
        ds.RepetitionTime, ds.EchoTime = (4000, 100) if t2 else (500, 15)
        ds.EchoTrainLength = 1
        ds.MagneticFieldStrength = 1.5
        ds.WindowCenter, ds.WindowWidth = 900, 1800
    elif modality == "CR":
        ds.ViewPosition = series.description if series.description in ("PA", "AP") else ""
        ds.ImagerPixelSpacing = [GEOMETRY["CR"][1]] * 2
        ds.WindowCenter, ds.WindowWidth = 1800, 3600
    eight_bit = modality == "US"
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = ds.Columns = GEOMETRY[modality][0]
    ds.BitsAllocated = 8 if eight_bit else 16
    ds.BitsStored = 8 if eight_bit else 12
    ds.HighBit = ds.BitsStored - 1
    ds.PixelRepresentation = 0


def _encode(ds: Dataset, pixel_data: bytes | None) -> bytes:
    if pixel_data is not None:
        ds.add_new("PixelData", "OB" if ds.BitsAllocated == 8 else "OW", pixel_data)
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, enforce_file_format=True)
    return buffer.getvalue()


def demo_instances() -> Iterator[bytes]:
    """Every demo instance as a DICOM Part-10 file, always the same bytes."""
    for patient in DEMO_PATIENTS:
        for study in patient.studies:
            for number, series in enumerate(study.series, start=1):
                for index in range(series.images):
                    ds = _dataset(patient, study, number, series, index)
                    data = None if series.report else _pixels(study.modality, series, index)
                    yield _encode(ds, data)


BENCH_FAMILY = (
    *("SMITH", "GARCÍA", "NGUYEN", "MÜLLER", "ROSSI", "KOWALSKI", "O'NEIL", "DUBOIS"),
    *("SILVA", "KIM", "HANSEN", "YILMAZ", "IVANOVA", "TANAKA", "DE VRIES", "BROWN"),
)
BENCH_GIVEN = (
    *("ANNA", "LUIS", "MAI", "JONAS", "GIULIA", "PIOTR", "AOIFE", "LÉA", "JOÃO", "EMRE"),
    *("SIGRID", "OLGA", "HIRO", "NOAH", "FLEUR", "AMARA"),
)
BENCH_STUDIES = (
    ("CT", "CT HEAD", "HEAD"),
    ("CT", "CT ABDOMEN", "ABDOMEN"),
    ("MR", "MR SPINE", "SPINE"),
    ("MR", "MR SHOULDER LEFT", "SHOULDER"),
    ("CR", "XR CHEST PA", "CHEST"),
    ("CR", "XR FOOT RIGHT", "FOOT"),
    ("US", "US ABDOMEN", "ABDOMEN"),
)


def _number(*parts: object) -> int:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _day(start: datetime.date, number: int, span_days: int) -> str:
    return (start + datetime.timedelta(days=number % span_days)).strftime("%Y%m%d")


def bulk_study_instances(n_studies: int, seed: str = "bench") -> Iterator[bytes]:
    """`n_studies` single 8x8-image studies, two per patient, always the same bytes."""
    tag = f"{_number(seed) % 16**6:06X}"
    for i in range(n_studies):
        who, what = _number(seed, "patient", i // 2), _number(seed, "study", i)
        modality, description, body_part = BENCH_STUDIES[what % len(BENCH_STUDIES)]
        family = BENCH_FAMILY[who % len(BENCH_FAMILY)]
        given = BENCH_GIVEN[(who >> 8) % len(BENCH_GIVEN)]
        patient = DemoPatient(
            f"BN{tag}{i // 2:06d}",
            f"{family}^{given}",
            _day(datetime.date(1930, 1, 1), who >> 16, 80 * 365),
            "FM"[(who >> 4) % 2],
            (),
        )
        seconds = (what >> 24) % 86400
        study = DemoStudy(
            f"B{tag}{i:08d}",
            modality,
            _day(datetime.date(2015, 1, 1), what >> 8, 10 * 365),
            f"{seconds // 3600:02d}{seconds // 60 % 60:02d}{seconds % 60:02d}",
            description,
            body_part,
            (DemoSeries("BENCH", 1),),
        )
        ds = _dataset(patient, study, 1, study.series[0], 0)
        ds.Rows = ds.Columns = 8
        yield _encode(ds, pixels.tiny_image(what, eight_bit=modality == "US"))


def large_study_instances(
    n_slices: int = 600, size: int = 512, seed: str = "bench-large"
) -> Iterator[bytes]:
    """One CT study of `n_slices` 16-bit slices (600 x 512² is 315 MB), always the same bytes."""
    tag = f"{_number(seed, 'large') % 16**6:06X}"
    patient = DemoPatient(f"BL{tag}", "BENCH^LARGE", "19700101", "O", ())
    study = DemoStudy(
        f"L{tag}",
        "CT",
        "20240301",
        "090000",
        "CT LARGE STACK",
        "CHEST",
        (DemoSeries("AX 1mm", n_slices),),
    )
    phantom = pixels.LargeCtPhantom(size, n_slices, seed)
    for index in range(n_slices):
        ds = _dataset(patient, study, 1, study.series[0], index)
        ds.Rows = ds.Columns = size
        _add_plane(ds, study, index, size, round(350.0 / size, 4), 1.0)
        yield _encode(ds, phantom.slice(index))
