"""A *public* Orthanc: no credentials, every request checked by the authorization filter.

What viewers talk to (ORTHANC.md, "two modes"). Used by the end-to-end tests and by
`make demo`. It keeps its own storage, seeded with the demo studies before the filter is
installed (the filter rightly refuses uploads); their ids and UIDs are those of the internal
Orthanc because the demo data is deterministic.

The filter runs in its "faithful" mode unless told otherwise: like the real authorization
plugin 0.11.4, it lets some requests through that StudyShare never sees
(authz_filter/filter_script.py).
"""

from __future__ import annotations

from pathlib import Path

from app.demo.authz_filter.filter_config import MODES
from app.demo.dicom import demo_instances, upload_demo_studies
from app.demo.orthanc_server import OrthancServer
from app.orthanc.client import OrthancClient

# Orthanc loads this one script; it imports its helpers from its own folder.
AUTHZ_FILTER = Path(__file__).resolve().parent / "authz_filter" / "filter_script.py"
AUTH_ROOT = "/auth/"
VALIDATE_PATH = "/auth/tokens/validate"
PROFILE_PATH = "/auth/user/get-profile"
DECODE_PATH = "/auth/tokens/decode"
# AUTHZ-CONTRACT.md §1: the viewers a public Orthanc serves; Stone's adds the `Authorization`
# header token and opens `/system`.
STANDARD_CONFIGURATIONS = ("stone-webviewer", "ohif", "osimis-web-viewer")
# The Orthanc Web Viewer's own pages and scripts; its image routes stay checked.
VIEWER_ASSET_FOLDERS = ("/web-viewer/app/", "/web-viewer/libs/")


def public_orthanc(
    workdir: Path,
    *,
    token_service_url: str,
    username: str,
    password: str,
    port: int | None = None,
    name: str = "StudyShare public",
    mode: str = "faithful",
    web_service_root: bool = False,
) -> OrthancServer:
    """Seed `workdir` with the demo studies; return the filtered server, not yet started.

    `mode` picks the filter's behaviour ("faithful": like plugin 0.11.4, leaks included;
    "strict"); `web_service_root` configures it like `WebServiceRootUrl`, so that it also
    asks `<root>user/get-profile` on every request.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    service = token_service_url.rstrip("/")
    urls = (
        {"RootUrl": service + AUTH_ROOT}
        if web_service_root
        else {"ValidationUrl": service + VALIDATE_PATH}
    )
    with OrthancServer(workdir, authentication=False, name=f"{name} seed") as seed:
        client = OrthancClient(seed.url)
        try:
            upload_demo_studies(client, demo_instances())
        finally:
            client.close()
    return OrthancServer(
        workdir,
        port=port,
        authentication=False,
        python_script=AUTHZ_FILTER,
        plugins=["dicomweb", "webviewer"],
        name=name,
        extra_config={
            "StudyShareAuthz": {
                "Mode": mode,
                **urls,
                "Username": username,
                "Password": password,
                "TokenHttpHeaders": ["token"],
                "TokenGetArguments": ["token"],
                "StandardConfigurations": list(STANDARD_CONFIGURATIONS),
                "UncheckedFolders": list(VIEWER_ASSET_FOLDERS),
            }
        },
    )
