"""The real OHIF viewer (prebuilt, installed by `make setup`) served for the browser tests."""

from __future__ import annotations

import json
import mimetypes
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode, urlsplit

import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.security import safe_join
from werkzeug.serving import make_server
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

OHIF_HOME = Path(__file__).resolve().parents[2] / ".cache" / "ohif"
# Chromium refuses to compile WebAssembly served as anything but application/wasm, and to run
# a module script (init-service-worker.js) served as anything but JavaScript.
MIME_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".wasm": "application/wasm"}
# OHIF's canvases: the viewport's on-screen 2D canvas the rendering engine copies into.
CANVAS_STATS_JS = """() => {
  const canvas = document.querySelector('.cornerstone-canvas');
  if (!canvas || !canvas.width || !canvas.height) return null;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  const levels = new Set();
  let lit = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i] + data[i + 1] + data[i + 2] > 30) lit++;
    levels.add(data[i]);
  }
  return {width: canvas.width, height: canvas.height, lit: lit / (data.length / 4),
          levels: levels.size};
}"""
# A returning visitor: OHIF's guided tour and investigational-use notice would cover the image.
SEEN_NOTICES_JS = """
localStorage.setItem('shownTours', JSON.stringify(['basicViewerTour']));
sessionStorage.setItem('investigationalUseDialog', 'seen');
"""


def ohif_dist() -> Path:
    """The installed OHIF `dist/` folder, or a test failure saying how to install it."""
    dist = OHIF_HOME / "dist"
    if not (dist / "index.html").is_file():
        pytest.fail(f"OHIF is not installed in {dist}: run `make setup` (scripts/install-ohif.sh).")
    return dist


def app_config(dicomweb_root: str, **overrides: Any) -> dict[str, Any]:
    """OHIF's `window.config` with one DICOMweb data source at `dicomweb_root`."""
    return {
        "routerBasename": "/",
        "extensions": [],
        "modes": [],
        "showStudyList": True,
        "maxNumberOfWebWorkers": 2,
        "showLoadingIndicator": True,
        "defaultDataSourceName": "dicomweb",
        "dataSources": [
            {
                "namespace": "@ohif/extension-default.dataSourcesModule.dicomweb",
                "sourceName": "dicomweb",
                "configuration": {
                    "friendlyName": "StudyShare",
                    "name": "studyshare",
                    "wadoUriRoot": dicomweb_root,
                    "qidoRoot": dicomweb_root,
                    "wadoRoot": dicomweb_root,
                    "qidoSupportsIncludeField": False,
                    "imageRendering": "wadors",
                    "thumbnailRendering": "wadors",
                    "enableStudyLazyLoad": True,
                    "supportsFuzzyMatching": False,
                    "supportsWildcard": False,
                    "dicomUploadEnabled": False,
                    "bulkDataURI": {"enabled": True, "relativeResolution": "studies"},
                    "omitQuotationForMultipartRequest": True,
                },
            }
        ],
        **overrides,
    }


class OhifServer:
    """OHIF's dist on a free loopback port, with an app-config.js generated per request.

    `dicomweb_root` may be set after start: the gateway's own URL is known only once the app
    that needs this server's origin (for CORS) is built. `mounts` adds WSGI apps under paths
    of this origin (e.g. a same-origin proxy to a DICOMweb server that sends no CORS headers).
    """

    def __init__(
        self, dicomweb_root: str = "", *, mounts: dict[str, Any] | None = None, **config: Any
    ) -> None:
        self.dist = ohif_dist()
        self.dicomweb_root = dicomweb_root
        self.config = config
        self._wsgi = DispatcherMiddleware(self._serve, mounts or {})
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def viewer_url(self, study_uid: str, token: str | None = None) -> str:
        """OHIF's viewer for one study, with the token where OHIF looks for it (`?token=`)."""
        query = {"StudyInstanceUIDs": study_uid} | ({"token": token} if token else {})
        return f"{self.url}/viewer?{urlencode(query)}"

    def config_js(self) -> str:
        return f"window.config = {json.dumps(app_config(self.dicomweb_root, **self.config))};\n"

    def _serve(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        response = self._respond(request)
        return response(environ, start_response)

    def _respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return Response("Method not allowed", status=405)
        if request.path == "/app-config.js":
            return Response(self.config_js(), mimetype="text/javascript")
        relative = request.path.lstrip("/")
        found = safe_join(str(self.dist), relative) if relative else None
        if found and Path(found).is_file():
            mimetype = MIME_TYPES.get(Path(found).suffix) or mimetypes.guess_type(found)[0]
            return send_file(found, request.environ, mimetype=mimetype or "text/plain")
        if "." in relative.rsplit("/", 1)[-1]:
            return Response("Not found", status=404)  # a missing asset must not look like HTML
        # OHIF routes in the browser (/viewer, /local…): every page is its index.html.
        return send_file(self.dist / "index.html", request.environ, mimetype="text/html")

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@dataclass
class Exchange:
    """One DICOMweb request the browser made, and its status (None if it failed)."""

    method: str
    path: str
    query: str
    authorization: str | None = field(default=None, repr=False)
    status: int | None = None

    def __str__(self) -> str:
        query = f"?{self.query}" if self.query else ""
        return f"{self.method} {self.path}{query} -> {self.status}"


def record_dicomweb(page: Any, dicomweb_root: str) -> list[Exchange]:
    """Every request the page makes under `dicomweb_root`, filled in as they complete."""
    exchanges: list[Exchange] = []
    by_request: dict[Any, Exchange] = {}

    def on_request(request: Any) -> None:
        if request.url.startswith(dicomweb_root):
            url = urlsplit(request.url)
            authorization = request.headers.get("authorization")
            exchange = Exchange(request.method, url.path, url.query, authorization)
            by_request[request] = exchange
            exchanges.append(exchange)

    def on_response(response: Any) -> None:
        if response.request in by_request:
            by_request[response.request].status = response.status

    page.on("request", on_request)
    page.on("response", on_response)
    return exchanges


def ohif_context(browser: Any) -> Any:
    """A browser context for OHIF: a laptop-sized window, no service worker, notices seen."""
    # OHIF's service worker unregisters itself; blocking it keeps every request in sight.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, service_workers="block")
    context.add_init_script(SEEN_NOTICES_JS)
    return context


def canvas_stats(page: Any) -> dict[str, float] | None:
    """Size, lit fraction and grey levels of OHIF's first viewport canvas (None: no canvas)."""
    return page.evaluate(CANVAS_STATS_JS)


def wait_for_image(page: Any, timeout_ms: float = 30_000) -> dict[str, float]:
    """Wait until OHIF's viewport shows an image (many grey levels), and return its stats."""
    page.wait_for_function(
        f"() => (({CANVAS_STATS_JS})() || {{levels: 0}}).levels > 5", timeout=timeout_ms
    )
    return canvas_stats(page)
