"""Recipient pages under load: the landing page and the challenge, against a constant page.

    .venv/bin/python bench/landing.py [--clients 20] [--duration 8] [--server granian]

Starts its own Orthanc with the demo studies and a throw-away PostgreSQL database (as
production runs), creates birth-date shares of the demo patients in-process, and serves
`bench.landing_app:app` (StudyShare plus a constant page from the recipient layout) on the
shipped server with 2 workers. `wrk` then loads, at `--clients` connections, each of: the
landing page (`GET /s/<secret>`), a right answer to its challenge (`POST`, 303 to the
recipient's home, a session opened), a wrong one (400, an attempt counted), each run right
after the constant page, so drift hits both alike. Prints req/s, p50, p95 and p99 of each
and exits 1 when a page is below 50 % of the constant page's throughput or its p95 is 50 ms
or more. Needs Debian's `wrk`. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo.catalog import DEMO_PATIENTS  # noqa: E402
from app.demo.dicom import demo_instances, upload_demo_studies  # noqa: E402
from app.orthanc.client import OrthancClient  # noqa: E402
from app.orthanc.flask_client import get_orthanc  # noqa: E402
from app.shares.models import ChallengeKind  # noqa: E402
from app.shares.options import ShareOptions  # noqa: E402
from app.shares.service import create_share  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.postgres import PostgresMissingError, fresh_database  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SERVERS, SHIPPED, Server, serve  # noqa: E402
from bench.viewer import bench_clinician  # noqa: E402
from bench.wrk_load import INSTALL_WRK, WRK_DONE, Result, cpu_cells, run_wrk  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

# bench/landing_app.py serves it; under /s/ so that it is a recipient page to every hook (the
# console's would send it to the login), yet no share's link (those have no slash).
CONSTANT_PATH = "/s/bench/constant"
THROUGHPUT_TARGET = 0.50  # of the constant page's
P95_TARGET_MS = 50.0
WORKERS = 2
HTTP_TIMEOUT = (5, 30)
# Counted, not limited: a benchmark from one address would otherwise meet the per-address
# limits within a second, and a wrong answer would lock its share after five tries.
UNLIMITED = {
    "CHALLENGE_LIMIT_PER_IP": "100000000 per minute",
    "CHALLENGE_MAX_ATTEMPTS": "1000000000",
}

# One request a line: METHOD, path, Cookie header and form body, tab-separated. Answers
# with the scenario's status count as expected; anything else is counted apart.
LANDING_SCRIPT = (
    r"""
CATEGORIES = {"expected", "other"}

