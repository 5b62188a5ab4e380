"""Study search benchmark: the console's search through StudyShare versus the same questions
asked of Orthanc's `/tools/find` directly, on a generated archive of `--studies` studies.

    .venv/bin/python bench/search.py [--studies 5000] [--repeat 20] [--warmup 3] [--workdir DIR]
                                     [--results FILE]

Starts its own Orthanc (reusing the uploaded studies across runs), a StudyShare served by
the shipped server (one worker) on a free loopback port, logs in once and times every search. Prints
median and p95 per search and overall, and whether StudyShare stays within 1.3x of Orthanc
(with `--results`, also as figures for `make bench`: bench/results.py). See bench/README.md
for what "direct" means.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import itertools
import math
import re
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pydicom
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.demo.bench_studies import bulk_study_instances  # noqa: E402
from app.demo.dicom import upload_demo_studies  # noqa: E402
from app.demo.orthanc_server import OrthancServer  # noqa: E402
from app.orthanc.client import OrthancClient  # noqa: E402
from app.studies.criteria import StudyCriteria, contains_pattern  # noqa: E402
from bench.cpu import children, measured  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SERVERS, SHIPPED, serve  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

TARGET_RATIO = 1.30
HTTP_TIMEOUT = (5, 60)
USER_EMAIL = "bench@studyshare.example"


@dataclass(frozen=True)
class Search:
    """One console search: the same criteria drive the form and the direct DICOM query."""

    name: str
    criteria: StudyCriteria
    page: int = 1
    # What a bare client must ask Orthanc for the same studies, when that differs (a name
    # StudyShare folds: the archive's exact spelling and order).
    direct: StudyCriteria | None = None

    def direct_query(self) -> dict[str, str]:
        """Orthanc's literal query: names as `*family*given*`, as before folding."""
        criteria = self.direct or self.criteria
        query = criteria.to_dicom_query()
        if criteria.patient_name:
            query["PatientName"] = contains_pattern(criteria.patient_name)
        return query

    def params(self) -> dict[str, str]:
        """The console's GET parameters, as the search form would send them."""
        fields = vars(self.criteria)
        params = {
            key: value.isoformat() if isinstance(value, date) else value
            for key, value in fields.items()
            if value
        }
        if self.page > 1:
            params["page"] = str(self.page)
        return params


@dataclass
class Timings:
    studyshare: list[float] = field(default_factory=list)
    direct: list[float] = field(default_factory=list)
    bare: list[float] = field(default_factory=list)
    # CPU ms per page, this client's plus the servers' (StudyShare's worker and Orthanc, or
    # Orthanc alone): what the machine's other load barely changes.
    studyshare_cpu: list[float] = field(default_factory=list)
    direct_cpu: list[float] = field(default_factory=list)
    matches: str = "?"


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--studies", type=int, default=5000, help="studies in the archive")
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds per search")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Orthanc's directory, kept between runs (default: instance/bench/orthanc-<n>)",
    )
    parser.add_argument("--server", choices=SERVERS, default=SHIPPED, help="the WSGI server")
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.studies <= 200_000:
        parser.error("--studies must be between 1 and 200000")
    if not 1 <= args.repeat <= 1000:
        parser.error("--repeat must be between 1 and 1000")
    if not 0 <= args.warmup <= 100:
        parser.error("--warmup must be between 0 and 100")
    if args.workdir is None:
        args.workdir = ROOT / "instance" / "bench" / f"orthanc-{args.studies}"
    return args


# --- the archive --------------------------------------------------------------------------


def load_studies(client: OrthancClient, n_studies: int) -> int:
    """Upload the generated studies Orthanc does not have yet; return the study count."""
    have = int(client.statistics().get("CountStudies", 0))
    if have < n_studies:
        print(f"Uploading {n_studies - have} of {n_studies} studies...", flush=True)
        started = time.perf_counter()
        # The generator is deterministic and uploads go in order, so an interrupted earlier
        # run stored exactly the first `have` studies.
        missing = itertools.islice(bulk_study_instances(n_studies), have, None)
        upload_demo_studies(client, missing)
        have = int(client.statistics().get("CountStudies", 0))
        print(f"Uploaded in {time.perf_counter() - started:.1f} s.", flush=True)
    if have < n_studies:
        # Something else changed the archive: uploading everything fills the gaps.
        upload_demo_studies(client, bulk_study_instances(n_studies))
        have = int(client.statistics().get("CountStudies", 0))
    return have


def sample_tags() -> pydicom.Dataset:
    """The tags of the first generated study, the same for every archive size."""
    return pydicom.dcmread(io.BytesIO(next(bulk_study_instances(1))))


