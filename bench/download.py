"""Download benchmark: a large study's ZIP through StudyShare versus straight from Orthanc.

    .venv/bin/python bench/download.py [--slices 600] [--rounds 3] [--warmup 0] [--workdir DIR]

Starts its own Orthanc whose storage stays in `instance/bench/orthanc-large-<slices>/`, so
only the first run uploads the generated CT (`large_study_instances`, 600 slices of 512x512
16-bit: 315 MB). StudyShare runs on the shipped server (2 workers) on a free loopback port; a
recipient opens a share of that study, then the client downloads the ZIP through
StudyShare's download route and from Orthanc's `/studies/{id}/archive`, alternating, and
discards the bytes as they come. Prints MB/s per download and StudyShare's workers' peak
RSS growth; exits 1 when StudyShare's median throughput is below 90 % of Orthanc's or a
worker grew by 50 MB or more. See bench/README.md.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import itertools
import statistics
import struct
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pydicom
import requests
from flask import Flask, url_for

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo.bench_studies import large_study_instances  # noqa: E402
from app.demo.dicom import upload_demo_studies  # noqa: E402
from app.orthanc.client import OrthancClient  # noqa: E402
from bench.cpu import children  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SERVERS, SHIPPED, serve  # noqa: E402
from bench.viewer import recipient_session, share_study  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

TARGET_THROUGHPUT = 0.90  # of direct Orthanc's, medians
TARGET_RSS_GROWTH = 50e6  # bytes, the serving worker's peak over its RSS before the download
MB = 1e6
WORKERS = 2
HTTP_TIMEOUT = (5, 120)
READ_CHUNK = 1 << 20
TAIL_BYTES = 4 << 20  # enough for the central directory of a few tens of thousands of files
SAMPLE_SECONDS = 0.02
DOWNLOAD_ENDPOINT = "patient.download"  # the ZIP one (not the DICOMDIR variant)

EOCD = struct.Struct("<4sHHHHIIH")  # signature, disk, cd disk, entries here, entries, size, offset
ZIP64_LOCATOR = struct.Struct("<4sIQI")  # signature, disk, offset of the ZIP64 record, disks
ZIP64_EOCD = struct.Struct("<4sQHHIIQQQQ")
CENTRAL_HEADER = struct.Struct("<4s24xHHH12x")  # signature, name, extra and comment lengths


@dataclass(frozen=True)
class Download:
    side: str
    round: int
    size: int
    seconds: float
    headers_ms: float
    rss_growth: int | None = None  # bytes, StudyShare only
    worker: int | None = None

    @property
    def throughput(self) -> float:
        return self.size / self.seconds / MB


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--slices", type=int, default=600, help="CT slices of 512x512 (600: 315 MB)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed downloads per side")
    parser.add_argument(
        "--warmup",
        type=int,
        default=0,
        help="untimed downloads per side first (the study's files are read into the page"
        " cache anyway)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Orthanc's directory, kept between runs (default: instance/bench/orthanc-large-<n>)",
    )
    parser.add_argument("--server", choices=SERVERS, default=SHIPPED, help="the WSGI server")
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.slices <= 5000:
        parser.error("--slices must be between 1 and 5000")
    if not 1 <= args.rounds <= 50 or not 0 <= args.warmup <= 10:
        parser.error("--rounds must be 1-50 and --warmup 0-10")
    if args.workdir is None:
        args.workdir = ROOT / "instance" / "bench" / f"orthanc-large-{args.slices}"
    return args


# --- the study ----------------------------------------------------------------------------


def load_study(client: OrthancClient, slices: int) -> tuple[str, int]:
    """Upload the slices Orthanc does not have yet; the study's Orthanc id and its size."""
    first = pydicom.dcmread(
        io.BytesIO(next(large_study_instances(slices))), stop_before_pixels=True
    )
    study_id = client.lookup_study_uid(first.StudyInstanceUID)
    have = len(instances_of(client, study_id)) if study_id else 0
    if have < slices:
        print(f"Uploading {slices - have} of {slices} slices (once per --workdir)...", flush=True)
        started = time.perf_counter()
        # Deterministic slices, uploaded in order: an interrupted run stored the first `have`.
        upload_demo_studies(client, itertools.islice(large_study_instances(slices), have, None))
        study_id = client.lookup_study_uid(first.StudyInstanceUID)
        if study_id is None or len(instances_of(client, study_id)) < slices:
            # Something else changed the archive: uploading everything fills the gaps.
            upload_demo_studies(client, large_study_instances(slices))
            study_id = client.lookup_study_uid(first.StudyInstanceUID)
        print(f"Uploaded in {time.perf_counter() - started:.1f} s.", flush=True)
    count = len(instances_of(client, study_id)) if study_id else 0
    if study_id is None or count != slices:
        raise RuntimeError(f"The study holds {count} instances in Orthanc, not {slices}")
    answer = client.session.get(f"{client.base_url}/studies/{study_id}/statistics", timeout=60)
    answer.raise_for_status()
    return study_id, int(answer.json()["DiskSize"])


