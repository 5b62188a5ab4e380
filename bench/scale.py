"""Data-volume curves: what the console, the recipient pages and the token service cost as
shares and their audit trail grow.

    .venv/bin/python bench/scale.py [--sizes 10000,100000,1000000] [--repeat 20] [--keep]
                                    [--results FILE] [--plot bench/scale.png]

For each size, a PostgreSQL schema (database `studyshare_scale` on 127.0.0.1:5432) is built
by the app's migrations and filled by bench/scale_data.py: that many shares with their studies
and ten times as many audit events, spread over 3 years and 500 clinicians. StudyShare then serves
it (the shipped server, one worker) and the benchmark measures p50/p95 of the console's share list
(first page, a later page, by patient, state and owner), a share's detail with its timeline,
the admin audit log (first page, filters, a later page), the recipient landing and challenge
and `/auth/tokens/validate` with 10k distinct live tokens; then the full CSV export of the
audit log (time, the worker's RSS growth) and `flask shares purge-expired`. Prints the curves
as a table, plots them (`--plot`) and exits 1 when a target is missed. `--keep` keeps the
database, and a later run reuses every size it holds. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import secrets
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo.orthanc_server import OrthancServer  # noqa: E402
from app.shares.birth_dates import birth_date_hash  # noqa: E402
from bench import scale_data as data  # noqa: E402
from bench import scale_probes as probes  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SHIPPED, serve  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

DEFAULT_SIZES = "10000,100000,1000000"
PAGE_TARGET_MS = 100.0
CSV_RSS_TARGET_MB = 50.0
VALIDATE_TOLERANCE = 0.10
VALIDATE_TOKENS = 10_000
AUTHZ_USER = "orthanc-plugin"
# One worker, so every request of a probe meets the same process (and the RSS read is its).
WORKERS = 1


@dataclass
class SizeResult:
    size: int
    generated_seconds: float
    reused: bool
    timings: dict[str, probes.Timing] = field(default_factory=dict)
    export: probes.Export | None = None
    purge_seconds: float = 0.0
    ended_shares: int = 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default=DEFAULT_SIZES, help=f"shares per size, comma-separated ({DEFAULT_SIZES})"
    )
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page and size")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument(
        "--validate-requests", type=int, default=VALIDATE_TOKENS, help="validation calls per size"
    )
    parser.add_argument("--no-csv", action="store_true", help="skip the full CSV export")
    parser.add_argument(
        "--csv-up-to",
        type=int,
        help="export the full CSV only at sizes up to this many shares (default: every size;"
        " at 1M shares the 10M events take minutes)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    add_results_option(parser)
    parser.add_argument("--plot", type=Path, default=ROOT / "bench" / "scale.png")
    args = parser.parse_args(argv)
    try:
        args.sizes = sorted({int(size) for size in args.sizes.split(",") if size.strip()})
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 10000,100000")
    if not args.sizes or args.sizes[0] < 1000:
        parser.error("--sizes: at least one size, each of at least 1000 shares")
    if args.repeat < 2 or args.validate_requests < 2:
        parser.error("--repeat and --validate-requests must be at least 2")
    return args


def environment(orthanc: OrthancServer, size: int, secret_key: str, authz_password: str) -> dict:
    return app_env(
        orthanc,
        Path("unused.db"),
        DATABASE_URL=data.database_url(size),
        SECRET_KEY=secret_key,
        AUTHZ_USERNAME=AUTHZ_USER,
        AUTHZ_PASSWORD=authz_password,
        # The recipient probes answer hundreds of challenges from one address.
        RATELIMIT_ENABLED="false",
    )


def prepare(orthanc: OrthancServer, size: int, authz_password: str) -> tuple[dict, SizeResult]:
    """The size's environment, its data generated unless a kept database has it."""
    done = data.generated(size)
    if done is not None:
        env = environment(orthanc, size, done.secret_key, authz_password)
        return env, SizeResult(size, done.seconds, reused=True)
    secret_key = data.fresh_schema(size)
    env = environment(orthanc, size, secret_key, authz_password)
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "users", "create", data.ADMIN_EMAIL, "--admin", stdin=data.PASSWORD + "\n")
    app = create_app(DevelopmentConfig(env))
    with app.app_context():
        hashes = [birth_date_hash(data.birth_date(n)) for n in range(data.BIRTH_DATES)]
    print(f"  generating {size:,} shares and {size * data.AUDIT_PER_SHARE:,} events...", flush=True)
    made = data.generate(size, secret_key, hashes)
    print(f"  generated in {made.seconds:.0f} s", flush=True)
    return env, SizeResult(size, made.seconds, reused=False)