def searches(sample: pydicom.Dataset) -> list[Search]:
    """A clinician's mix, from no match to more than the sort window; the report shows the counts.

    The generator spreads 16 family and 16 given names, 7 kinds of study and 10 years of dates
    (2015-2024) over the studies, so with 5,000 a family name matches some 300 of them.
    """
    family, given = str(sample.PatientName).split("^")[:2]
    birth = datetime.strptime(sample.PatientBirthDate, "%Y%m%d").date()
    by_prefix = Search("name prefix", StudyCriteria(patient_name=f"{family.lower()}*"))
    return [
        Search("empty: default page", StudyCriteria()),
        by_prefix,
        replace(by_prefix, name="name prefix, page 3", page=3),
        Search("name contains", StudyCriteria(patient_name=given.lower())),
        Search("name family+given", StudyCriteria(patient_name=f"{family} {given}")),
        Search("patient ID", StudyCriteria(patient_id=str(sample.PatientID))),
        Search("birth date", StudyCriteria(birth_date=birth)),
        Search("accession number", StudyCriteria(accession_number=sample.AccessionNumber)),
        Search(
            "study date, 1 month",
            StudyCriteria(date_from=date(2020, 3, 1), date_to=date(2020, 3, 31)),
        ),
        Search(
            "study date, 2 years",
            StudyCriteria(date_from=date(2018, 1, 1), date_to=date(2019, 12, 31)),
        ),
        Search("modality US", StudyCriteria(modality="US")),
        Search(
            "modality CT + 2021",
            StudyCriteria(modality="CT", date_from=date(2021, 1, 1), date_to=date(2021, 12, 31)),
        ),
        Search("description 'chest'", StudyCriteria(description="chest")),
        Search("no match", StudyCriteria(patient_name="zzz nobody")),
        # Folded by StudyShare (app/studies/names.py); direct: the exact spelling and order.
        Search(
            "name folded 'mueller'",
            StudyCriteria(patient_name="mueller"),
            direct=StudyCriteria(patient_name="MÜLLER"),
        ),
        Search(
            "name given+family",
            StudyCriteria(patient_name=f"{given.lower()} {family.lower()}"),
            direct=StudyCriteria(patient_name=f"{family} {given}"),
        ),
    ]


# --- StudyShare's database ----------------------------------------------------------------


def prepare_database(env: dict[str, str], password: str) -> None:
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "users", "create", USER_EMAIL, stdin=password + "\n")


# --- the two sides ------------------------------------------------------------------------


class Console:
    """A clinician's browser on StudyShare: one login, then searches."""

    def __init__(self, app_url: str) -> None:
        self.url = app_url
        self.session = requests.Session()

    def login(self, password: str) -> None:
        page = self.session.get(f"{self.url}/login", timeout=HTTP_TIMEOUT)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
        if match is None:
            raise RuntimeError("No CSRF token on the login page")
        form = {"email": USER_EMAIL, "password": password, "csrf_token": match.group(1)}
        answer = self.session.post(
            f"{self.url}/login", data=form, timeout=HTTP_TIMEOUT, allow_redirects=False
        )
        if answer.status_code != 302:
            raise RuntimeError(f"Login failed with HTTP {answer.status_code}")

    def search(self, search: Search) -> str:
        """The results page's HTML."""
        answer = self.session.get(
            f"{self.url}/", params=search.params(), timeout=HTTP_TIMEOUT, allow_redirects=False
        )
        if answer.status_code != 200:
            raise RuntimeError(f"{search.name}: StudyShare answered HTTP {answer.status_code}")
        return answer.text


