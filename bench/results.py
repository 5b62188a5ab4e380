"""What every benchmark reports to `make bench`: its figures, each with its target.

A benchmark run with `--results FILE` appends one JSON line per figure to FILE, besides
printing its own table; `bench/run_all.py` collects the lines of every benchmark into
`bench/results.md`. A figure is one number held against a target: a measured value, the
baseline measured in the same run when there is one, their ratio, the target in words and
whether it was met.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Figure:
    bench: str  # the script's name: "validate", "landing", ...
    name: str  # what was measured, e.g. "throughput at 10 clients"
    value: float
    unit: str  # "req/s", "ms", "MB/s", ...
    target: str  # in words, e.g. "ratio ≥ 1.30" or "< 50 ms"
    met: bool
    baseline: float | None = None  # measured in the same run, same unit
    baseline_name: str = ""  # e.g. "gunicorn sync ceiling"
    ratio: float | None = None  # value / baseline unless the figure says otherwise


def add_results_option(parser: argparse.ArgumentParser) -> None:
    """The `--results FILE` every benchmark takes (bench/run_all.py passes it)."""
    parser.add_argument("--results", type=Path, help="append the figures to this JSON-lines file")


class Recorder:
    """Collects a benchmark's figures and appends them to `path` (when given) as JSON lines."""

    def __init__(self, bench: str, path: Path | None) -> None:
        self.bench = bench
        self.path = path
        self.figures: list[Figure] = []

    def add(
        self,
        name: str,
        value: float,
        unit: str,
        target: str,
        met: bool,
        *,
        baseline: float | None = None,
        baseline_name: str = "",
        ratio: float | None = None,
    ) -> bool:
        """Record one figure; returns `met`, so a verdict can be built from the calls."""
        if ratio is None and baseline:
            ratio = value / baseline
        figure = Figure(self.bench, name, value, unit, target, met, baseline, baseline_name, ratio)
        self.figures.append(figure)
        if self.path is not None:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(asdict(figure), ensure_ascii=False) + "\n")
        return met


def read_figures(path: Path) -> list[Figure]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Figure(**json.loads(line)) for line in lines if line.strip()]
