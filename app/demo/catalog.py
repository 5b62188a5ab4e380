"""The demo patients and studies: the single description the generator and tests share."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoSeries:
    description: str
    images: int


@dataclass(frozen=True)
class DemoStudy:
    accession: str
    modality: str
    date: str
    time: str
    description: str
    body_part: str
    series: tuple[DemoSeries, ...]


@dataclass(frozen=True)
class DemoPatient:
    patient_id: str
    name: str
    birth_date: str
    sex: str
    studies: tuple[DemoStudy, ...]


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
                series=(DemoSeries("THYROID", 3),),
            ),
        ),
    ),
)