def read_storage(workdir: Path) -> int:
    """Read Orthanc's stored files once, so that no timed download waits for the disk."""
    read = 0
    for path in (workdir / "storage").rglob("*"):
        if path.is_file():
            with path.open("rb") as stored:
                while chunk := stored.read(READ_CHUNK):
                    read += len(chunk)
    return read


def instances_of(client: OrthancClient, study_id: str) -> list[str]:
    answer = client.session.get(f"{client.base_url}/studies/{study_id}/instances", timeout=60)
    answer.raise_for_status()
    return [instance["ID"] for instance in answer.json()]


# --- StudyShare's workers -----------------------------------------------------------------


def status_bytes(pid: int, field: str) -> int:
    """A `Vm*` line of /proc/<pid>/status, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"/proc/{pid}/status has no {field}")


def reset_peak(pid: int) -> bool:
    """Set the process's VmHWM back to its current RSS (Linux ≥ 4.0); False if refused."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssWatch:
    """Each worker's RSS before, and its peak during, one download.

    The peak is VmHWM after resetting it before the download, when the kernel allows that,
    and in any case the highest VmRSS sampled every SAMPLE_SECONDS.
    """

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.before = {pid: status_bytes(pid, "VmRSS") for pid in pids}
        self.hwm_reset = all(reset_peak(pid) for pid in pids)
        self.peak = dict(self.before)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._read("VmRSS")

    def _read(self, field: str) -> None:
        for pid in self.pids:
            with contextlib.suppress(OSError, RuntimeError):
                self.peak[pid] = max(self.peak[pid], status_bytes(pid, field))

    def stop(self) -> tuple[int, int]:
        """The largest growth of any worker, and that worker."""
        self._stop.set()
        self._thread.join()
        self._read("VmRSS")
        if self.hwm_reset:
            self._read("VmHWM")
        pid = max(self.pids, key=lambda p: self.peak[p] - self.before[p])
        return self.peak[pid] - self.before[pid], pid


# --- the ZIP ------------------------------------------------------------------------------


class Tail:
    """The last TAIL_BYTES of a stream, kept as chunks (no copying as it goes by)."""

    def __init__(self) -> None:
        self.chunks: collections.deque[bytes] = collections.deque()
        self.kept = 0

    def feed(self, chunk: bytes) -> None:
        self.chunks.append(chunk)
        self.kept += len(chunk)
        while self.kept - len(self.chunks[0]) >= TAIL_BYTES:
            self.kept -= len(self.chunks.popleft())

    def bytes(self) -> bytes:
        return b"".join(self.chunks)[-TAIL_BYTES:]


def _find_eocd(tail: bytes) -> int | None:
    """Where the end record starts, if its comment runs exactly to the end of `tail`."""
    lowest = max(0, len(tail) - EOCD.size - 0xFFFF)
    at = len(tail) - EOCD.size
    while at >= lowest:
        at = tail.rfind(b"PK\x05\x06", lowest, at + 4)
        if at < 0:
            return None
        if at + EOCD.size + EOCD.unpack_from(tail, at)[7] == len(tail):
            return at
        at -= 1
    return None


