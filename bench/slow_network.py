"""Slow-network benchmark: what a recipient on a phone over slow 4G waits for and downloads.

    .venv/bin/python bench/slow_network.py [--rounds 3] [--study ct512|demo] [--dpr 1]
                                           [--results FILE]

Starts its own Orthanc (with DICOMweb) holding a generated CT of 512x512 slices (or, with
`--study demo`, the demo's 64x64 CT DEMO0001), creates two shares of it in-process (a
birth-date challenge, and none) and serves StudyShare on the shipped server (2 workers) on a
free loopback port. Debian's Chromium, driven by Playwright, then plays the recipient on a
360x740 phone under CDP's network emulation (1.6 Mbps down, 750 kbps up, 150 ms round
trip), each round in a fresh browser (cold cache), then once more in the last one (warm):
link opened to challenge page interactive, answer sent to home interactive, home to the
first image shown by the built-in viewer; and each page's weight. Exits 1 when a target is
not met. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.orthanc.flask_client import get_orthanc  # noqa: E402
from app.patient.viewer_views import PAGE_VIEWPORTS  # noqa: E402
from app.shares.models import ChallengeKind  # noqa: E402
from app.shares.options import ShareOptions  # noqa: E402
from app.shares.service import create_share  # noqa: E402
from bench.harness import app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SHIPPED, serve  # noqa: E402
from bench.viewer import add_study_option, bench_clinician, load_study  # noqa: E402
from config import DevelopmentConfig  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PHONE = {"width": 360, "height": 740}
# Lighthouse's and DevTools' "slow 4G" (a fast 3G): bytes per second, milliseconds.
SLOW_4G = {
    "offline": False,
    "latency": 150,
    "downloadThroughput": 1_600_000 / 8,
    "uploadThroughput": 750_000 / 8,
}
CT512_SLICES = 12
BIRTH_DATE = date(1970, 1, 1)
TYPED_BIRTH_DATE = "01/01/1970"  # as the English form's hint asks
CHALLENGE_MS = 1500.0
HOME_MS = 1500.0  # the issue names no figure: held to the challenge page's
FIRST_IMAGE_MS = 3000.0
PAGE_KB = 50.0
ASSET_PATHS = "[...document.querySelectorAll('link[rel=stylesheet], script[src]')]"
# Recorded by the page itself: when the viewer's image first loads with pixels, what it was.
# (A load event stops at the document: it never reaches the window.)
WATCH_FIRST_IMAGE = """document.addEventListener("load", (event) => {
  const image = event.target;
  if (image.id === "viewer-image" && image.naturalWidth > 0 && !window.firstImage) {
    window.firstImage = { at: performance.now(), src: image.currentSrc };
  }
}, true);"""


@dataclass
class Traffic:
    """What the browser downloaded, from CDP's network events: bytes as transferred."""

    urls: dict[str, tuple[str, str]] = field(default_factory=dict)  # request id: url, type
    cached: set[str] = field(default_factory=set)
    received: list[tuple[str, str, int]] = field(default_factory=list)  # url, type, bytes

    def watch(self, cdp: CDPSession) -> None:
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.requestServedFromCache", lambda e: self.cached.add(e["requestId"]))
        cdp.on("Network.responseReceived", self._answered)
        cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event: dict) -> None:
        self.urls[event["requestId"]] = (event["request"]["url"], event.get("type", ""))

    def _answered(self, event: dict) -> None:
        if event["response"].get("fromDiskCache"):
            self.cached.add(event["requestId"])

    def _finished(self, event: dict) -> None:
        request_id = event["requestId"]
        if request_id in self.urls and request_id not in self.cached:
            url, kind = self.urls[request_id]
            self.received.append((url, kind, int(event["encodedDataLength"])))

    def bytes_of(self, url: str, kind: str) -> int:
        """The first download of `url` as `kind`; 0 when it never came over the network."""
        return next((n for u, k, n in self.received if u == url and k == kind), 0)

    def of_kinds(self, *kinds: str) -> int:
        return sum(n for _, k, n in self.received if k in kinds)


