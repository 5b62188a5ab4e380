"""The load side of the throughput benchmarks: wrk with a Lua script, and where the CPU went.

wrk (Debian's package) drives the endpoint from C with one event loop per thread, so on this
2-core machine it takes a small share of a core; its CPU, the server's and everyone else's
are measured for each run from /proc, so a report can show the generator was not the limit.
Each benchmark's script sorts the answers into its own categories and ends with WRK_DONE.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import resource
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.cpu import children

INSTALL_WRK = "wrk is needed: `sudo apt-get install -y wrk` (Debian/Ubuntu), then run again."

# Shared by every benchmark's script: request() rotates over the requests its init() put in
# `reqs` (`n` of them, from `i`); the threads are remembered so that done() can add up the
# answers each sorted into its categories (globals `count_<name>`, one per name in the
# script's CATEGORIES), then print one parsable line.
WRK_DONE = r"""
function request()
  i = i % n + 1
  return reqs[i]
end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local counts = ""
  for _, name in ipairs(CATEGORIES) do
    local n = 0
    for _, t in ipairs(threads) do
      n = n + (t:get("count_" .. name) or 0)
    end
    counts = counts .. string.format(" count_%s=%d", name, n)
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d status=%d timeout=%d%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout,
    counts))
end
"""

# bench/validate.py's requests: the plugin's bodies with its Basic credentials. Each wrk
# thread pre-formats every request once, then rotates through them. Every request says
# `Connection: close`: the plugin builds a new Orthanc::HttpClient (a new libcurl handle) per
# call, so each validation comes on a new TCP connection, whatever the server could keep
# alive. The response hook sorts answers into granted / denied / anything else.
VALIDATE_SCRIPT = (
    r"""
CATEGORIES = {"granted", "denied", "bad"}

function init(args)
  local file = assert(io.open(args[2]))  -- a file, so the password is not on a command line
  local basic = file:read("*l")
  file:close()
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = basic,
    ["Connection"] = "close",
  }
  reqs = {}
  for line in io.lines(args[1]) do
    reqs[#reqs + 1] = wrk.format("POST", nil, headers, line)
  end
  n = #reqs
  i = (id * 37) % n
  count_granted, count_denied, count_bad = 0, 0, 0
end


function response(status, headers, body)
  if status ~= 200 then
    count_bad = count_bad + 1
  elseif string.find(body, '"granted":%s*true') then
    count_granted = count_granted + 1
  elseif string.find(body, '"granted":%s*false') then
    count_denied = count_denied + 1
  else
    count_bad = count_bad + 1
  end
end
"""
    + WRK_DONE
)


@dataclass(frozen=True)
class Result:
    """One wrk run: what wrk counted and timed, and the CPU each side used meanwhile."""

    clients: int
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    counts: dict[str, int]  # answers per category of the script (CATEGORIES)
    socket_errors: int
    # CPU used during the run, in cores (CPU seconds per second): the app's server
    # (main process and workers), wrk, and every other process on the machine.
    server_cpu: float
    wrk_cpu: float
    other_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def granted(self) -> int:
        return self.counts["granted"]

    @property
    def denied(self) -> int:
        return self.counts["denied"]

    @property
    def bad(self) -> int:
        return self.counts["bad"]


def cpu_cells(result: Result) -> str:
    """Cores used by the server / wrk / everything else, and the server's CPU per request."""
    per_request = result.server_cpu / result.rps * 1e6 if result.requests else 0.0
    return (
        f"{result.server_cpu:4.2f} / {result.wrk_cpu:4.2f} / {result.other_cpu:4.2f}"
        f" ({per_request:4.0f} µs/req)"
    )


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds of all cores together since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by a server's main process and its current workers."""
    used = 0
    for process in (pid, *children(pid)):
        with contextlib.suppress(OSError):
            # Fields after the command name: state is the first, utime the 12th, stime the 13th.
            fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
            used += int(fields[11]) + int(fields[12])
    return used / CLOCK_TICKS


def run_wrk(
    url: str,
    server_pid: int,
    clients: int,
    seconds: int,
    script: Path,
    script_args: list[str],
    threads: int = 1,
) -> Result:
    """One bounded wrk run of `script` against `url`, served by the main process `server_pid`."""
    command = ["wrk", "-t", str(min(threads, clients)), "-c", str(clients)]
    command += ["-d", f"{seconds}s", "--timeout", "5s", "-s", str(script)]
    command += [url, "--", *script_args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, total0 = machine_cpu()
    served0 = server_cpu(server_pid)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    served1 = server_cpu(server_pid)
    busy1, total1 = machine_cpu()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    match = re.search(r"^RESULT (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    values = {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}
    counts = {k.removeprefix("count_"): v for k, v in values.items() if k.startswith("count_")}
    duration = values["duration_us"] / 1e6
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # /proc/stat counts all cores together: its total advances by cores x seconds.
    elapsed = (total1 - total0) / (os.cpu_count() or 1)
    busy = busy1 - busy0
    return Result(
        clients=clients,
        requests=values["requests"],
        seconds=duration,
        p50_ms=values["p50_us"] / 1000,
        p95_ms=values["p95_us"] / 1000,
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        counts=counts,
        socket_errors=sum(values[k] for k in ("connect", "read", "write", "timeout")),
        server_cpu=(served1 - served0) / elapsed,
        wrk_cpu=wrk_cpu / elapsed,
        other_cpu=max(0.0, busy - (served1 - served0) - wrk_cpu) / elapsed,
    )


def write_load_files(tmp: Path, bodies: list[str], auth: tuple[str, str]) -> dict[str, Path]:
    """bench/validate.py's Lua script, its bodies (one a line) and the Basic header."""
    files = {"script": tmp / "validate.lua", "bodies": tmp / "bodies.jsonl", "auth": tmp / "auth"}
    files["script"].write_text(VALIDATE_SCRIPT)
    files["bodies"].write_text("".join(body + "\n" for body in bodies))
    basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    files["auth"].write_text(f"Basic {basic}")
    return files