def zip_problem(tail: bytes, total: int, expected_entries: int) -> str | None:
    """Why a ZIP of `total` bytes ending in `tail` is not whole, or None.

    The end of central directory record (PK\\x05\\x06) must end the stream, after its
    comment (Orthanc writes one); with ZIP64, its locator and record come right before it.
    The central directory must end where they start, hold `expected_entries` file headers
    and nothing else.
    """
    start = total - len(tail)  # offset of tail[0] in the stream
    at = _find_eocd(tail)
    if at is None:
        return "no end of central directory record at the end"
    _, _, _, _, entries, cd_size, cd_offset, _ = EOCD.unpack_from(tail, at)
    directory_end = start + at
    locator = at - ZIP64_LOCATOR.size
    if locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
        record = ZIP64_LOCATOR.unpack_from(tail, locator)[2] - start
        if record < 0 or tail[record : record + 4] != b"PK\x06\x06":
            return "ZIP64 end record missing"
        fields = ZIP64_EOCD.unpack_from(tail, record)
        entries, cd_size, cd_offset = fields[7], fields[8], fields[9]
        directory_end = start + record
    if cd_offset + cd_size != directory_end:
        return f"central directory ends at {cd_offset + cd_size}, not at {directory_end}"
    if entries != expected_entries:
        return f"{entries} entries, not {expected_entries}"
    if cd_offset < start:
        return None  # too big a directory to walk here; its bounds and count are right
    position, seen = cd_offset - start, 0
    while position < directory_end - start:
        signature, name, extra, comment = CENTRAL_HEADER.unpack_from(tail, position)
        if signature != b"PK\x01\x02":
            return f"no file header at offset {start + position} of the central directory"
        position += CENTRAL_HEADER.size + name + extra + comment
        seen += 1
    if position != directory_end - start or seen != entries:
        return f"the central directory holds {seen} file headers, not {entries}"
    return None


# --- downloading --------------------------------------------------------------------------


def download(
    session: requests.Session, url: str, side: str, number: int, entries: int
) -> tuple[int, float, float]:
    """Bytes, seconds, and ms until the answer's headers, of one download read and discarded."""
    tail, size = Tail(), 0
    started = time.perf_counter()
    with session.get(
        url, stream=True, timeout=HTTP_TIMEOUT, headers={"Accept-Encoding": "identity"}
    ) as answer:
        headers = time.perf_counter()
        if answer.status_code != 200:
            raise RuntimeError(f"{side}: HTTP {answer.status_code} {answer.text[:200]}")
        for chunk in answer.iter_content(READ_CHUNK):
            size += len(chunk)
            tail.feed(chunk)
    seconds = time.perf_counter() - started
    problem = zip_problem(tail.bytes(), size, entries)
    if problem is not None:
        raise RuntimeError(f"{side}, round {number}: the ZIP is not whole ({problem})")
    return size, seconds, (headers - started) * 1000


def measure(
    sides: dict[str, tuple[requests.Session, str]],
    master: int,
    rounds: int,
    entries: int,
    first_round: int = 1,
) -> list[Download]:
    """Alternate the sides, one download at a time; watch StudyShare's workers during its."""
    results = []
    for number in range(first_round, first_round + rounds):
        order = list(sides) if number % 2 else list(reversed(sides))
        for side in order:
            session, url = sides[side]
            watch = RssWatch(children(master)) if side == "studyshare" else None
            size, seconds, headers_ms = download(session, url, side, number, entries)
            growth, worker = watch.stop() if watch else (None, None)
            results.append(Download(side, number, size, seconds, headers_ms, growth, worker))
            print(
                f"  round {number}: {side:<10} {size / MB:7.1f} MB in {seconds:6.2f} s "
                f"({size / seconds / MB:6.1f} MB/s)",
                flush=True,
            )
    return results


# --- report -------------------------------------------------------------------------------


