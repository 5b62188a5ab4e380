"""A *public* Orthanc: no credentials, every request checked by the authorization filter.

What viewers talk to (ORTHANC.md, "two modes"). Used by the end-to-end tests and by
`make demo`. It keeps its own storage, seeded with the demo studies before the filter is
installed (the filter rightly refuses uploads); their ids and UIDs are those of the internal
Orthanc because the demo data is deterministic.
"""

from __future__ import annotations

from pathlib import Path

from app.demo.dicom import demo_instances, upload_demo_studies
from app.orthanc.client import OrthancClient
from tests.orthanc.server import OrthancServer

AUTHZ_FILTER = Path(__file__).resolve().parent / "authz_filter.py"
VALIDATE_PATH = "/auth/tokens/validate"
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
) -> OrthancServer:
    """Seed `workdir` with the demo studies; return the filtered server, not yet started."""
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
                "ValidationUrl": token_service_url.rstrip("/") + VALIDATE_PATH,
                "Username": username,
                "Password": password,
                "TokenHttpHeaders": ["token", "authorization"],
                "TokenGetArguments": ["token"],
                "UncheckedFolders": list(VIEWER_ASSET_FOLDERS),
            }
        },
    )
