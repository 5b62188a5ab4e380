"""Deterministic synthetic DICOM studies for demos, tests and benchmarks."""

from __future__ import annotations

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
    "add_plane",
    "demo_instances",
    "encode",
    "instance_dataset",
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


def instance_dataset(
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
        add_plane(ds, study, index, size, spacing, 5.0 if modality == "CT" else 4.0)
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


def add_plane(
    ds: Dataset, study: DemoStudy, index: int, size: int, spacing: float, thickness: float
) -> None:
    """Place slice `index` of a `size`² axial stack in the study's frame of reference."""
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


def encode(ds: Dataset, pixel_data: bytes | None) -> bytes:
    """The instance as a DICOM Part-10 file (explicit VR little endian)."""
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
                    ds = instance_dataset(patient, study, number, series, index)
                    data = None if series.report else _pixels(study.modality, series, index)
                    yield encode(ds, data)
