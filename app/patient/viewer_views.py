"""The built-in viewer: a study's series and images, paged by links, with viewer.js on top.

Images come from the study-scoped gateway (`/dicom-web/`), which accepts the recipient's
session cookie; PDF reports are streamed from the internal Orthanc by the report route.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import requests
from flask import Response, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.orthanc.flask_client import get_orthanc
from app.orthanc.models import Instance
from app.patient import bp
from app.patient.pages import not_found, session_ended, study_at, unlocked_share
from app.shares.models import ShareStudy
from app.studies.contents import SeriesContents, study_contents

CHUNK = 64 * 1024
# The page's image in square sizes (device pixels) for the browser to pick from before any
# script runs: the smallest that covers the stage (`sizes` in viewer.html), never a full
# frame for a phone. viewer.js asks later images at the stage's own size, up to the largest.
PAGE_VIEWPORTS = (256, 384, 512, 768, 1024)
FALLBACK_VIEWPORT = 512  # `src`, for a browser that ignores `srcset`


@dataclass(frozen=True)
class Preset:
    key: str
    label: str  # a lazy translation: rendered in the language of the request
    window: str | None  # the gateway's `window` (center,width in HU), None: the image's own


CT_PRESETS = (
    Preset("default", _l("Default"), None),
    Preset("soft-tissue", _l("Soft tissue"), "40,400,linear"),
    Preset("lung", _l("Lung"), "-600,1500,linear"),
    Preset("bone", _l("Bone"), "300,1500,linear"),
    Preset("brain", _l("Brain"), "40,80,linear"),
)


def _series_of(study: ShareStudy) -> tuple[SeriesContents, ...]:
    """The study's series in display order; positions in URLs count in this tuple."""
    return tuple(s for s in study_contents(study.orthanc_study_id).series if s.instances)


def _is_ct(series: SeriesContents) -> bool:
    return series.series.modality == "CT"


def series_label(series: SeriesContents) -> str:
    """What the strip and the image's text alternative call a series."""
    if series.is_pdf_report:
        return _("Report")
    return series.series.description or series.series.modality or _("Unnamed series")


def _number(name: str, count: int, default: int = 1) -> int:
    """A 1-based position from the query, kept within 1..count; `default` when absent."""
    value = request.args.get(name, type=int)
    return default if value is None else min(max(value, 1), max(count, 1))


def _default_series(all_series: tuple[SeriesContents, ...]) -> int:
    """The first series with images (1-based), else the first one."""
    return next((k for k, s in enumerate(all_series, 1) if not s.is_pdf_report), 1)


def image_at(series: SeriesContents, number: int) -> tuple[Instance, int]:
    """The instance and its 1-based frame that show image `number` of the series."""
    for instance in series.instances:
        if number <= instance.frames:
            return instance, number
        number -= instance.frames
    return series.instances[-1], series.instances[-1].frames


def _rendered_url(
    study_uid: str, series: SeriesContents, number: int, window: str | None, size: int
) -> str:
    instance, frame = image_at(series, number)
    query = {"viewport": f"{size},{size}", **({"window": window} if window else {})}
    return url_for(
        "gateway.rendered",
        study=study_uid,
        series=series.uid,
        instance=instance.sop_instance_uid,
        frame=frame,
        **query,
    )


def _rendered_srcset(
    study_uid: str, series: SeriesContents, number: int, window: str | None
) -> str:
    return ", ".join(
        f"{_rendered_url(study_uid, series, number, window, size)} {size}w"
        for size in PAGE_VIEWPORTS
    )


def _script_data(study_uid: str, all_series: tuple[SeriesContents, ...]) -> dict:
    """What viewer.js needs to page through every image without asking the server."""
    return {
        "rendered": url_for(
            "gateway.rendered",
            study=study_uid,
            series="__series__",
            instance="__instance__",
            frame="__frame__",
        ),
        "series": [
            {
                "uid": s.uid,
                "label": series_label(s),
                "ct": _is_ct(s),
                "report": s.is_pdf_report,
                "instances": [[i.sop_instance_uid, i.frames] for i in s.instances],
            }
            for s in all_series
        ],
        "presets": {p.key: p.window for p in CT_PRESETS},
        "text": {
            "series": _("Series %(num)s of %(total)s", num="{num}", total="{total}"),
            "image": _("Image %(num)s of %(total)s", num="{num}", total="{total}"),
            "report": _("Report"),
        },
    }


@bp.get("/v/studies/<int:index>")
def viewer(index: int):
    """One study in the built-in viewer, at `?series=k&image=m` (both 1-based)."""
    share = unlocked_share()
    if share is None:
        return session_ended()
    study = study_at(share, index)
    if study is None:
        return not_found()
    all_series = _series_of(study)
    if not all_series:
        return render_template("patient/viewer.html", study=study, index=index, series=())
    k = _number("series", len(all_series), _default_series(all_series))
    current = all_series[k - 1]
    count = 1 if current.is_pdf_report else current.image_count
    m = _number("image", count)
    presets = CT_PRESETS if any(_is_ct(s) for s in all_series) else ()
    preset = next((p for p in presets if p.key == request.args.get("window")), CT_PRESETS[0])
    window = preset.window if _is_ct(current) else None
    uid = study.study_instance_uid
    image = not current.is_pdf_report

    def here(**changes) -> str:
        state = {"series": k, "image": m, "window": preset.window and preset.key, **changes}
        return url_for("patient.viewer", index=index, **{n: v for n, v in state.items() if v})

    return render_template(
        "patient/viewer.html",
        study=study,
        index=index,
        series=all_series,
        k=k,
        current=current,
        m=m,
        count=count,
        image_url=_rendered_url(uid, current, m, window, FALLBACK_VIEWPORT) if image else None,
        image_srcset=_rendered_srcset(uid, current, m, window) if image else None,
        prev_url=here(image=m - 1) if m > 1 else None,
        next_url=here(image=m + 1) if m < count else None,
        here=here,
        presets=presets,
        preset=preset,
        show_presets=_is_ct(current),
        label=series_label,
        data=_script_data(uid, all_series),
    )


@bp.get("/v/studies/<int:index>/report/<int:series>")
def report(index: int, series: int):
    """The PDF report of series `series` (1-based), shown by the browser itself."""
    share = unlocked_share()
    if share is None:
        return session_ended()
    study = study_at(share, index)
    all_series = _series_of(study) if study else ()
    found = all_series[series - 1] if 1 <= series <= len(all_series) else None
    if found is None or not found.is_pdf_report:
        return not_found()
    # An OrthancError here, before any byte is sent, is the friendly 503 page (app.errors).
    upstream = get_orthanc().open_encapsulated_document(found.instances[0].orthanc_id)
    headers = {
        # A fixed name: the study's own details (patient name, date) stay out of it.
        "Content-Disposition": 'inline; filename="report.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(
        stream_with_context(_chunks(upstream)), mimetype="application/pdf", headers=headers
    )


def _chunks(upstream: requests.Response) -> Iterator[bytes]:
    try:
        yield from upstream.iter_content(CHUNK)
    finally:
        upstream.close()
