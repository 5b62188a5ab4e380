"""Viewer benchmark: images through StudyShare's DICOMweb gateway versus straight from Orthanc.

    .venv/bin/python bench/viewer.py [--rounds 20] [--warmup 3] [--viewport 512,512]
                                     [--window 40,400,linear] [--server granian --workers 2]

Starts its own Orthanc (with DICOMweb) holding a generated CT of 512x512 slices (or, with
`--study demo`, the demo's 64x64 CT DEMO0001), shares it and serves StudyShare with the
shipped server (2 workers) on a free loopback port.
One sequential client then fetches every slice, round after round, through the gateway's
rendered-frame and frames routes (viewer token) and the same paths on the internal Orthanc,
interleaved image by image; and, when the built-in viewer `/v/studies/0` exists, its page
and first image (recipient session) against Orthanc's first image. Prints p50 and p95 of
the time to first image and of the per-image latency, and the ratio to Orthanc; exits 1
when a ratio is above 1.2. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import math
import re
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests
from flask import Flask
from werkzeug.exceptions import HTTPException

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo.bench_studies import large_study_instances  # noqa: E402
from app.demo.dicom import demo_instances, upload_demo_studies  # noqa: E402
from app.demo.orthanc_server import OrthancServer  # noqa: E402
from app.extensions import db  # noqa: E402
from app.orthanc.client import OrthancClient  # noqa: E402
from app.orthanc.flask_client import get_orthanc  # noqa: E402
from app.orthanc.models import Study  # noqa: E402
from app.shares.models import ChallengeKind  # noqa: E402
from app.shares.options import ShareOptions  # noqa: E402
from app.shares.service import create_share  # noqa: E402
from app.shares.viewer_tokens import mint_viewer_token  # noqa: E402
from app.users.models import Role, User  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SERVERS, SHIPPED, serve  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

TARGET_RATIO = 1.20
HTTP_TIMEOUT = (5, 30)
USER_EMAIL = "bench@studyshare.example"
ACCESSION = "DEMO0001"  # the demo's 20-slice CT (64 x 64)
# A CT as scanners make them: 512 x 512 slices (the demo's 64 x 64 measure mostly overhead).
CT512_SLICES = 40
VIEWER_PATH = "/v/studies/0"
JPEG = "image/jpeg"
FRAMES_ACCEPT = 'multipart/related; type="application/octet-stream"; transfer-syntax=*'
# Gateway paths the viewer page may name (in an attribute, a script or a template string).
RENDERED_URL = re.compile(
    r"/dicom-web/studies/[0-9.]+/series/[0-9.]+/instances/[0-9.]+/"
    r"frames/1/rendered(?:\?[^\"'<>\s`]*)?"
)


@dataclass(frozen=True)
class Image:
    series_uid: str
    instance_uid: str
    number: int


@dataclass
class Samples:
    """Milliseconds: the first image of each round, and every later image of the round."""

    first: list[float] = field(default_factory=list)
    each: list[float] = field(default_factory=list)


@dataclass
class Route:
    """One route, asked of both sides with the same path and headers."""

    name: str
    ending: str  # after .../instances/{I}/
    accept: str
    studyshare: Samples = field(default_factory=Samples)
    direct: Samples = field(default_factory=Samples)


@dataclass
class ViewerFlow:
    """The built-in viewer: its page, then its first image; Orthanc's first image alone."""

    page_path: str
    image_path: str
    image_source: str
    page: list[float] = field(default_factory=list)
    image: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    direct: list[float] = field(default_factory=list)


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20, help="timed rounds (every slice)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed rounds first")
    parser.add_argument("--viewport", default="512,512", help="rendered images' viewport W,H")
    parser.add_argument(
        "--window",
        default="40,400,linear",
        help="rendered images' window C,W,function (Orthanc's DICOMweb 1.7 needs all three;"
        " '' for the image's own)",
    )
    add_study_option(parser, CT512_SLICES)
    parser.add_argument("--server", choices=SERVERS, default=SHIPPED, help="the WSGI server")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes")
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 1000:
        parser.error("--rounds must be between 1 and 1000")
    if not 0 <= args.warmup <= 100:
        parser.error("--warmup must be between 0 and 100")
    if not re.fullmatch(r"[0-9]{1,4},[0-9]{1,4}", args.viewport):
        parser.error("--viewport must be W,H, e.g. 512,512")
    if args.window and not re.fullmatch(r"-?[0-9.]+,[0-9.]+(,[a-z_]+)?", args.window):
        parser.error("--window must be center,width,function, e.g. 40,400,linear")
    if not 1 <= args.workers <= 16:
        parser.error("--workers must be between 1 and 16")
    return args


