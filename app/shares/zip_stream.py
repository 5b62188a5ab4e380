"""Whether a ZIP stream arrived whole, judged from its last bytes as it goes by.

Orthanc 1.10 sends archives with `Connection: close` and no Content-Length, so an Orthanc
that dies mid-way looks like a normal end of the body. A whole ZIP ends with its
end-of-central-directory record (EOCD), then its comment (Orthanc writes "Created by
Orthanc"), and the central directory it points to ends exactly where that record (or the
ZIP64 record before it) starts. A cut stream almost never lines up like that.
"""

from __future__ import annotations

import struct

EOCD = struct.Struct("<4sHHHHIIH")  # signature, disks, entries, size, offset, comment length
ZIP64_LOCATOR = struct.Struct("<4sIQI")  # signature, disk, offset of the ZIP64 record, disks
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")  # signature, record size, versions, disks, ...
EOCD_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR_SIGNATURE = b"PK\x06\x07"
ZIP64_EOCD_SIGNATURE = b"PK\x06\x06"
MAX_COMMENT = 0xFFFF
# Room for a ZIP64 record's "extensible data" (Orthanc and Python write none).
ZIP64_EXTRA_ROOM = 4096
TAIL_BYTES = EOCD.size + MAX_COMMENT + ZIP64_LOCATOR.size + ZIP64_EOCD.size + ZIP64_EXTRA_ROOM


def _find_eocd(tail: bytes) -> int | None:
    """Where the EOCD record starts in `tail`, if its comment runs exactly to the end."""
    position = len(tail) - EOCD.size
    lowest = max(0, len(tail) - EOCD.size - MAX_COMMENT)
    while position >= lowest:
        position = tail.rfind(EOCD_SIGNATURE, lowest, position + len(EOCD_SIGNATURE))
        if position < 0:
            return None
        comment_length = EOCD.unpack_from(tail, position)[7]
        if position + EOCD.size + comment_length == len(tail):
            return position
        position -= 1
    return None


def zip_end_problem(tail: bytes, total: int) -> str | None:
    """Why a ZIP of `total` bytes whose last bytes are `tail` is not whole; None if it is."""
    if len(tail) > total:
        raise ValueError("the tail cannot be longer than the whole")
    start = total - len(tail)  # offset of tail[0] in the whole stream
    eocd_at = _find_eocd(tail)
    if eocd_at is None:
        return "no end-of-central-directory record at the end"
    _, disk, cd_disk, disk_entries, entries, cd_size, cd_offset, _ = EOCD.unpack_from(tail, eocd_at)
    locator_at = eocd_at - ZIP64_LOCATOR.size
    is_zip64 = locator_at >= 0 and tail.startswith(ZIP64_LOCATOR_SIGNATURE, locator_at)
    directory_end = start + eocd_at
    if is_zip64:
        _, z64_disk, record_offset, disks = ZIP64_LOCATOR.unpack_from(tail, locator_at)
        record_at = record_offset - start
        if z64_disk != 0 or disks > 1:
            return "archive spans several disks"
        if record_at < 0 or record_at + ZIP64_EOCD.size > locator_at:
            return "ZIP64 end record not where its locator says"
        fields = ZIP64_EOCD.unpack_from(tail, record_at)
        signature, record_size, _, _, disk, cd_disk, disk_entries, entries, cd_size, cd_offset = (
            fields
        )
        # The record's size counts what follows its first 12 bytes, up to the locator.
        if signature != ZIP64_EOCD_SIGNATURE or record_at + 12 + record_size != locator_at:
            return "ZIP64 end record not where its locator says"
        directory_end = record_offset
    if disk != 0 or cd_disk != 0 or disk_entries != entries:
        return "archive spans several disks"
    if cd_offset + cd_size != directory_end:
        return "central directory does not end where the end record starts"
    return None


class ZipStreamCheck:
    """Fed a ZIP's chunks in order, it says at the end whether the ZIP was whole."""

    def __init__(self, announced_size: int | None = None) -> None:
        self.announced_size = announced_size
        self.received = 0
        self._tail = bytearray()

    def feed(self, chunk: bytes) -> None:
        """Account for the next chunk, keeping only the last TAIL_BYTES (constant memory)."""
        self.received += len(chunk)
        if len(chunk) >= TAIL_BYTES:
            self._tail[:] = chunk[-TAIL_BYTES:]
            return
        self._tail += chunk
        if len(self._tail) > TAIL_BYTES:
            del self._tail[: len(self._tail) - TAIL_BYTES]

    def problem(self) -> str | None:
        """Why what was fed so far is not a whole ZIP, or None when it is."""
        if self.announced_size is not None and self.received != self.announced_size:
            return f"received {self.received} of the {self.announced_size} bytes announced"
        return zip_end_problem(bytes(self._tail), self.received)
