"""The ZIP completeness check, against real archives written by Python's zipfile."""

from __future__ import annotations

import io
import random
import struct
import zipfile

import pytest

from app.shares.zip_stream import (
    EOCD,
    TAIL_BYTES,
    ZIP64_EOCD,
    ZIP64_LOCATOR,
    ZipStreamCheck,
    zip_end_problem,
)

ORTHANC_COMMENT = b"Created by Orthanc"


def make_zip(
    members: dict[str, bytes],
    *,
    comment: bytes = ORTHANC_COMMENT,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.comment = comment
    return buffer.getvalue()


def noise(size: int, seed: int = 1) -> bytes:
    return random.Random(seed).randbytes(size)  # noqa: S311  (test data, not a secret)


def streamed(data: bytes, chunk: int, announced: int | None = None) -> str | None:
    check = ZipStreamCheck(announced)
    for start in range(0, len(data), chunk):
        check.feed(data[start : start + chunk])
    assert check.received == len(data)
    return check.problem()


SMALL = make_zip({"a/1.dcm": noise(300), "a/2.dcm": b"x" * 500, "b/DICOMDIR": noise(50, 2)})
# Bigger than the tail kept, stored (not deflated): the cut points below fall where named.
BIG = make_zip(
    {f"IMAGES/IM{i}": noise(40_000, i) for i in range(5)}, compression=zipfile.ZIP_STORED
)


@pytest.fixture(scope="module")
def zip64() -> bytes:
    """A real ZIP64 archive: more entries than the classic end record can count."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for number in range(0x10000):
            archive.writestr(f"{number}", b"")
        archive.comment = ORTHANC_COMMENT
    data = buffer.getvalue()
    assert b"PK\x06\x06" in data[-200:]  # the ZIP64 end record
    assert b"PK\x06\x07" in data[-200:]  # and its locator
    return data


@pytest.mark.parametrize(
    "data",
    [
        SMALL,
        BIG,
        make_zip({}),
        make_zip({"one": b"1"}, comment=b""),
        make_zip({"one": noise(1000)}, comment=b"c" * 0xFFFF),
        # A comment holding a decoy end record must not fool the search.
        make_zip({"one": b"1"}, comment=b"PK\x05\x06" + b"\0" * 18 + b"tail"),
    ],
    ids=["small", "big", "empty", "no-comment", "longest-comment", "decoy-in-comment"],
)
@pytest.mark.parametrize("chunk", [1, 7, 4096, 65536, 10**9])
def test_a_whole_zip_passes_in_any_chunking(data, chunk):
    assert streamed(data, chunk) is None


def test_every_cut_of_a_small_zip_is_caught():
    for length in range(len(SMALL)):
        assert zip_end_problem(SMALL[:length][-TAIL_BYTES:], length) is not None, length


def test_cuts_at_telling_places_of_a_big_zip_are_caught():
    directory_at = BIG.rindex(b"PK\x01\x02")
    eocd_at = len(BIG) - EOCD.size - len(ORTHANC_COMMENT)
    cuts = {
        "in the first file": 1000,
        "between files": BIG.index(b"PK\x03\x04", 100),
        "in the last file": directory_at - 5000,
        "in the central directory": directory_at + 10,
        "just before the end record": eocd_at,
        "in the end record": eocd_at + 10,
        "in the comment": len(BIG) - 3,
        "one byte short": len(BIG) - 1,
    }
    for where, length in cuts.items():
        assert streamed(BIG[:length], 65536) is not None, where


def test_bytes_after_the_end_are_caught():
    assert streamed(SMALL + b"\0", 4096) is not None
    assert streamed(SMALL + SMALL, 4096) is not None


def test_a_whole_zip64_passes_and_its_cuts_are_caught(zip64):
    assert streamed(zip64, 65536) is None
    with zipfile.ZipFile(io.BytesIO(zip64)) as archive:
        assert len(archive.namelist()) == 0x10000
    end = len(zip64)
    record_at = zip64.rindex(b"PK\x06\x06")
    for length in [end - 1, end - 30, record_at + 20, record_at, record_at - 1, end // 2]:
        assert zip_end_problem(zip64[:length][-TAIL_BYTES:], length) is not None, length


def test_zip64_offsets_beyond_4_gib():
    """Hand-built ends of a 5 GiB archive: the check needs the tail and the length only."""
    cd_offset, cd_size = 5 * 2**30, 3_000_000
    record_at = cd_offset + cd_size
    record = ZIP64_EOCD.pack(b"PK\x06\x06", 44, 45, 45, 0, 0, 70_000, 70_000, cd_size, cd_offset)
    locator = ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, record_at, 1)
    eocd = EOCD.pack(b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    tail = b"central directory bytes" + record + locator + eocd
    total = record_at + len(record) + len(locator) + len(eocd)
    assert zip_end_problem(tail, total) is None
    # The same end bytes after one byte too few or too many: the offsets no longer add up.
    assert zip_end_problem(tail, total - 1) is not None
    assert zip_end_problem(tail, total + 1) is not None
    # A locator pointing elsewhere than the record right before it.
    moved = ZIP64_LOCATOR.pack(b"PK\x06\x07", 0, record_at - 8, 1)
    assert zip_end_problem(b"central directory bytes" + record + moved + eocd, total)


def test_a_multi_disk_archive_is_refused():
    eocd_at = len(SMALL) - EOCD.size - len(ORTHANC_COMMENT)
    split = bytearray(SMALL)
    struct.pack_into("<H", split, eocd_at + 4, 1)  # "this is disk 1"
    assert streamed(bytes(split), 4096) == "archive spans several disks"


def test_the_announced_size_must_be_met():
    assert streamed(SMALL, 4096, announced=len(SMALL)) is None
    assert "announced" in streamed(SMALL, 4096, announced=len(SMALL) + 1)


def test_not_a_zip_at_all():
    assert streamed(b"", 4096) is not None
    assert streamed(b"<html>Orthanc error</html>", 4096) is not None


def test_memory_stays_constant():
    check = ZipStreamCheck()
    for _ in range(50):
        check.feed(b"\0" * 30_000)
    assert check.received == 1_500_000
    assert len(check._tail) == TAIL_BYTES