def add_study_option(parser: argparse.ArgumentParser, slices: int) -> None:
    """`--study`: the study `load_study` uploads."""
    parser.add_argument(
        "--study",
        choices=("ct512", "demo"),
        default="ct512",
        help=f"ct512: {slices} generated 512x512 CT slices; demo: {ACCESSION} (64x64)",
    )


def rendered_query(args: argparse.Namespace) -> str:
    query = f"viewport={args.viewport}"
    return f"{query}&window={args.window}" if args.window else query


# --- Orthanc, the share, the recipient ------------------------------------------------------


def bench_clinician() -> User:
    """The clinician who owns the benchmark's shares (inside an app context)."""
    owner = User(email=USER_EMAIL, name="Bench clinician", role=Role.CLINICIAN)
    owner.set_password(secrets.token_urlsafe(24))
    db.session.add(owner)
    db.session.commit()
    return owner


def load_study(client: OrthancClient, kind: str, slices: int = CT512_SLICES) -> Study:
    """Upload the benchmark's study: `slices` generated 512x512 CT slices, or the demo's CT."""
    if kind == "demo":
        upload_demo_studies(client, demo_instances())
        return client.find_studies({"AccessionNumber": ACCESSION}, limit=1).studies[0]
    upload_demo_studies(client, large_study_instances(n_slices=slices))
    return client.find_studies({"PatientName": "BENCH^LARGE"}, limit=1).studies[0]


def share_study(app: Flask, orthanc_study_id: str) -> tuple[str, str]:
    """A share of one study (no challenge, downloads allowed): its link secret and a token."""
    with app.app_context():
        options = ShareOptions(study_ids=[orthanc_study_id], challenge=ChallengeKind.NONE)
        created = create_share(bench_clinician(), options, get_orthanc())
        return created.secret, mint_viewer_token(created.share)


def recipient_session(app_url: str, secret: str) -> requests.Session:
    """A session that opened the share's link, as the recipient's browser does."""
    session = requests.Session()
    landing = session.get(f"{app_url}/s/{secret}", timeout=HTTP_TIMEOUT)
    if landing.status_code != 200:
        raise RuntimeError(f"The share's link answered HTTP {landing.status_code}")
    # A share without a challenge posts an empty form: only the CSRF token, if the page has one.
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', landing.text)
    form = {"csrf_token": found.group(1)} if found else {}
    opened = session.post(
        f"{app_url}/s/{secret}", data=form, timeout=HTTP_TIMEOUT, allow_redirects=False
    )
    if opened.status_code != 303:
        raise RuntimeError(f"Opening the share answered HTTP {opened.status_code}, not 303")
    return session


def study_images(orthanc: OrthancServer, study_uid: str) -> list[Image]:
    """The study's images in viewing order (series, then InstanceNumber), asked of Orthanc."""
    base = f"{orthanc.url}/dicom-web/studies/{study_uid}"
    images = []
    with requests.Session() as session:
        session.auth = orthanc.auth
        series = session.get(f"{base}/series", timeout=HTTP_TIMEOUT).json()
        for entry in series:
            series_uid = entry["0020000E"]["Value"][0]
            found = session.get(
                f"{base}/series/{series_uid}/instances",
                params={"includefield": "00200013"},
                timeout=HTTP_TIMEOUT,
            ).json()
            images += sorted(
                (
                    Image(series_uid, i["00080018"]["Value"][0], int(i["00200013"]["Value"][0]))
                    for i in found
                ),
                key=lambda image: image.number,
            )
    return images