def measure(env: dict, result: SizeResult, args: argparse.Namespace, tmp: Path) -> None:
    size = result.size
    samples = probes.choose_samples(size, args.repeat + args.warmup)
    app = create_app(DevelopmentConfig(env))
    bodies = probes.validation_bodies(app, args.validate_requests)
    with serve(SHIPPED, "wsgi:app", env, tmp / f"studyshare-{size}.log", WORKERS) as server:
        admin = probes.log_in(server.url, data.ADMIN_EMAIL, data.PASSWORD)
        result.timings.update(
            probes.measure_pages(server.url, admin, samples, args.repeat, args.warmup)
        )
        result.timings.update(probes.measure_recipient(server.url, samples, args.warmup))
        auth = (AUTHZ_USER, env["AUTHZ_PASSWORD"])
        result.timings.update(probes.measure_validate(server.url, bodies, auth, args.warmup))
        if not args.no_csv and (args.csv_up_to is None or size <= args.csv_up_to):
            result.export = probes.measure_csv(server.url, admin, probes.worker_of(server.pid))
    result.purge_seconds, result.ended_shares = probes.measure_purge(
        size, lambda: flask_cli(env, "shares", "purge-expired")
    )


# --- report ---------------------------------------------------------------------------------


def growth_bound(size: int, smallest: int) -> float:
    """How many times the smallest size's figure a logarithmic growth allows at `size`:
    cost = a + b·log10(n), at worst all of it in b, so 1 + log10(size / smallest)."""
    return 1 + math.log10(size / smallest)


def print_table(results: list[SizeResult]) -> None:
    names = list(results[0].timings)
    width = max(len(name) for name in names) + 2
    header = "".join(f"{r.size:>20,}" for r in results)
    print(f"\n{'p50 / p95 (ms)':<{width}}{header}")
    for name in names:
        cells = "".join(
            f"{r.timings[name].p50:>12.1f} /{r.timings[name].p95:>6.1f}" for r in results
        )
        print(f"{name:<{width}}{cells}")
    if any(r.export for r in results):
        print(f"{'CSV export: s, rows':<{width}}", end="")
        print(
            "".join(
                f"{r.export.seconds:>7.0f} s {r.export.rows:>10,}" if r.export else f"{'—':>20}"
                for r in results
            )
        )
        print(f"{'CSV export: RSS growth MB':<{width}}", end="")
        print(
            "".join(
                f"{r.export.rss_growth_mb:>20.1f}" if r.export else f"{'—':>20}" for r in results
            )
        )
    print(f"{'purge-expired: s (ended)':<{width}}", end="")
    print("".join(f"{r.purge_seconds:>7.1f} s {r.ended_shares:>10,}" for r in results))
    made = ", ".join(
        f"{r.size:,}: {'kept' if r.reused else 'generated'} ({r.generated_seconds:.0f} s)"
        for r in results
    )
    print(f"\nData: {made}")


