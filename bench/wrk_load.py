"""The load side of bench/validate.py: wrk with a Lua script, and where the CPU went.

wrk (Debian's package) drives the endpoint from C with one event loop per thread, so on this
2-core machine it takes a small share of a core; its CPU, gunicorn's and everyone else's
are measured for each run from /proc, so a report can show the generator was not the limit.
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

# Each wrk thread pre-formats every request once, then rotates through them. Every request
# says `Connection: close`: the plugin builds a new Orthanc::HttpClient (a new libcurl handle)
# per call, so each validation comes on a new TCP connection, whatever the worker class could
# keep alive. The response hook sorts answers into granted / denied / anything else; done()
# prints one parsable line.
WRK_SCRIPT = r"""
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

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
  granted, denied, bad = 0, 0, 0
end

function request()
  i = i % n + 1
  return reqs[i]
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  elseif string.find(body, '"granted":%s*true') then
    granted = granted + 1
  elseif string.find(body, '"granted":%s*false') then
    denied = denied + 1
  else
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local g, d, b = 0, 0, 0
  for _, t in ipairs(threads) do
    g = g + t:get("granted")
    d = d + t:get("denied")
    b = b + t:get("bad")
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d granted=%d denied=%d " ..
    "bad=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, g, d, b, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass(frozen=True)
class Result:
    """One wrk run: what wrk counted and timed, and the CPU each side used meanwhile."""

    clients: int
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    granted: int
    denied: int
    bad: int
    socket_errors: int
    # CPU used during the run, in cores (CPU seconds per second): the app's gunicorn
    # (master and workers), wrk, and every other process on the machine.
    server_cpu: float
    wrk_cpu: float
    other_cpu: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """(busy, total) seconds of all cores together since boot, from /proc/stat."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by a gunicorn master and its current workers."""
    try:
        workers = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        workers = []
    used = 0
    for process in (str(pid), *workers):
        with contextlib.suppress(OSError):
            # Fields after the command name: state is the first, utime the 12th, stime the 13th.
            fields = Path(f"/proc/{process}/stat").read_text().rpartition(")")[2].split()
            used += int(fields[11]) + int(fields[12])
    return used / CLOCK_TICKS


def run_wrk(
    url: str, server_pid: int, clients: int, seconds: int, files: dict[str, Path], threads: int
) -> Result:
    """One bounded wrk run against `url`, served by the gunicorn master `server_pid`."""
    command = ["wrk", "-t", str(min(threads, clients)), "-c", str(clients)]
    command += ["-d", f"{seconds}s", "--timeout", "5s", "-s", str(files["script"])]
    command += [url, "--", str(files["bodies"]), str(files["auth"])]
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
        p99_ms=values["p99_us"] / 1000,
        max_ms=values["max_us"] / 1000,
        granted=values["granted"],
        denied=values["denied"],
        bad=values["bad"],
        socket_errors=sum(values[k] for k in ("connect", "read", "write", "timeout")),
        server_cpu=(served1 - served0) / elapsed,
        wrk_cpu=wrk_cpu / elapsed,
        other_cpu=max(0.0, busy - (served1 - served0) - wrk_cpu) / elapsed,
    )


def write_load_files(tmp: Path, bodies: list[str], auth: tuple[str, str]) -> dict[str, Path]:
    """wrk's Lua script, the bodies (one a line) and the Basic header, in a private folder."""
    files = {"script": tmp / "validate.lua", "bodies": tmp / "bodies.jsonl", "auth": tmp / "auth"}
    files["script"].write_text(WRK_SCRIPT)
    files["bodies"].write_text("".join(body + "\n" for body in bodies))
    basic = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
    files["auth"].write_text(f"Basic {basic}")
    return files
