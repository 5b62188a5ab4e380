"""`make bench`: every benchmark in bench/, one after the other, and bench/results.md.

    .venv/bin/python bench/run_all.py [--only validate,landing] [--output bench/results.md]

Each benchmark runs as its own process with the arguments below (sized so that the whole set
takes about ten minutes on a 2-core machine) and `--results`, through which it reports its
figures (bench/results.py). Their output streams to the terminal as they run. Then
bench/results.md gets one row per figure: the value, the baseline measured in the same run,
the ratio, the target and whether it was met, under the machine and the date. A benchmark
that fails before reporting gets a row saying so. Exits 1 when a target is missed or a
benchmark failed, 130 when interrupted.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import Figure, read_figures  # noqa: E402


@dataclass(frozen=True)
class Bench:
    name: str  # bench/<name>.py
    args: tuple[str, ...] = ()


# In this order: the longest-lived caches first (search and download keep their Orthanc
# storage in instance/bench/, so only a first run uploads).
BENCHES = (
    Bench("search", ("--repeat", "10")),
    # The levels its targets name, on the shipped server against the gunicorn-sync baseline
    # (the server comparison with gthread is `bench/validate.py` alone).
    Bench(
        "validate",
        ("--warmup", "2", "--duration", "3", "--clients", "10,50", "--servers", "granian"),
    ),
    Bench("landing"),
    Bench("viewer", ("--rounds", "10")),
    Bench("download", ("--rounds", "2")),
    Bench("slow_network", ("--rounds", "2")),
    # The generated shares stay in PostgreSQL (--keep) for the next run; the full CSV export
    # of 1M shares' 10M events takes minutes, so it is measured up to 100k shares here.
    Bench("scale", ("--keep", "--csv-up-to", "100000")),
)


@dataclass(frozen=True)
class Outcome:
    bench: Bench
    exit_code: int
    seconds: float
    figures: list[Figure]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    names = [bench.name for bench in BENCHES]
    parser.add_argument("--only", help=f"comma-separated benchmarks of {', '.join(names)}")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args(argv)
    chosen = names if args.only is None else [n.strip() for n in args.only.split(",") if n]
    if unknown := set(chosen) - set(names):
        parser.error(
            f"unknown benchmarks {', '.join(sorted(unknown))}: choose of {', '.join(names)}"
        )
    args.benches = [bench for bench in BENCHES if bench.name in chosen]
    return args


def run_bench(bench: Bench, results: Path) -> Outcome:
    print(f"\n=== bench/{bench.name}.py {' '.join(bench.args)}", flush=True)
    command = [sys.executable, str(ROOT / "bench" / f"{bench.name}.py"), *bench.args]
    started = time.monotonic()
    done = subprocess.run([*command, "--results", str(results)], cwd=ROOT, check=False)
    if done.returncode == 130:
        raise KeyboardInterrupt
    return Outcome(bench, done.returncode, time.monotonic() - started, read_figures(results))


# --- the machine ---------------------------------------------------------------------------


def command_output(*command: str) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    # Not the exit status: `wrk --version` prints its version, then its usage, and exits 1.
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "unknown"


def machine() -> list[tuple[str, str]]:
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as info:
        for line in info:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    orthanc = command_output("Orthanc", "--version")
    return [
        ("cores", f"{len(os.sched_getaffinity(0))} ({cpu})"),
        ("memory", f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.1f} GiB"),
        ("system", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Orthanc", re.sub(r"^Orthanc\s+", "", orthanc)),
        ("PostgreSQL", command_output("psql", "--version").replace("psql (PostgreSQL) ", "")),
        ("wrk", command_output("wrk", "--version").split(" [")[0]),
    ]


# --- bench/results.md ----------------------------------------------------------------------


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return "—"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def rows(outcome: Outcome) -> list[str]:
    found = [
        f"| {outcome.bench.name} | {f.name} | {number(f.value, f.unit)} | "
        f"{number(f.baseline, f.unit)}{f' ({f.baseline_name})' if f.baseline_name else ''} | "
        f"{'—' if f.ratio is None else f'{f.ratio:.2f}'} | {f.target} | "
        f"{'met' if f.met else '**NOT met**'} |"
        for f in outcome.figures
    ]
    if outcome.exit_code not in (0, 1) or not found:
        found.append(
            f"| {outcome.bench.name} | (the benchmark failed: exit status {outcome.exit_code}; "
            "see its output) | — | — | — | completes | **NOT met** |"
        )
    return found


def passed(outcome: Outcome) -> bool:
    return outcome.exit_code == 0 and bool(outcome.figures) and all(f.met for f in outcome.figures)


def write_results(path: Path, outcomes: list[Outcome], started: datetime) -> None:
    lines = [
        "# Benchmark results",
        "",
        f"Written by `make bench` (bench/run_all.py) on {started:%Y-%m-%d %H:%M} UTC. Each "
        "baseline was measured in the same run as its figure; bench/README.md says what each "
        "benchmark compares.",
        "",
        *(f"- {name}: {value}" for name, value in machine()),
        "",
        "| benchmark | figure | value | baseline | ratio | target | |",
        "|---|---|---|---|---|---|---|",
    ]
    for outcome in outcomes:
        lines += rows(outcome)
    lines += ["", "| benchmark | seconds | verdict |", "|---|---|---|"]
    for o in outcomes:
        verdict = "every target met" if passed(o) else "**missed**"
        lines.append(f"| {o.bench.name} | {o.seconds:.0f} | {verdict} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = datetime.now(UTC)
    outcomes = []
    try:
        with tempfile.TemporaryDirectory(prefix="studyshare-bench-results-") as tmp:
            for bench in args.benches:
                outcomes.append(run_bench(bench, Path(tmp) / f"{bench.name}.jsonl"))
    except KeyboardInterrupt:
        print("\nInterrupted; bench/results.md not written.", file=sys.stderr)
        return 130
    write_results(args.output, outcomes, started)
    missed = [o.bench.name for o in outcomes if not passed(o)]
    total = sum(o.seconds for o in outcomes)
    print(f"\nWrote {args.output} ({total / 60:.1f} minutes).")
    if missed:
        print(f"Targets missed or benchmarks failed: {', '.join(missed)}.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