@dataclass
class Visit:
    """One recipient's way from the link to the first image, in milliseconds and bytes."""

    challenge_ms: float = 0.0
    home_ms: float = 0.0
    image_ms: float = 0.0
    weights: dict[str, int] = field(default_factory=dict)  # page: HTML + CSS + JS bytes
    image_url: str = ""
    image_bytes: int = 0
    assets_bytes: int = 0  # CSS and JS that came over the network


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="cold-cache rounds (then 1 warm)")
    add_study_option(parser, CT512_SLICES)
    parser.add_argument("--dpr", type=float, default=1.0, help="the phone's device pixel ratio")
    add_results_option(parser)
    args = parser.parse_args(argv)
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if not 1 <= args.dpr <= 4:
        parser.error("--dpr must be between 1 and 4")
    return args


# --- Orthanc, the shares ------------------------------------------------------------------


def share_links(app: Flask, server_url: str, study_id: str) -> tuple[str, str]:
    """Links to two shares of the study: with a birth-date challenge, and without one."""
    with app.app_context():
        owner = bench_clinician()
        links = []
        for challenge in (ChallengeKind.BIRTH_DATE, ChallengeKind.NONE):
            options = ShareOptions(study_ids=[study_id], challenge=challenge, birth_date=BIRTH_DATE)
            links.append(f"{server_url}/s/{create_share(owner, options, get_orthanc()).secret}")
        return links[0], links[1]


# --- the recipient's browser --------------------------------------------------------------


def phone(browser: Browser, dpr: float) -> BrowserContext:
    """A fresh browser profile (empty cache) with a phone's screen."""
    return browser.new_context(
        viewport=PHONE, device_scale_factor=dpr, is_mobile=True, has_touch=True, locale="en-GB"
    )


def slow_page(context: BrowserContext) -> tuple[Page, Traffic]:
    page = context.new_page()
    page.add_init_script(WATCH_FIRST_IMAGE)
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_4G)
    traffic = Traffic()
    traffic.watch(cdp)
    return page, traffic


def interactive_ms(page: Page) -> float:
    """From the navigation's start (the link, the form sent) to DOMContentLoaded's end: the
    page shown with its CSS, its deferred scripts run."""
    return page.evaluate(
        "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd"
    )


def page_weight(page: Page, traffic: Traffic) -> int:
    """The page's HTML, CSS and JS as transferred (compressed, headers included), counting
    files that an earlier page of the visit brought into the cache."""
    assets = page.evaluate(f"() => {ASSET_PATHS}.map(e => e.href || e.src)")
    html = traffic.bytes_of(page.url, "Document")
    return html + sum(
        traffic.bytes_of(url, "Stylesheet") + traffic.bytes_of(url, "Script") for url in assets
    )


def visit(context: BrowserContext, link: str) -> Visit:
    """Open the link, answer the challenge, open the first study in the built-in viewer."""
    page, traffic = slow_page(context)
    found = Visit()
    page.goto(link, wait_until="load")
    found.challenge_ms = interactive_ms(page)
    found.weights["challenge"] = page_weight(page, traffic)

    page.get_by_label("Your date of birth").fill(TYPED_BIRTH_DATE)
    with page.expect_navigation(url=re.compile(r"/v/$"), wait_until="load"):
        page.get_by_role("button", name="View my images").click()
    found.home_ms = interactive_ms(page)
    found.weights["home"] = page_weight(page, traffic)

    with page.expect_navigation(url=re.compile(r"/v/studies/0$"), wait_until="load"):
        page.get_by_role("link", name="View images").first.click()
    page.wait_for_function("() => window.firstImage !== undefined")
    shown = page.evaluate("() => window.firstImage")
    found.image_ms = shown["at"]
    found.image_url = shown["src"]
    found.image_bytes = traffic.bytes_of(shown["src"], "Image")
    found.weights["viewer"] = page_weight(page, traffic)
    found.assets_bytes = traffic.of_kinds("Stylesheet", "Script")
    page.close()
    return found


def landing_weight(browser: Browser, dpr: float, link: str) -> int:
    """The weight of a share's link page without a challenge, in a browser of its own."""
    with contextlib.closing(phone(browser, dpr)) as context:
        page, traffic = slow_page(context)
        page.goto(link, wait_until="load")
        return page_weight(page, traffic)


# --- report -------------------------------------------------------------------------------


def viewport_of(url: str) -> int:
    found = re.search(r"viewport=(\d+)(?:,|%2C)(\d+)", url)
    return max(int(found.group(1)), int(found.group(2))) if found else 0


