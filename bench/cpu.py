"""CPU time that servers and this process spend on one call, from /proc (Linux only).

Wall time on a shared machine measures the other work as much as ours; CPU time barely
moves with it. Every thread counts (Orthanc answers on a pool of them), at nanosecond
resolution (`schedstat`, not the 10 ms ticks of `stat`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


def process_cpu_ns(pid: int) -> int:
    """Nanoseconds on a CPU so far, summed over the live threads of process `pid`."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(stat.read_text().split()[0])
    return total


def children(pid: int) -> list[int]:
    """The child processes of `pid` (a server's workers, for its main process), sorted."""
    found = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found += [int(child) for child in listing.read_text().split()]
    return sorted(found)


@dataclass(frozen=True)
class Cost:
    wall_ms: float
    cpu_ms: float  # this process's, plus the watched servers'


def measured(call: Callable[[], object], servers: list[int]) -> Cost:
    """Wall time of `call`, and the CPU it cost here and in the `servers` processes."""
    # /proc is read outside the timed span, so reading it costs neither figure.
    before = sum(process_cpu_ns(pid) for pid in servers)
    own, started = time.process_time_ns(), time.perf_counter()
    call()
    wall, own = time.perf_counter() - started, time.process_time_ns() - own
    after = sum(process_cpu_ns(pid) for pid in servers)
    return Cost(wall * 1000, (own + after - before) / 1e6)
