"""Token validation benchmark: `POST /auth/tokens/validate` under load, per WSGI server.

    .venv/bin/python bench/validate.py [--duration 4] [--rounds 3] [--clients 1,10,50]
                                       [--servers gunicorn-sync,gunicorn-gthread,granian]

Starts its own Orthanc with the demo studies, a StudyShare database with a few shares and
viewer tokens, then serves two apps on each server of `--servers` (2 workers each): StudyShare
(`wsgi:app`) and the ceiling (`bench/ceiling_app.py`, a constant grant). `wrk` sends the
plugin's exact bodies (90 % granted study-level GETs over several shares, 10 % denials) at each
concurrency level, to every app in turn, a few rounds (each app's median run counts). Prints
req/s, p50 and p99 per level and server, StudyShare's throughput against the gunicorn-sync
ceiling (the baseline), and whether the targets are met on the server the image ships; exits 1
when one is not. Needs Debian's `wrk` (`apt-get install wrk`). See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from app.demo.catalog import DEMO_PATIENTS  # noqa: E402
from app.demo.dicom import demo_instances, upload_demo_studies  # noqa: E402
from app.extensions import db  # noqa: E402
from app.orthanc.client import OrthancClient  # noqa: E402
from app.orthanc.flask_client import get_orthanc  # noqa: E402
from app.shares.lifecycle import revoke  # noqa: E402
from app.shares.models import ChallengeKind, Share  # noqa: E402
from app.shares.options import ShareOptions  # noqa: E402
from app.shares.service import create_share  # noqa: E402
from app.shares.viewer_tokens import mint_viewer_token  # noqa: E402
from app.users.models import Role, User  # noqa: E402
from bench.harness import Server, app_env, flask_cli, run_until_interrupted, start_orthanc  # noqa: E402
from bench.results import Recorder, add_results_option  # noqa: E402
from bench.servers import SERVERS, SHIPPED, serve  # noqa: E402
from bench.wrk_load import INSTALL_WRK, Result, cpu_cells, run_wrk, write_load_files  # noqa: E402
from config import DevelopmentConfig  # noqa: E402

# StudyShare on the shipped server against the ceiling on gunicorn sync, both measured here.
TARGET_RATIO = 1.30
BASELINE = ("ceiling", "gunicorn-sync")
RATIO_LEVELS = (10, 50)
P99_TARGET_MS = 10.0
P99_LEVEL = 50
GRANTED_SHARE = 0.90  # of the bodies; the rest are denials
WORKERS = 2
# Its token-service is how granian is started (its threads and access log; the environment wins).
COMPOSE = ROOT / "deploy" / "compose.yaml"
OTHER_LOAD_WARNING = 0.15  # cores used by processes other than gunicorn and wrk
HTTP_TIMEOUT = (5, 30)
USER_EMAIL = "bench@studyshare.example"
AUTHZ_USER = "orthanc-plugin"
VALIDATE_PATH = "/auth/tokens/validate"


@dataclass(frozen=True)
class Call:
    """One body the plugin would send, and the answer StudyShare must give."""

    body: str
    granted: bool
    kind: str


# --- command line -------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=4, help="seconds per measured run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each app at each level, in turn; each app's median run is reported",
    )
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per app")
    parser.add_argument(
        "--clients", default="1,10,50", help="comma-separated concurrency levels (connections)"
    )
    parser.add_argument(
        "--servers",
        default=",".join(SERVERS),
        help=f"comma-separated servers to compare, of {', '.join(SERVERS)}"
        " (gunicorn-sync, the baseline, and the shipped server are always run)",
    )
    add_results_option(parser)
    parser.add_argument("--wrk-threads", type=int, default=1, help="wrk threads (≤ clients)")
    parser.add_argument(
        "--tokens-per-share",
        type=int,
        default=2,
        help="viewer tokens per share (8 shares): more means more distinct tokens in the mix",
    )
    args = parser.parse_args(argv)
    try:
        args.levels = [int(level) for level in args.clients.split(",") if level.strip()]
    except ValueError:
        parser.error("--clients must be comma-separated whole numbers, e.g. 1,10,50")
    if not args.levels or not all(1 <= level <= 1000 for level in args.levels):
        parser.error("--clients levels must be between 1 and 1000")
    if not 1 <= args.duration <= 600:
        parser.error("--duration must be between 1 and 600 seconds")
    if not 0 <= args.warmup <= 60:
        parser.error("--warmup must be between 0 and 60 seconds")
    if not 1 <= args.rounds <= 20:
        parser.error("--rounds must be between 1 and 20")
    if not 1 <= args.wrk_threads <= 16:
        parser.error("--wrk-threads must be between 1 and 16")
    chosen = {name.strip() for name in args.servers.split(",") if name.strip()}
    if unknown := chosen - set(SERVERS):
        parser.error(
            f"unknown servers {', '.join(sorted(unknown))}: choose of {', '.join(SERVERS)}"
        )
    args.server_list = [name for name in SERVERS if name in chosen | {BASELINE[1], SHIPPED}]
    if not 1 <= args.tokens_per_share <= 1000:
        parser.error("--tokens-per-share must be between 1 and 1000")
    return args


# --- Orthanc, database, shares and tokens --------------------------------------------------


def study_body(token: str, orthanc_id: str, uid: str, method: str = "get") -> str:
    """The body the plugin (≥ 0.5) sends for a Stone/OHIF request at study level.

    Compact, keys in alphabetical order, as the plugin's jsoncpp writes it.
    """
    body = {
        "method": method,
        "level": "study",
        "orthanc-id": orthanc_id,
        "dicom-uid": uid,
        "token-key": "Authorization",
        "token-value": f"Bearer {token}",
        "server-id": None,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True)


def make_shares(app: Flask, tokens_per_share: int) -> tuple[list[Call], tuple[str, str]]:
    """Shares of the demo studies, viewer tokens and the bodies; plus a share to revoke
    with one of its granted bodies.

    Per demo patient: one share of all their studies and one of their first study only, each
    with `tokens_per_share` viewer tokens (recipients' viewers). Denials: a token asking for
    a study its share does not hold (a URL edited by hand), and DELETEs.
    """
    rng = random.Random(20240601)  # noqa: S311  (a reproducible mix, not a secret)
    granted: list[Call] = []
    denials: dict[str, list[Call]] = {"other": [], "delete": []}
    with app.app_context():
        shares = create_shares(get_orthanc())
        every_study = {
            (s.orthanc_study_id, s.study_instance_uid) for sh in shares for s in sh.studies
        }
        for share in shares:
            mine = [(s.orthanc_study_id, s.study_instance_uid) for s in share.studies]
            others = sorted(every_study - set(mine))
            for _ in range(tokens_per_share):
                token = mint_viewer_token(share)
                granted += [Call(study_body(token, *study), True, "granted") for study in mine]
                other = study_body(token, *rng.choice(others))
                denials["other"].append(Call(other, False, "other study"))
                delete = study_body(token, *mine[0], method="delete")
                denials["delete"].append(Call(delete, False, "DELETE"))
        to_revoke = (shares[0].public_id, granted[0].body)
    # Every granted body at least once, and as many denials as GRANTED_SHARE leaves.
    n_granted = max(90, len(granted))
    n_denied = round(n_granted * (1 - GRANTED_SHARE) / GRANTED_SHARE)
    calls = [granted[i % len(granted)] for i in range(n_granted)]
    for kind, count in (("other", n_denied // 2), ("delete", n_denied - n_denied // 2)):
        rng.shuffle(denials[kind])
        calls += [denials[kind][i % len(denials[kind])] for i in range(count)]
    rng.shuffle(calls)
    return calls, to_revoke


def create_shares(client: OrthancClient) -> list[Share]:
    """Two shares per demo patient (all their studies; the first one), by a bench clinician."""
    owner = User(email=USER_EMAIL, name="Bench clinician", role=Role.CLINICIAN)
    owner.set_password(secrets.token_urlsafe(24))
    db.session.add(owner)
    db.session.commit()
    shares = []
    for patient in DEMO_PATIENTS:
        ids = [
            client.find_studies({"AccessionNumber": study.accession}, limit=1).studies[0].orthanc_id
            for study in patient.studies
        ]
        for study_ids in (ids, ids[:1]):
            options = ShareOptions(study_ids=study_ids, challenge=ChallengeKind.NONE)
            shares.append(create_share(owner, options, client).share)
    return shares


# --- checks outside the load --------------------------------------------------------------


def check_answers(url: str, calls: list[Call], auth: tuple[str, str]) -> None:
    """Every distinct body gets the answer it should, or the timings mean nothing."""
    with requests.Session() as session:
        session.auth = auth
        for call in {c.body: c for c in calls}.values():
            answer = session.post(
                url + VALIDATE_PATH,
                data=call.body,
                headers={"Content-Type": "application/json"},
                timeout=HTTP_TIMEOUT,
            )
            if answer.status_code != 200 or answer.json().get("granted") is not call.granted:
                raise RuntimeError(
                    f"A '{call.kind}' body got HTTP {answer.status_code} {answer.text[:200]}"
                )


@dataclass(frozen=True)
class Revocation:
    last_grant_after: float | None  # seconds from the revocation's commit to the last grant
    last_validity: int
    denials_after: int


def check_revocation(
    app: Flask, url: str, to_revoke: tuple[str, str], auth: tuple[str, str]
) -> Revocation:
    """Revoke a share under the running server; poll until every worker must have seen it."""
    public_id, body = to_revoke
    ttl = app.config["AUTHZ_STATE_CACHE_SECONDS"]
    with app.app_context():
        share = db.session.scalar(db.select(Share).where(Share.public_id == public_id))
        revoke(share, get_orthanc())
    revoked = time.monotonic()
    last_grant, validity, denials = None, 0, 0
    headers = {"Content-Type": "application/json"}
    with requests.Session() as session:
        session.auth = auth
        # Past the cache's lifetime and then some, so both workers answer many times.
        while time.monotonic() - revoked < ttl + 1.0:
            sent = time.monotonic()
            answer = session.post(url + VALIDATE_PATH, data=body, headers=headers, timeout=5)
            if answer.json().get("granted") is True:
                last_grant, validity, denials = sent - revoked, answer.json()["validity"], 0
            else:
                denials += 1
    return Revocation(last_grant, validity, denials)


# --- load ---------------------------------------------------------------------------------

App = tuple[str, str]  # ("studyshare" or "ceiling", server)


def measure(
    servers: dict[App, Server], args: argparse.Namespace, files: dict[str, Path]
) -> dict[App, list[Result]]:
    """Warm every app up, then at each level run every app in turn, `args.rounds` times.

    The machine's pace drifts by more than the differences measured (another process, the
    CPU's clock): taking turns spreads the drift over all apps, and each app's median run
    keeps one bad moment from deciding its figure.
    """

    def load(server: Server, clients: int, seconds: int) -> Result:
        url = server.url + VALIDATE_PATH
        script_args = [str(files["bodies"]), str(files["auth"])]
        return run_wrk(
            url, server.pid, clients, seconds, files["script"], script_args, args.wrk_threads
        )

    if args.warmup:
        print(f"Warming up every app ({args.warmup} s each)...", flush=True)
        for server in servers.values():
            load(server, 10, args.warmup)
    results: dict[App, list[Result]] = {app: [] for app in servers}
    for clients in args.levels:
        print(
            f"  {clients} clients: {args.rounds} rounds of {args.duration} s for each of "
            f"{', '.join(f'{name} on {kind}' for name, kind in servers)}...",
            flush=True,
        )
        runs: dict[App, list[Result]] = {app: [] for app in servers}
        for _ in range(args.rounds):
            for app, server in servers.items():
                runs[app].append(load(server, clients, args.duration))
        for app, measured in runs.items():
            results[app].append(median_run(measured))
    return results


def median_run(runs: list[Result]) -> Result:
    """The run of median throughput (the lower middle one of an even count), latencies and all."""
    ordered = sorted(runs, key=lambda result: result.rps)
    return ordered[(len(ordered) - 1) // 2]


# --- report -------------------------------------------------------------------------------


def report(
    results: dict[App, list[Result]],
    calls: list[Call],
    revocation: Revocation,
    config: Mapping[str, Any],
    recorder: Recorder,
) -> bool:
    """Print the tables and the verdicts; True when every target is met."""
    kinds = list(dict.fromkeys(kind for _, kind in results))
    baseline = results[BASELINE]
    header = (
        f"{'clients':>7} {'server':<16} | {'StudyShare (wsgi:app)':^33} | "
        f"{'ceiling (constant grant)':^33} | {'of own':>6} | {'of sync':>7}"
    )
    sub = f"{'':>7} {'':<16} | " + " | ".join(
        [f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>8}"] * 2
    )
    print(f"\n{header}\n{sub} | {'ceiling':>6} | {'ceiling':>7}\n{'-' * len(header)}")
    for i, level in enumerate(args_levels(results)):
        for kind in kinds:
            mine, top = results["studyshare", kind][i], results["ceiling", kind][i]
            print(
                f"{level:>7} {kind:<16} | {cells(mine)} | {cells(top)} | "
                f"{mine.rps / top.rps:6.0%} | {mine.rps / baseline[i].rps:7.2f}"
            )
    cores = os.cpu_count() or 1
    print(
        f"\nCPU used during each run, in cores (of {cores}): server / wrk / other processes"
        " (the server's CPU time per request)"
    )
    for i, level in enumerate(args_levels(results)):
        for kind in kinds:
            mine, top = results["studyshare", kind][i], results["ceiling", kind][i]
            print(f"{level:>7} {kind:<16}: StudyShare {cpu_cells(mine)} | ceiling {cpu_cells(top)}")
    busiest = max(r.other_cpu for runs in results.values() for r in runs)
    if busiest > OTHER_LOAD_WARNING:
        print(
            f"WARNING: other processes used up to {busiest:.2f} cores during the runs: the "
            "numbers are disturbed; run again on an idle machine."
        )
    expected = sum(call.granted for call in calls) / len(calls)
    ours = [r for (name, _), runs in results.items() if name == "studyshare" for r in runs]
    print(f"\nanswers (expected {expected:.0%} granted):")
    for (name, kind), runs in results.items():
        if name != "studyshare":
            continue
        for mine in runs:
            answered = mine.granted + mine.denied
            share = mine.granted / answered if answered else 0.0
            print(
                f"{mine.clients:>7} clients on {kind}: {mine.granted} granted ({share:.1%}), "
                f"{mine.denied} denied, {mine.bad} unexpected, {mine.socket_errors} socket errors"
            )
    return verdict(results, ours, expected, revocation, config, recorder)


def args_levels(results: dict[App, list[Result]]) -> list[int]:
    return [r.clients for r in results[BASELINE]]


def cells(result: Result) -> str:
    return f"{result.rps:7.0f} {result.p50_ms:7.2f} {result.p99_ms:7.2f} {result.max_ms:8.2f}"


def verdict(
    results: dict[App, list[Result]],
    ours: list[Result],
    expected: float,
    revocation: Revocation,
    config: Mapping[str, Any],
    recorder: Recorder,
) -> bool:
    shipped = {r.clients: r for r in results["studyshare", SHIPPED]}
    baseline = {r.clients: r for r in results[BASELINE]}
    verdicts = []
    print()
    for level in RATIO_LEVELS:
        name = f"throughput at {level} clients on {SHIPPED}"
        if level not in shipped:
            verdicts.append(say(f"{name}: not measured", False))
            continue
        mine, top = shipped[level], baseline[level]
        met = mine.rps / top.rps >= TARGET_RATIO
        recorder.add(
            name,
            mine.rps,
            "req/s",
            f"ratio ≥ {TARGET_RATIO:.2f}",
            met,
            baseline=top.rps,
            baseline_name="ceiling on gunicorn-sync",
        )
        verdicts.append(
            say(
                f"{name}: {mine.rps:.0f} req/s, {mine.rps / top.rps:.2f}x the gunicorn-sync "
                f"ceiling's {top.rps:.0f} — target ≥ {TARGET_RATIO:.2f}x",
                met,
            )
        )
    if P99_LEVEL in shipped:
        p99 = shipped[P99_LEVEL].p99_ms
        met = p99 < P99_TARGET_MS
        name = f"p99 at {P99_LEVEL} clients on {SHIPPED}"
        recorder.add(name, p99, "ms", f"< {P99_TARGET_MS:.0f} ms", met)
        verdicts.append(say(f"{name}: {p99:.2f} ms — target < {P99_TARGET_MS:.0f} ms", met))
    else:
        verdicts.append(say(f"p99 at {P99_LEVEL} clients: not measured", False))
    correct = all(
        m.bad == 0 and m.socket_errors == 0 and abs(m.granted / m.requests - expected) < 0.03
        for m in ours
        if m.requests
    )
    recorder.add("answers right (grant/deny mix, no errors)", float(correct), "", "all", correct)
    verdicts.append(say("every answer a 200 with the expected grant/deny mix", correct))
    cap = config["AUTHZ_VALIDITY_SECONDS"]
    if revocation.last_grant_after is None:
        seen, seen_by, within = "no grant after revoking", 0.0, True
    else:
        seen_by = revocation.last_grant_after + revocation.last_validity
        within = seen_by <= cap
        seen = (
            f"last grant {revocation.last_grant_after:.2f} s after revoking, for "
            f"{revocation.last_validity} s: the plugin stops granting within {seen_by:.2f} s"
        )
    met = within and revocation.denials_after >= 20
    recorder.add("revocation seen within", seen_by, "s", f"≤ AUTHZ_VALIDITY_SECONDS ({cap} s)", met)
    verdicts.append(
        say(
            f"revocation ({seen}; then {revocation.denials_after} denials in a row, "
            f"state cache {config['AUTHZ_STATE_CACHE_SECONDS']:g} s) — target ≤ "
            f"AUTHZ_VALIDITY_SECONDS = {cap} s",
            met,
        )
    )
    return all(verdicts)


def say(text: str, met: bool) -> bool:
    print(f"{text}: {'met' if met else 'NOT met'}")
    return met


# --- main ---------------------------------------------------------------------------------


def token_service_settings() -> dict[str, str]:
    """The server settings of deploy/compose.yaml's token-service: what the plugin's calls meet.

    An explicit setting in the environment wins.
    """
    services = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))["services"]
    environment = services["token-service"]["environment"]
    names = ("WEB_THREADS", "WEB_ACCESS_LOG")
    return {name: os.environ.get(name, str(environment[name])) for name in names}


def run(args: argparse.Namespace) -> int:
    plugin_auth = (AUTHZ_USER, secrets.token_urlsafe(24))
    with contextlib.ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="studyshare-bench-")))
        print("Starting Orthanc and loading the demo studies...", flush=True)
        orthanc, client = start_orthanc(stack, tmp / "orthanc")
        upload_demo_studies(client, demo_instances())
        env = app_env(
            orthanc,
            tmp / "studyshare.db",
            AUTHZ_USERNAME=AUTHZ_USER,
            AUTHZ_PASSWORD=plugin_auth[1],
            **token_service_settings(),
        )
        flask_cli(env, "db", "upgrade")
        app = create_app(DevelopmentConfig(env))
        calls, to_revoke = make_shares(app, args.tokens_per_share)
        files = write_load_files(tmp, [call.body for call in calls], plugin_auth)
        modules = {"ceiling": "bench.ceiling_app:app", "studyshare": "wsgi:app"}
        servers = {
            (name, kind): stack.enter_context(
                serve(kind, module, env, tmp / f"{name}-{kind}.log", WORKERS)
            )
            for kind in args.server_list
            for name, module in modules.items()
        }
        for (name, _), server in servers.items():
            if name == "studyshare":
                check_answers(server.url, calls, plugin_auth)
        distinct = len({call.body for call in calls})
        print(
            f"Orthanc {client.system().get('Version', '?')}; {', '.join(args.server_list)} with "
            f"{WORKERS} workers for both apps (granian: {env['WEB_THREADS']} threads each), "
            f"WEB_ACCESS_LOG={env['WEB_ACCESS_LOG']} for every server; "
            f"wrk -t{args.wrk_threads}, the median of {args.rounds} runs of {args.duration} s; "
            f"{len(calls)} bodies ({distinct} distinct) rotating, "
            f"{sum(c.granted for c in calls) / len(calls):.0%} granted.",
            flush=True,
        )
        results = measure(servers, args, files)
        shipped_url = servers["studyshare", SHIPPED].url
        revocation = check_revocation(app, shipped_url, to_revoke, plugin_auth)
        recorder = Recorder("validate", args.results)
        return 0 if report(results, calls, revocation, app.config, recorder) else 1


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print(INSTALL_WRK, file=sys.stderr)
        return 2
    return run_until_interrupted(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