def fitted_size(dpr: float) -> int:
    """The page's smallest image size that covers the phone's width in device pixels."""
    needed = PHONE["width"] * dpr
    return next((size for size in PAGE_VIEWPORTS if size >= needed), PAGE_VIEWPORTS[-1])


def report(cold: list[Visit], warm: Visit, landing: int, args: argparse.Namespace) -> bool:
    recorder = Recorder("slow_network", args.results)
    print(f"\n{'':<40} {'cold p50':>9} {'cold max':>9} {'warm':>9}   target")
    met = []
    for label, attribute, target in (
        ("link -> challenge interactive", "challenge_ms", CHALLENGE_MS),
        ("answer -> home interactive", "home_ms", HOME_MS),
        ("home -> first image in the viewer", "image_ms", FIRST_IMAGE_MS),
    ):
        values = [getattr(v, attribute) for v in cold]
        median, warm_ms = statistics.median(values), getattr(warm, attribute)
        print(
            f"{label + ' (ms)':<40} {median:9.0f} {max(values):9.0f} {warm_ms:9.0f}"
            f"   < {target:.0f}"
        )
        words = f"< {target:.0f} ms"
        met.append(recorder.add(f"{label}, cold (p50)", median, "ms", words, median < target))
        met.append(recorder.add(f"{label}, warm", warm_ms, "ms", words, warm_ms < target))

    weights = {"landing": landing, **cold[0].weights}
    for name in ("landing", "challenge", "home", "viewer"):
        kb = weights[name] / 1000
        print(f"{'page weight: ' + name + ' (kB)':<40} {kb:9.1f} {'':>9} {'':>9}   < {PAGE_KB:.0f}")
        words = f"< {PAGE_KB:.0f} kB (HTML + CSS + JS, compressed)"
        met.append(recorder.add(f"page weight: {name}", kb, "kB", words, kb < PAGE_KB))

    asked, fitted = viewport_of(cold[0].image_url), fitted_size(args.dpr)
    image_kb = statistics.median(v.image_bytes for v in cold) / 1000
    print(f"{'first image: viewport (px)':<40} {asked:9d} {'':>9} {'':>9}   <= {fitted}")
    print(f"{'first image: bytes (kB)':<40} {image_kb:9.1f}")
    words = f"<= {fitted} px (the page's size for {PHONE['width'] * args.dpr:.0f} device px)"
    met.append(recorder.add("first image: viewport asked", asked, "px", words, 0 < asked <= fitted))
    again = warm.assets_bytes
    print(f"{'warm: CSS and JS downloaded (B)':<40} {again:9d} {'':>9} {'':>9}   0")
    met.append(recorder.add("warm: CSS and JS downloaded again", again, "B", "0 B", again == 0))

    print(
        f"\n{len(cold)} cold rounds (a fresh browser each) and 1 warm one (the last browser"
        f" again); {PHONE['width']}x{PHONE['height']} at DPR {args.dpr:g}, 1.6 Mbps down,"
        " 750 kbps up, 150 ms RTT.\ninteractive = DOMContentLoaded (CSS in, deferred"
        " scripts run), from the navigation's start; first image = its load event."
    )
    ok = all(met)
    print("All targets met." if ok else "Some targets NOT met.")
    return ok


# --- main ---------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        print("Starting Orthanc and loading the study...", flush=True)
        orthanc, client = start_orthanc(stack, tmp / "orthanc", plugins=("dicomweb",))
        study_id = load_study(client, args.study, slices=CT512_SLICES).orthanc_id
        env = app_env(orthanc, tmp / "studyshare.db")
        flask_cli(env, "db", "upgrade")
        app = create_app(DevelopmentConfig(env))
        server = stack.enter_context(serve(SHIPPED, "wsgi:app", env, tmp / "server.log", 2))
        challenge_link, landing_link = share_links(app, server.url, study_id)
        playwright = stack.enter_context(sync_playwright())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        stack.callback(browser.close)
        print(
            f"StudyShare on {SHIPPED}, 2 workers; {args.study}; {args.rounds} cold rounds.",
            flush=True,
        )
        landing = landing_weight(browser, args.dpr, landing_link)
        cold = []
        for _ in range(args.rounds):
            context = phone(browser, args.dpr)
            cold.append(visit(context, challenge_link))
            if len(cold) < args.rounds:
                context.close()
        warm = visit(context, challenge_link)
        context.close()
        return 0 if report(cold, warm, landing, args) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