def viewer_page_exists(app: Flask) -> bool:
    """Whether this tree's app has a route for the built-in viewer's page."""
    try:
        app.url_map.bind("127.0.0.1").match(VIEWER_PATH, method="GET")
    except HTTPException:
        return False
    return True


def first_image_of_page(page: str, fallback: str) -> tuple[str, str]:
    """The first rendered image the viewer page names, else `fallback`; and which it was."""
    found = RENDERED_URL.search(html.unescape(page))
    if found is not None:
        return found.group(0), "named by the page"
    return fallback, "not named by the page: the first slice at the bench's viewport"


# --- the two sides ------------------------------------------------------------------------


class Sides:
    """Fresh clients for each side: StudyShare's gateway (viewer token), Orthanc (credentials),
    and the recipient's browser (session cookie)."""

    def __init__(
        self,
        app_url: str,
        orthanc: OrthancServer,
        token: str,
        cookies: requests.cookies.RequestsCookieJar,
    ) -> None:
        self.app_url = app_url
        self.orthanc = orthanc
        self.token = token
        self.cookies = cookies

    def studyshare(self) -> requests.Session:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self.token}"
        return session

    def direct(self) -> requests.Session:
        session = requests.Session()
        session.auth = self.orthanc.auth
        return session

    def browser(self) -> requests.Session:
        session = requests.Session()
        session.cookies.update(self.cookies)
        return session


def fetch(session: requests.Session, url: str, accept: str) -> requests.Response:
    answer = session.get(url, headers={"Accept": accept}, timeout=HTTP_TIMEOUT)
    if answer.status_code != 200 or not answer.content:
        raise RuntimeError(f"GET {url} answered HTTP {answer.status_code}: {answer.text[:200]}")
    return answer