class DirectOrthanc:
    """Asks Orthanc what StudyShare asks for one results page, as a bare client would.

    Both sides then make Orthanc do the same work, so their ratio is StudyShare's own
    overhead (Python, database, HTML, any extra request), which is what the target is about.
    """

    def __init__(self, orthanc: OrthancServer, page_size: int, sort_window: int) -> None:
        self.session = requests.Session()
        self.session.auth = orthanc.auth
        self.find_url = f"{orthanc.url}/tools/find"
        self.page_size = page_size
        self.sort_window = sort_window

    def find(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        answer = self.session.post(self.find_url, json=body, timeout=HTTP_TIMEOUT)
        answer.raise_for_status()
        return answer.json()

    def studies(self, query: dict[str, str], limit: int) -> list[dict[str, Any]]:
        body = {"Level": "Study", "Query": query, "Expand": True, "Limit": limit, "Since": 0}
        return self.find({**body, "CaseSensitive": False})

    def page(self, search: Search) -> tuple[list[dict[str, Any]], int]:
        """The page's studies, most recent first when they can be sorted, and the matches.

        The same Orthanc work StudyShare needs: the sort window (+1 to know it overflowed),
        then the page's series for modalities and counts. Beyond the window StudyShare
        fetches the page again with `Since`; a direct client already has it in the window.
        """
        found = self.studies(search.direct_query(), self.sort_window + 1)
        start = (search.page - 1) * self.page_size
        if len(found) <= self.sort_window:
            found = sorted(found, key=recent_first, reverse=True)
        page = found[start : start + self.page_size]
        uids = [study["MainDicomTags"]["StudyInstanceUID"] for study in page]
        if uids:
            query = {"StudyInstanceUID": "\\".join(uids)}
            self.find({"Level": "Series", "Query": query, "Expand": True})
        return page, len(found)

    def bare(self, search: Search) -> None:
        """Context only: one unsorted page, no series, the least Orthanc can do."""
        self.studies(search.direct_query(), self.page_size + 1)


def recent_first(study: dict[str, Any]) -> tuple[str, str, str]:
    tags = study["MainDicomTags"]
    return (tags.get("StudyDate", ""), tags.get("StudyTime", "").strip(), study["ID"])


def check_same_page(search: Search, html: str, page: list[dict[str, Any]]) -> None:
    """Both sides must show the same studies in the same order, or the timing means nothing."""
    shown = re.findall(r"Acc\. ([^<\s]+)", html)
    expected = [study["MainDicomTags"].get("AccessionNumber", "") for study in page]
    if shown != expected:
        raise RuntimeError(f"{search.name}: StudyShare shows {shown}, Orthanc gives {expected}")


# --- timing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Servers:
    """The processes whose CPU each side costs."""

    studyshare: list[int]  # the server's processes and Orthanc
    direct: list[int]  # Orthanc


def check_pages(console: Console, direct: DirectOrthanc, plan: list[Search]) -> dict:
    """Compare both sides' pages once; return empty timings labelled with the match counts."""
    results: dict[str, Timings] = {}
    for search in plan:
        page, matches = direct.page(search)
        check_same_page(search, console.search(search), page)
        overflow = matches > direct.sort_window
        results[search.name] = Timings(
            matches=f">{direct.sort_window}" if overflow else str(matches)
        )
    return results


def measure(
    console: Console,
    direct: DirectOrthanc,
    servers: Servers,
    plan: list[Search],
    rounds: int,
    results: dict,
) -> None:
    # Rounds interleave the searches and the sides, so drift (caches, CPU frequency, other
    # load) hits both sides alike instead of favouring whichever ran last.
    for _ in range(rounds):
        for search in plan:
            timing = results[search.name]
            ours = measured(lambda s=search: console.search(s), servers.studyshare)
            theirs = measured(lambda s=search: direct.page(s), servers.direct)
            timing.studyshare.append(ours.wall_ms)
            timing.studyshare_cpu.append(ours.cpu_ms)
            timing.direct.append(theirs.wall_ms)
            timing.direct_cpu.append(theirs.cpu_ms)
            timing.bare.append(measured(lambda s=search: direct.bare(s), []).wall_ms)


# --- report -------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def row(name: str, matches: str, timing: Timings) -> str:
    ours, direct, bare, ours_cpu, direct_cpu = (
        statistics.median(v)
        for v in (
            timing.studyshare,
            timing.direct,
            timing.bare,
            timing.studyshare_cpu,
            timing.direct_cpu,
        )
    )
    return (
        f"{name:<28} {matches:>6} | {ours:8.1f} {p95(timing.studyshare):8.1f} | "
        f"{direct:8.1f} {p95(timing.direct):8.1f} | {ours / direct:5.2f}x | "
        f"{bare:7.1f} {ours / bare:6.2f}x | {ours_cpu:6.1f} {direct_cpu:6.1f} "
        f"{ours_cpu / direct_cpu:5.2f}x"
    )


def report(results: dict[str, Timings], recorder: Recorder) -> bool:
    header = (
        f"{'search':<28} {'match':>6} | {'StudyShare ms':>17} | {'direct Orthanc ms':>17} | "
        f"{'ratio':>6} | {'bare /tools/find':>15} | {'CPU ms, median':>20}"
    )
    sub = f"{'':<28} {'':>6} | {'median':>8} {'p95':>8} | {'median':>8} {'p95':>8} | " + (
        f"{'median':>6} | {'median':>7} {'ratio':>7} | {'ours':>6} {'direct':>6} {'ratio':>6}"
    )
    print(f"\n{header}\n{sub}\n{'-' * len(header)}")
    for name, timing in results.items():
        print(row(name, timing.matches, timing))
    print("-" * len(header))
    print(row("ALL (pooled samples)", "", pooled(results)))
    print(
        "\nratio = StudyShare / direct Orthanc (the same Orthanc work: sort window + the page's"
        "\nseries). bare = one unsorted page, no series: not the same question, context only."
        "\nCPU = this client's + the servers' (StudyShare's worker and Orthanc, or Orthanc alone)"
        "\nper page: the work each side costs, which other load on the machine barely changes."
    )
    return verdict(results, recorder)


def pooled(results: dict[str, Timings]) -> Timings:
    return Timings(
        studyshare=[t for r in results.values() for t in r.studyshare],
        direct=[t for r in results.values() for t in r.direct],
        bare=[t for r in results.values() for t in r.bare],
        studyshare_cpu=[t for r in results.values() for t in r.studyshare_cpu],
        direct_cpu=[t for r in results.values() for t in r.direct_cpu],
    )


def verdict(results: dict[str, Timings], recorder: Recorder) -> bool:
    """Judge the whole mix: the sum of per-search medians, each search counted once."""
    # The ratio of pooled medians compares samples of different searches (whichever lands in
    # the middle on each side) and jumps between runs; the mix's total time does not.
    ours = sum(statistics.median(r.studyshare) for r in results.values())
    direct = sum(statistics.median(r.direct) for r in results.values())
    ratios = {
        name: statistics.median(r.studyshare) / statistics.median(r.direct)
        for name, r in results.items()
    }
    worst = max(ratios, key=ratios.__getitem__)
    print(
        f"per-search ratios: geometric mean {statistics.geometric_mean(ratios.values()):.2f}x,"
        f" worst {ratios[worst]:.2f}x ({worst})"
    )
    print(f"whole mix (sum of medians): StudyShare {ours:.1f} ms, direct Orthanc {direct:.1f} ms")
    met = ours / direct <= TARGET_RATIO
    print(
        f"overall ratio {ours / direct:.2f}x — target ≤ {TARGET_RATIO:.2f}: "
        f"{'met' if met else 'NOT met'}"
    )
    recorder.add(
        "whole mix, sum of per-search medians",
        ours,
        "ms",
        f"ratio ≤ {TARGET_RATIO:.2f}",
        met,
        baseline=direct,
        baseline_name="direct Orthanc, same pages",
    )
    ours_cpu = sum(statistics.median(r.studyshare_cpu) for r in results.values())
    direct_cpu = sum(statistics.median(r.direct_cpu) for r in results.values())
    print(
        f"whole mix CPU (sum of medians): StudyShare {ours_cpu:.1f} ms, direct Orthanc "
        f"{direct_cpu:.1f} ms: {ours_cpu / direct_cpu:.2f}x (for information)"
    )
    recorder.add(
        "whole mix CPU, sum of per-search medians",
        ours_cpu,
        "ms",
        "for information",
        True,
        baseline=direct_cpu,
        baseline_name="direct Orthanc, same pages",
    )
    worst_timing = results[worst]
    recorder.add(
        f"worst search ({worst}), median",
        statistics.median(worst_timing.studyshare),
        "ms",
        "for information",
        True,
        baseline=statistics.median(worst_timing.direct),
        baseline_name="direct Orthanc, same page",
    )
    return met


# --- main ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    password = secrets.token_urlsafe(24)
    with contextlib.ExitStack() as stack:
        print(f"Starting Orthanc in {args.workdir}...", flush=True)
        orthanc, client = start_orthanc(stack, args.workdir)
        count = load_studies(client, args.studies)
        version = client.system().get("Version", "?")
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        env = app_env(orthanc, tmp / "studyshare.db")
        config = DevelopmentConfig(env)
        prepare_database(env, password)
        app = stack.enter_context(serve(args.server, "wsgi:app", env, tmp / "server.log", 1))
        console = Console(app.url)
        stack.callback(console.session.close)
        console.login(password)
        direct = DirectOrthanc(orthanc, config.SEARCH_PAGE_SIZE, config.SEARCH_SORT_WINDOW)
        stack.callback(direct.session.close)
        servers = Servers(studyshare=[*children(app.pid), orthanc.pid], direct=[orthanc.pid])
        plan = searches(sample_tags())
        print(
            f"Orthanc {version} with {count} studies; StudyShare on {args.server} (1 worker); "
            f"{len(plan)} searches, {args.warmup} warm-up + {args.repeat} timed rounds.",
            flush=True,
        )
        results = check_pages(console, direct, plan)
        # Warm-up rounds fill caches (Orthanc's SQLite pages, Jinja's compiled templates).
        measure(console, direct, servers, plan, args.warmup, {s.name: Timings() for s in plan})
        measure(console, direct, servers, plan, args.repeat, results)
        return 0 if report(results, Recorder("search", args.results)) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
