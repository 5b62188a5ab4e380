"""The demo patients and studies: the single description the generator and tests share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoReport:
    """The text of an encapsulated PDF report."""

    title: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DemoSeries:
    """A series of `images` instances: single-frame images, cine clips, or one PDF report."""

    description: str
    images: int
    frames: int = 1
    report: DemoReport | None = None

    @property
    def kind(self) -> str:
        """`image`, `cine` (multi-frame instances of `frames` frames) or `pdf` (a report)."""
        if self.report is not None:
            return "pdf"
        return "cine" if self.frames > 1 else "image"


@dataclass(frozen=True)
class DemoStudy:
    accession: str
    modality: str
    date: str
    time: str
    description: str
    body_part: str
    series: tuple[DemoSeries, ...]

    @property
    def instance_count(self) -> int:
        """Instances in the study, over all its series."""
        return sum(series.images for series in self.series)

    def modality_of(self, series: DemoSeries) -> str:
        """The series' modality: the study's, except "DOC" for a report."""
        return "DOC" if series.kind == "pdf" else self.modality


@dataclass(frozen=True)
class DemoPatient:
    patient_id: str
    name: str
    birth_date: str
    sex: str
    studies: tuple[DemoStudy, ...]


THYROID_REPORT = DemoReport(
    title="Ultrasound thyroid — report",
    lines=(
        "Patient: NAKAMURA, YUKI, born 1985-01-01. Accession number: DEMO0008",
        "Examination: US THYROID, 2023-09-12 13:00",
        "",
        "Findings",
        "Both thyroid lobes are normal in size with a homogeneous echotexture.",
        "Right lobe: a 6 mm anechoic cyst with posterior enhancement.",
        "No solid nodule. No enlarged cervical lymph node.",
        "",
        "Impression",
        "Small simple cyst of the right thyroid lobe, benign. No follow-up needed.",
        "",
        "Dr John Watson, StudyShare Demo Hospital",
        "Synthetic demo data: not a real patient.",
    ),
)

DEMO_PATIENTS: tuple[DemoPatient, ...] = (
    DemoPatient(
        patient_id="SS-DEMO-0001",
        name="MÜLLER^HANS",
        birth_date="19580314",
        sex="M",
        studies=(
            DemoStudy(
                accession="DEMO0001",
                modality="CT",
                date="20230314",
                time="101500",
                description="CT THORAX WITH CONTRAST",
                body_part="CHEST",
                series=(DemoSeries("AX 5mm SOFT TISSUE", 20),),
            ),
            DemoStudy(
                accession="DEMO0002",
                modality="CR",
                date="20240109",
                time="083000",
                description="XR CHEST PA",
                body_part="CHEST",
                series=(DemoSeries("PA", 1),),
            ),
        ),
    ),
    DemoPatient(
        patient_id="SS-DEMO-0002",
        name="DOE^JANE",
        birth_date="19720229",
        sex="F",
        studies=(
            DemoStudy(
                accession="DEMO0003",
                modality="MR",
                date="20230602",
                time="141200",
                description="MR BRAIN",
                body_part="HEAD",
                series=(DemoSeries("AX T1", 5), DemoSeries("AX T2", 5)),
            ),
            DemoStudy(
                accession="DEMO0004",
                modality="US",
                date="20240520",
                time="093000",
                description="US ABDOMEN",
                body_part="ABDOMEN",
                series=(DemoSeries("ABDOMEN", 2),),
            ),
            DemoStudy(
                accession="DEMO0005",
                modality="CR",
                date="20220815",
                time="160500",
                description="XR KNEE RIGHT",
                body_part="KNEE",
                series=(DemoSeries("AP", 1),),
            ),
        ),
    ),
    DemoPatient(
        patient_id="SS-DEMO-0003",
        name="O'BRIEN^SEAN",
        birth_date="19901105",
        sex="M",
        studies=(
            DemoStudy(
                accession="DEMO0006",
                modality="CR",
                date="20221130",
                time="111100",
                description="XR HAND LEFT",
                body_part="HAND",
                series=(DemoSeries("PA", 1),),
            ),
            DemoStudy(
                accession="DEMO0007",
                modality="MR",
                date="20231018",
                time="074500",
                description="MR KNEE RIGHT",
                body_part="KNEE",
                series=(DemoSeries("AX PD", 10),),
            ),
        ),
    ),
    DemoPatient(
        patient_id="SS-DEMO-0004",
        name="NAKAMURA^YUKI",
        birth_date="19850101",
        sex="F",
        studies=(
            DemoStudy(
                accession="DEMO0008",
                modality="US",
                date="20230912",
                time="130000",
                description="US THYROID",
                body_part="NECK",
                series=(
                    DemoSeries("THYROID", 3),
                    DemoSeries("THYROID CINE", 1, frames=12),
                    DemoSeries("REPORT", 1, report=THYROID_REPORT),
                ),
            ),
        ),
    ),
)


def demo_entry(accession: str) -> tuple[DemoPatient, DemoStudy]:
    """The demo patient and study with this accession number."""
    for patient in DEMO_PATIENTS:
        for study in patient.studies:
            if study.accession == accession:
                return patient, study
    raise LookupError(f"no demo study {accession}")
