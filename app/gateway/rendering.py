"""Rendered images: the parameters Orthanc's DICOMweb 1.7 understands, checked, and the
image that stands for a study or series in a thumbnail."""

from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest
from werkzeug.wrappers import Request

from app.gateway.scope import Located, contents
from app.orthanc.models import Instance
from app.shares.viewer_tokens import TOKEN_NAME
from app.studies.contents import SeriesContents

THUMBNAIL_VIEWPORT = "128,128"
MAX_VIEWPORT = 4096
NUMBER = r"-?[0-9]{1,6}(\.[0-9]{1,4})?"
WINDOW = re.compile(rf"^({NUMBER}),({NUMBER})(,(linear|linear_exact|sigmoid))?$")
VIEWPORT = re.compile(r"^([0-9]{1,5}),([0-9]{1,5})$")
QUALITY = re.compile(r"^[0-9]{1,3}$")
TAKEN = frozenset({"window", "viewport", "quality", TOKEN_NAME})


def parse(args: MultiDict, default_viewport: str | None = None) -> str:
    """`window`, `viewport` and `quality` as a query for Orthanc; 400 for anything else."""
    if set(args) - TAKEN or any(len(args.getlist(name)) > 1 for name in args):
        raise BadRequest("Rendered images take window, viewport and quality, each once.")
    parts = []
    window = args.get("window")
    if window is not None:
        found = WINDOW.fullmatch(window)
        if found is None or float(found.group(3)) <= 0:
            raise BadRequest("'window' must be center,width[,linear|sigmoid], width above 0.")
        # The function is optional in DICOMweb, but DICOMweb 1.7 refuses a window without it.
        function = found.group(6) or "linear"
        parts.append(f"window={found.group(1)},{found.group(3)},{function}")
    viewport = args.get("viewport", default_viewport)
    if viewport is not None:
        found = VIEWPORT.fullmatch(viewport)
        if found is None or not all(1 <= int(n) <= MAX_VIEWPORT for n in found.groups()):
            raise BadRequest(f"'viewport' must be width,height, each 1 to {MAX_VIEWPORT}.")
        parts.append(f"viewport={viewport}")
    quality = args.get("quality")
    if quality is not None:
        if not QUALITY.fullmatch(quality) or not 1 <= int(quality) <= 100:
            raise BadRequest("'quality' must be a whole number from 1 to 100.")
        parts.append(f"quality={quality}")
    return "&".join(parts)


def accept(request: Request) -> str:
    """PNG when the client prefers it, JPEG otherwise (both are what Orthanc renders)."""
    best = request.accept_mimetypes.best_match(["image/jpeg", "image/png"], default="image/jpeg")
    return best or "image/jpeg"


def representative(located: Located) -> tuple[SeriesContents, Instance] | None:
    """The named image, or the middle image of the named series (or of the study's first
    image series)."""
    if located.series is not None and located.instance is not None:
        return located.series, located.instance
    candidates = (
        [located.series] if located.series is not None else list(contents(located.study).series)
    )
    for series in candidates:
        if series.instances and not series.is_pdf_report:
            return series, series.instances[len(series.instances) // 2]
    return None