def record(results: list[SizeResult], recorder: Recorder) -> bool:
    smallest, largest = results[0], results[-1]
    verdicts = []
    for name, small in smallest.timings.items():
        if name.startswith("validate"):
            continue
        for result in results:
            p95 = result.timings[name].p95
            verdicts.append(
                recorder.add(
                    f"{name}, p95 at {result.size:,} shares",
                    p95,
                    "ms",
                    f"< {PAGE_TARGET_MS:.0f} ms",
                    p95 < PAGE_TARGET_MS,
                )
            )
        if largest is not smallest:
            bound = growth_bound(largest.size, smallest.size)
            p95 = largest.timings[name].p95
            verdicts.append(
                recorder.add(
                    f"{name}, p95 growth {smallest.size:,} → {largest.size:,}",
                    p95,
                    "ms",
                    f"ratio ≤ {bound:.1f} (logarithmic)",
                    p95 <= small.p95 * bound,
                    baseline=small.p95,
                    baseline_name=f"p95 at {smallest.size:,} shares",
                )
            )
    name = "validate, 10k distinct tokens"
    if smallest.size == VALIDATE_TOKENS:
        for result in results[1:]:
            p50, base = result.timings[name].p50, smallest.timings[name].p50
            verdicts.append(
                recorder.add(
                    f"validate p50 at {result.size:,} shares",
                    p50,
                    "ms",
                    f"ratio ≤ {1 + VALIDATE_TOLERANCE:.2f}",
                    p50 <= base * (1 + VALIDATE_TOLERANCE),
                    baseline=base,
                    baseline_name=f"p50 at {smallest.size:,} shares",
                )
            )
    for result in results:
        if result.export is not None:
            growth = result.export.rss_growth_mb
            verdicts.append(
                recorder.add(
                    f"CSV export RSS growth at {result.size:,} shares "
                    f"({result.export.rows:,} events in {result.export.seconds:.0f} s)",
                    growth,
                    "MB",
                    f"< {CSV_RSS_TARGET_MB:.0f} MB",
                    growth < CSV_RSS_TARGET_MB,
                )
            )
    if largest is not smallest:
        bound = growth_bound(largest.ended_shares, smallest.ended_shares)
        verdicts.append(
            recorder.add(
                f"purge-expired at {largest.ended_shares:,} ended shares",
                largest.purge_seconds,
                "s",
                f"ratio ≤ {bound:.1f} (logarithmic)",
                largest.purge_seconds <= smallest.purge_seconds * bound,
                baseline=smallest.purge_seconds,
                baseline_name=f"at {smallest.ended_shares:,} ended shares",
            )
        )
    return all(verdicts)


def plot(results: list[SizeResult], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    sizes = [r.size for r in results]
    figure, (pages, heavy) = pyplot.subplots(1, 2, figsize=(13, 6), width_ratios=(2, 1))
    pages.set_prop_cycle(color=pyplot.get_cmap("tab20").colors)
    for name in results[0].timings:
        pages.plot(sizes, [r.timings[name].p95 for r in results], marker="o", label=name)
    pages.axhline(PAGE_TARGET_MS, color="red", linestyle="--", label="target: 100 ms")
    pages.set(xscale="log", yscale="log", xlabel="shares", ylabel="p95 (ms)")
    pages.set_title("Pages and calls, p95")
    pages.legend(fontsize=7)
    exported = [r for r in results if r.export]
    if exported:
        at = [r.size for r in exported]
        heavy.plot(at, [r.export.seconds for r in exported], marker="o", label="CSV export (s)")
        rss = [r.export.rss_growth_mb for r in exported]
        heavy.plot(at, rss, marker="o", label="CSV export RSS growth (MB)")
    heavy.plot(sizes, [r.purge_seconds for r in results], marker="o", label="purge-expired (s)")
    heavy.set(xscale="log", yscale="log", xlabel="shares")
    heavy.set_title("Whole-log work")
    heavy.legend(fontsize=7)
    for axes in (pages, heavy):
        axes.set_xticks(sizes, [f"{size:,}" for size in sizes])
        axes.minorticks_off()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)


# --- main -----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    authz_password = secrets.token_urlsafe(24)
    data.ensure_database()
    results: list[SizeResult] = []
    try:
        with contextlib.ExitStack() as stack:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-scale-")))
            orthanc = stack.enter_context(OrthancServer(tmp / "orthanc"))
            for size in args.sizes:
                print(f"{size:,} shares:", flush=True)
                env, result = prepare(orthanc, size, authz_password)
                measure(env, result, args, tmp)
                results.append(result)
    finally:
        if not args.keep:
            data.drop_database()
    print_table(results)
    met = record(results, Recorder("scale", args.results))
    if len(results) > 1:
        plot(results, args.plot)
        print(f"Plot: {args.plot}")
    print("All targets met." if met else "Some targets were missed (see above).")
    return 0 if met else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