def report(results: list[Download], hwm_reset: bool, stored: int, recorder: Recorder) -> bool:
    header = (
        f"{'round':>5} {'side':<10} | {'ZIP MB':>7} {'s':>6} {'MB/s':>7} {'headers ms':>11} | "
        f"{'RSS growth MB':>13} {'worker':>7}"
    )
    print(f"\n{header}\n{'-' * len(header)}")
    for one in results:
        growth = (
            f"{one.rss_growth / MB:13.1f} {one.worker:>7}" if one.rss_growth is not None else ""
        )
        print(
            f"{one.round:>5} {one.side:<10} | {one.size / MB:7.1f} {one.seconds:6.2f} "
            f"{one.throughput:7.1f} {one.headers_ms:11.1f} | {growth}"
        )
    print("-" * len(header))
    ours = [r for r in results if r.side == "studyshare"]
    direct = [r for r in results if r.side == "direct"]
    mine = statistics.median(r.throughput for r in ours)
    theirs = statistics.median(r.throughput for r in direct)
    for name, side in (("StudyShare", ours), ("direct Orthanc", direct)):
        rates = [r.throughput for r in side]
        seconds = statistics.median(r.seconds for r in side)
        print(
            f"{name:<15} median {statistics.median(rates):6.1f} MB/s (min {min(rates):.1f}, max "
            f"{max(rates):.1f}; {stored / seconds / MB:.1f} MB/s of stored DICOM), headers "
            f"after {statistics.median(r.headers_ms for r in side):.0f} ms"
        )
    print(
        "MB = 10^6 bytes. Throughput = ZIP bytes / (request sent to last byte), medians over"
        "\nthe rounds. RSS growth = the serving worker's peak during the download "
        + (
            "(VmHWM, reset before,\nand VmRSS sampled"
            if hwm_reset
            else "(VmHWM could not be reset,\nso only VmRSS sampled"
        )
        + f" every {SAMPLE_SECONDS * 1000:.0f} ms) minus its VmRSS before it."
    )
    ratio = mine / theirs
    worst = max(r.rss_growth or 0 for r in ours)
    print()
    met_speed = ratio >= TARGET_THROUGHPUT
    recorder.add(
        "ZIP throughput, median",
        mine,
        "MB/s",
        f"ratio ≥ {TARGET_THROUGHPUT:.2f}",
        met_speed,
        baseline=theirs,
        baseline_name="direct Orthanc",
    )
    print(
        f"throughput: {ratio:.0%} of direct Orthanc's — target ≥ {TARGET_THROUGHPUT:.0%}: "
        f"{'met' if met_speed else 'NOT met'}"
    )
    met_rss = worst < TARGET_RSS_GROWTH
    recorder.add(
        "worker's peak RSS growth",
        worst / MB,
        "MB",
        f"< {TARGET_RSS_GROWTH / MB:.0f} MB",
        met_rss,
    )
    print(
        f"peak RSS growth: {worst / MB:.1f} MB — target < {TARGET_RSS_GROWTH / MB:.0f} MB: "
        f"{'met' if met_rss else 'NOT met'}"
    )
    return met_speed and met_rss


# --- main ---------------------------------------------------------------------------------


def download_path(app: Flask) -> str:
    """The ZIP download of the share's first study, wherever this tree routes it."""
    if DOWNLOAD_ENDPOINT not in app.view_functions:
        raise RuntimeError(f"This tree has no {DOWNLOAD_ENDPOINT} route")
    with app.test_request_context():
        return url_for(DOWNLOAD_ENDPOINT, index=0)


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        print(f"Starting Orthanc in {args.workdir}...", flush=True)
        orthanc, client = start_orthanc(stack, args.workdir, timeout=120)
        study_id, stored = load_study(client, args.slices)
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        env = app_env(orthanc, tmp / "studyshare.db")
        flask_cli(env, "db", "upgrade")
        app = create_app(DevelopmentConfig(env))
        secret, _ = share_study(app, study_id)
        path = download_path(app)
        server = stack.enter_context(
            serve(args.server, "wsgi:app", env, tmp / "server.log", WORKERS)
        )
        browser = stack.enter_context(recipient_session(server.url, secret))
        direct = stack.enter_context(requests.Session())
        direct.auth = orthanc.auth
        sides = {
            "studyshare": (browser, server.url + path),
            "direct": (direct, f"{orthanc.url}/studies/{study_id}/archive"),
        }
        workers = children(server.pid)
        hwm_reset = all(reset_peak(pid) for pid in workers)
        print(
            f"Orthanc {client.system().get('Version', '?')}; one CT of {args.slices} slices "
            f"({stored / MB:.0f} MB stored); StudyShare GET {path} on {args.server} "
            f"(workers {', '.join(map(str, workers))}); "
            f"{args.warmup} warm-up + {args.rounds} timed downloads per side.",
            flush=True,
        )
        read_storage(args.workdir)
        if args.warmup:
            print("Warm-up:", flush=True)
            measure(sides, server.pid, args.warmup, args.slices, first_round=0)
        print("Timed:", flush=True)
        results = measure(sides, server.pid, args.rounds, args.slices)
        recorder = Recorder("download", args.results)
        return 0 if report(results, hwm_reset, stored, recorder) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