local function split(line)
  local fields = {}
  for field in string.gmatch(line .. "\t", "([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function init(args)
  expected_status = tonumber(args[2])
  reqs = {}
  for line in io.lines(args[1]) do
    local f = split(line)
    local headers = {}
    if f[3] ~= "" then headers["Cookie"] = f[3] end
    local body = nil
    if f[1] == "POST" then
      headers["Content-Type"] = "application/x-www-form-urlencoded"
      body = f[4]
    end
    reqs[#reqs + 1] = wrk.format(f[1], f[2], headers, body)
  end
  n = #reqs
  i = (id * 7) % n
  count_expected, count_other = 0, 0
end


function response(status, headers, body)
  if status == expected_status then
    count_expected = count_expected + 1
  else
    count_other = count_other + 1
  end
end
"""
    + WRK_DONE
)


@dataclass(frozen=True)
class Scenario:
    name: str
    status: int  # what every answer must be
    lines: list[str]  # the request file's lines


@dataclass(frozen=True)
class Measured:
    scenario: Scenario
    ours: Result
    constant: Result


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20, help="concurrent connections")
    parser.add_argument("--duration", type=int, default=8, help="seconds per measured run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per scenario")
    parser.add_argument("--server", choices=SERVERS, default=SHIPPED, help="the WSGI server")
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.clients <= 500 or not 1 <= args.duration <= 600:
        parser.error("--clients must be 1-500 and --duration 1-600 seconds")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    return args


# --- shares and requests -------------------------------------------------------------------


def dotted(dicom_date: str) -> str:
    """19720229 → 29/02/1972, the English form the challenge reads."""
    return f"{dicom_date[6:8]}/{dicom_date[4:6]}/{dicom_date[:4]}"


def make_shares(app, client: OrthancClient) -> list[tuple[str, str]]:
    """A birth-date share of each demo patient's first study: (link secret, birth date)."""
    shares = []
    with app.app_context():
        owner = bench_clinician()
        for patient in DEMO_PATIENTS:
            found = client.find_studies({"AccessionNumber": patient.studies[0].accession}, limit=1)
            options = ShareOptions(
                study_ids=[found.studies[0].orthanc_id], challenge=ChallengeKind.BIRTH_DATE
            )
            created = create_share(owner, options, get_orthanc())
            shares.append((created.secret, dotted(patient.birth_date)))
    return shares


def answer_line(base: str, secret: str, birth_date: str) -> str:
    """A POST of the challenge form as a browser that opened the link sends it."""
    browser = requests.Session()
    landing = browser.get(f"{base}/s/{secret}", timeout=HTTP_TIMEOUT)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', landing.text)
    if landing.status_code != 200 or token is None:
        raise RuntimeError(f"The landing page answered HTTP {landing.status_code} without a form")
    cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
    body = urlencode({"csrf_token": token.group(1), "birth_date": birth_date})
    return f"POST\t/s/{secret}\t{cookie}\t{body}"


def scenarios(base: str, shares: list[tuple[str, str]]) -> list[Scenario]:
    wrong = "01/01/1900"
    return [
        Scenario("landing page", 200, [f"GET\t/s/{secret}\t\t" for secret, _ in shares]),
        Scenario("right answer", 303, [answer_line(base, s, date) for s, date in shares]),
        Scenario("wrong answer", 400, [answer_line(base, s, wrong) for s, _ in shares]),
    ]


def check(base: str, scenario: Scenario) -> None:
    """Each distinct request once, outside the load: it must get the scenario's status."""
    for line in scenario.lines:
        method, path, cookie, body = line.split("\t")
        headers = {"Cookie": cookie} if cookie else {}
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        answer = requests.request(
            method,
            base + path,
            data=body or None,
            headers=headers,
            allow_redirects=False,
            timeout=HTTP_TIMEOUT,
        )
        if answer.status_code != scenario.status:
            raise RuntimeError(f"{scenario.name}: HTTP {answer.status_code}, not {scenario.status}")


# --- load ----------------------------------------------------------------------------------


def measure(
    server: Server, shares: list[tuple[str, str]], tmp: Path, args: argparse.Namespace
) -> list[Measured]:
    script = tmp / "landing.lua"
    script.write_text(LANDING_SCRIPT)
    constant = Scenario("constant page", 200, [f"GET\t{CONSTANT_PATH}\t\t"])

    def load(scenario: Scenario, seconds: int) -> Result:
        lines = tmp / f"{scenario.name.replace(' ', '-')}.tsv"
        lines.write_text("".join(line + "\n" for line in scenario.lines))
        return run_wrk(
            server.url,
            server.pid,
            args.clients,
            seconds,
            script,
            [str(lines), str(scenario.status)],
        )

    measured = []
    check(server.url, constant)
    for scenario in scenarios(server.url, shares):
        check(server.url, scenario)
        if args.warmup:
            load(scenario, args.warmup)
        print(f"  {constant.name} then {scenario.name}, {args.duration} s each...", flush=True)
        baseline = load(constant, args.duration)
        measured.append(Measured(scenario, load(scenario, args.duration), baseline))
    return measured


# --- report --------------------------------------------------------------------------------


def cells(result: Result) -> str:
    return f"{result.rps:7.0f} {result.p50_ms:7.2f} {result.p95_ms:7.2f} {result.p99_ms:7.2f}"


def report(measured: list[Measured], recorder: Recorder) -> bool:
    header = (
        f"{'page':<14} | {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} | constant page"
    )
    print(f"\n{header}   {'ratio':>6}\n{'-' * (len(header) + 36)}")
    for m in measured:
        print(
            f"{m.scenario.name:<14} | {cells(m.ours)} | {cells(m.constant)} "
            f"{m.ours.rps / m.constant.rps:6.0%}"
        )
    print("\nCPU used during each run, in cores (of 2): server / wrk / others (PostgreSQL)")
    for m in measured:
        print(f"{m.scenario.name:<14} | {cpu_cells(m.ours)} | constant {cpu_cells(m.constant)}")
    print()
    verdicts = []
    for m in measured:
        name, ours, constant = m.scenario.name, m.ours, m.constant
        right = ours.counts["other"] == 0 and ours.socket_errors == 0
        ratio = ours.rps / constant.rps
        verdicts += [
            recorder.add(
                f"{name}: throughput",
                ours.rps,
                "req/s",
                f"ratio ≥ {THROUGHPUT_TARGET:.2f}",
                ratio >= THROUGHPUT_TARGET,
                baseline=constant.rps,
                baseline_name="constant page",
            ),
            recorder.add(
                f"{name}: p95",
                ours.p95_ms,
                "ms",
                f"< {P95_TARGET_MS:.0f} ms",
                ours.p95_ms < P95_TARGET_MS,
            ),
            recorder.add(
                f"{name}: every answer {m.scenario.status}", float(right), "", "all", right
            ),
        ]
        print(
            f"{name}: {ratio:.0%} of the constant page's throughput (target ≥ "
            f"{THROUGHPUT_TARGET:.0%}), p95 {ours.p95_ms:.1f} ms (target < "
            f"{P95_TARGET_MS:.0f} ms), "
            f"{ours.counts['expected']} answers {m.scenario.status}, {ours.counts['other']} other, "
            f"{ours.socket_errors} socket errors: {'met' if all(verdicts[-3:]) else 'NOT met'}"
        )
    return all(verdicts)


# --- main ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        database = stack.enter_context(fresh_database("studyshare_bench_landing"))
        print("Starting Orthanc and loading the demo studies...", flush=True)
        orthanc, client = start_orthanc(stack, tmp / "orthanc")
        upload_demo_studies(client, demo_instances())
        env = {**app_env(orthanc, tmp / "unused.db"), "DATABASE_URL": database, **UNLIMITED}
        flask_cli(env, "db", "upgrade")
        app = create_app(DevelopmentConfig(env))
        shares = make_shares(app, client)
        server = stack.enter_context(
            serve(args.server, "bench.landing_app:app", env, tmp / "server.log", WORKERS)
        )
        print(
            f"Orthanc {client.system().get('Version', '?')}; PostgreSQL; {args.server} with "
            f"{WORKERS} workers; {len(shares)} birth-date shares; wrk {args.clients} "
            f"connections (keep-alive), {args.duration} s per run.",
            flush=True,
        )
        measured = measure(server, shares, tmp, args)
        return 0 if report(measured, Recorder("landing", args.results)) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    try:
        return run_until_interrupted(lambda: run(args))
    except PostgresMissingError as exc:
        print(exc, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