def timed(call: Callable[[], object]) -> float:
    """Milliseconds one call takes (the whole body received)."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def instance_path(study_uid: str, image: Image, ending: str) -> str:
    return (
        f"/dicom-web/studies/{study_uid}/series/{image.series_uid}"
        f"/instances/{image.instance_uid}/{ending}"
    )


def check_same_answers(
    sides: Sides, routes: list[Route], study_uid: str, images: list[Image]
) -> str:
    """Both sides must send the same image for the same request, or the timing means nothing.

    Returns what StudyShare's `Connection` header says (sync workers close every connection).
    """
    connection = "?"
    with sides.studyshare() as ours, sides.direct() as direct:
        for route in routes:
            for image in (images[0], images[-1]):
                path = instance_path(study_uid, image, route.ending)
                mine = fetch(ours, sides.app_url + path, route.accept)
                theirs = fetch(direct, sides.orthanc.url + path, route.accept)
                connection = mine.headers.get("Connection", "keep-alive")
                if media_type(mine) != media_type(theirs) or payload(mine) != payload(theirs):
                    raise RuntimeError(f"{route.name}: StudyShare and Orthanc differ for {path}")
    return connection


def media_type(answer: requests.Response) -> str:
    return answer.headers.get("Content-Type", "").split(";")[0].strip()


def payload(answer: requests.Response) -> list[bytes]:
    """The image bytes: the body, or a multipart body's parts without their headers (each
    side draws its own boundary and names its own host in Content-Location)."""
    found = re.search(r'boundary="?([^";,]+)"?', answer.headers.get("Content-Type", ""))
    if found is None:
        return [answer.content]
    delimiter = b"--" + found.group(1).encode()
    parts = answer.content.split(delimiter)[1:-1]  # before the first and after the last: none
    return [part.split(b"\r\n\r\n", 1)[-1].removesuffix(b"\r\n") for part in parts]


# --- timing -------------------------------------------------------------------------------


def measure(
    sides: Sides,
    routes: list[Route],
    viewer: ViewerFlow | None,
    study_uid: str,
    images: list[Image],
    rounds: int,
) -> None:
    """Each round, every slice on both sides in turn, image by image, on fresh clients.

    The side asked first alternates from round to round, so that neither side always meets
    whatever the other just warmed (Orthanc's caches) or disturbed.
    """
    for number in range(rounds):
        swap = number % 2 == 1
        for route in routes:
            sessions = [
                (sides.studyshare(), sides.app_url, route.studyshare),
                (sides.direct(), sides.orthanc.url, route.direct),
            ]
            if swap:
                sessions.reverse()
            for index, image in enumerate(images):
                path = instance_path(study_uid, image, route.ending)
                for session, base, samples in sessions:
                    took = timed(lambda s=session, u=base + path, a=route.accept: fetch(s, u, a))
                    (samples.first if index == 0 else samples.each).append(took)
            for session, _, _ in sessions:
                session.close()
        if viewer is not None:
            flows = [lambda: viewer_flow(sides, viewer), lambda: direct_flow(sides, viewer)]
            for flow in reversed(flows) if swap else flows:
                flow()


def viewer_flow(sides: Sides, viewer: ViewerFlow) -> None:
    """The recipient opens the viewer page; its first image follows."""
    with sides.browser() as browser:
        started = time.perf_counter()
        fetch(browser, sides.app_url + viewer.page_path, "text/html")
        shown = time.perf_counter()
        fetch(browser, sides.app_url + viewer.image_path, JPEG)
        done = time.perf_counter()
    viewer.page.append((shown - started) * 1000)
    viewer.image.append((done - shown) * 1000)
    viewer.total.append((done - started) * 1000)


def direct_flow(sides: Sides, viewer: ViewerFlow) -> None:
    with sides.direct() as direct:
        viewer.direct.append(
            timed(lambda: fetch(direct, sides.orthanc.url + viewer.image_path, JPEG))
        )


def discard(routes: list[Route], viewer: ViewerFlow | None) -> None:
    """Forget the warm-up rounds' samples."""
    for route in routes:
        route.studyshare, route.direct = Samples(), Samples()
    if viewer is not None:
        viewer.page, viewer.image, viewer.total, viewer.direct = [], [], [], []


# --- report -------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Line:
    name: str
    ours: list[float]
    direct: list[float]
    judged: bool = True

    @property
    def ratio(self) -> float:
        return statistics.median(self.ours) / statistics.median(self.direct)

    @property
    def added(self) -> float:
        return statistics.median(self.ours) - statistics.median(self.direct)


def lines(routes: list[Route], viewer: ViewerFlow | None) -> list[Line]:
    found = []
    for route in routes:
        found.append(Line(f"{route.name}: first image", route.studyshare.first, route.direct.first))
        found.append(Line(f"{route.name}: per image", route.studyshare.each, route.direct.each))
    if viewer is not None:
        # The image is the request Orthanc answers too; the page has no Orthanc equivalent.
        found.append(Line("viewer: its first image", viewer.image, viewer.direct))
        found.append(Line("viewer: page + first image", viewer.total, viewer.direct, judged=False))
        found.append(Line("  of which the page", viewer.page, viewer.direct, judged=False))
    return found


def report(routes: list[Route], viewer: ViewerFlow | None, recorder: Recorder) -> bool:
    header = (
        f"{'route':<28} {'n':>5} | {'StudyShare ms':>15} | {'direct Orthanc ms':>17} | "
        f"{'ratio':>6} | {'added':>6}"
    )
    sub = (
        f"{'':<28} {'':>5} | {'p50':>7} {'p95':>7} | {'p50':>8} {'p95':>8} | {'p50':>6} | "
        f"{'ms p50':>6}"
    )
    print(f"\n{header}\n{sub}\n{'-' * len(header)}")
    rows = lines(routes, viewer)
    for line in rows:
        print(
            f"{line.name:<28} {len(line.ours):>5} | {statistics.median(line.ours):7.2f} "
            f"{p95(line.ours):7.2f} | {statistics.median(line.direct):8.2f} "
            f"{p95(line.direct):8.2f} | {line.ratio:5.2f}x | {line.added:+6.2f}"
        )
    print("-" * len(header))
    print(
        "first image = the first slice of a round on a fresh client (new connection); per image"
        "\n= every later slice of the round. ratio = StudyShare p50 / direct Orthanc p50;"
        "\nadded = StudyShare p50 - direct Orthanc p50, what StudyShare adds per image."
    )
    if viewer is not None:
        print(
            f"viewer: GET {viewer.page_path}, then its first image ({viewer.image_source}:"
            f"\n  ...{viewer.image_path[-60:]}),"
            "\nagainst that image straight from Orthanc. The image (on the recipient's session"
            "\ncookie) is judged; the page and the sum are for reading (their ratios are to the"
            "\nsame direct image, for scale only)."
        )
    else:
        print(f"viewer: not measured, this tree has no {VIEWER_PATH} route yet.")
    print()
    met = []
    for line in (row for row in rows if row.judged):
        ok = line.ratio <= TARGET_RATIO
        ours, direct = statistics.median(line.ours), statistics.median(line.direct)
        met.append(
            recorder.add(
                f"{line.name} p50",
                ours,
                "ms",
                f"ratio ≤ {TARGET_RATIO:.2f}",
                ok,
                baseline=direct,
                baseline_name="direct Orthanc",
            )
        )
        print(
            f"{line.name}: {line.ratio:.2f}x — target ≤ {TARGET_RATIO:.2f}x: "
            f"{'met' if ok else 'NOT met'}"
        )
    return all(met)


# --- main ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        print("Starting Orthanc and loading the demo studies...", flush=True)
        orthanc, client = start_orthanc(stack, tmp / "orthanc", plugins=("dicomweb",))
        study = load_study(client, args.study)
        study_uid = study.study_instance_uid
        images = study_images(orthanc, study_uid)
        env = app_env(orthanc, tmp / "studyshare.db")
        flask_cli(env, "db", "upgrade")
        app = create_app(DevelopmentConfig(env))
        secret, token = share_study(app, study.orthanc_id)
        server = stack.enter_context(
            serve(args.server, "wsgi:app", env, tmp / "server.log", args.workers)
        )
        browser = stack.enter_context(recipient_session(server.url, secret))
        sides = Sides(server.url, orthanc, token, browser.cookies)
        query = rendered_query(args)
        routes = [
            Route("rendered", f"frames/1/rendered?{query}", JPEG),
            Route("frames", "frames/1", FRAMES_ACCEPT),
        ]
        connection = check_same_answers(sides, routes, study_uid, images)
        viewer = None
        if viewer_page_exists(app):
            page = fetch(browser, server.url + VIEWER_PATH, "text/html").text
            fallback = instance_path(study_uid, images[0], routes[0].ending)
            image_path, source = first_image_of_page(page, fallback)
            viewer = ViewerFlow(VIEWER_PATH, image_path, source)
        print(
            f"Orthanc {client.system().get('Version', '?')}; StudyShare on {args.server}, "
            f"{args.workers} workers (Connection: {connection}); {args.study}, {len(images)} "
            f"slices; rendered ?{query}; {args.warmup} warm-up + {args.rounds} timed rounds; "
            f"viewer {'measured' if viewer else 'absent'}.",
            flush=True,
        )
        measure(sides, routes, viewer, study_uid, images, args.warmup)
        discard(routes, viewer)
        measure(sides, routes, viewer, study_uid, images, args.rounds)
        return 0 if report(routes, viewer, Recorder("viewer", args.results)) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
