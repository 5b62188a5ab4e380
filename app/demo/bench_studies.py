"""Deterministic synthetic studies for the benchmarks: many small ones, or one large CT."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator

from app.demo import pixels
from app.demo.catalog import DemoPatient, DemoSeries, DemoStudy
from app.demo.dicom import add_plane, encode, instance_dataset

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
        ds = instance_dataset(patient, study, 1, study.series[0], 0)
        ds.Rows = ds.Columns = 8
        yield encode(ds, pixels.tiny_image(what, eight_bit=modality == "US"))


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
        ds = instance_dataset(patient, study, 1, study.series[0], index)
        ds.Rows = ds.Columns = size
        add_plane(ds, study, index, size, round(350.0 / size, 4), 1.0)
        yield encode(ds, phantom.slice(index))
