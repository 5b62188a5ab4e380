"""Console routes for finding and looking at studies."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, make_response, render_template, request

from app.clinician import bp
from app.clinician.query_urls import with_current_query
from app.clinician.study_forms import StudySearchForm
from app.orthanc.errors import OrthancBadAnswer, OrthancError, OrthancUnauthorized
from app.orthanc.flask_client import get_orthanc
from app.shares.queries import live_share_counts, may_see_share, shares_of_study
from app.studies.contents import series_in_order
from app.studies.search import LandingWindow, search_studies

# Orthanc instances never change once stored, so their previews can be cached; `private`
# keeps patient images out of shared caches.
PREVIEW_CACHE_CONTROL = "private, max-age=86400, immutable"
LANDING_WINDOW_KEY = "studyshare.landing_window"
NO_PREVIEW_CACHE_CONTROL = "private, max-age=3600"
NO_PREVIEW_SVG = (Path(__file__).parents[1] / "static" / "img" / "no-preview.svg").read_bytes()


@bp.record_once
def _keep_a_landing_window(state) -> None:
    state.app.extensions[LANDING_WINDOW_KEY] = LandingWindow()


@bp.get("/")
def index():
    """The console's home: study search, most recent studies first."""
    form = StudySearchForm(request.args)
    results, archive_error, status = None, None, 200
    if request.args and not form.validate():
        status = 400
    else:
        try:
            results = search_studies(
                get_orthanc(),
                form.criteria(),
                page=form.page_number,
                page_size=current_app.config["SEARCH_PAGE_SIZE"],
                sort_window=current_app.config["SEARCH_SORT_WINDOW"],
                landing=current_app.extensions[LANDING_WINDOW_KEY],
            )
        except OrthancUnauthorized:
            archive_error, status = "The image archive refused StudyShare's credentials.", 503
        except OrthancError:
            archive_error, status = "The image archive is not answering right now.", 503
    shown = [row.study.orthanc_id for row in results.rows] if results else []
    page = render_template(
        "clinician/search.html",
        form=form,
        results=results,
        live_shares=live_share_counts(shown),
        archive_error=archive_error,
        page_url=page_url,
    )
    return page, status


def page_url(page: int) -> str:
    """The current search's URL on another page."""
    return with_current_query("clinician.index", page=page)


@bp.get("/studies/<study_id>")
def study_detail(study_id: str):
    """One study: patient and study tags, its series with thumbnails, and its shares."""
    client = get_orthanc()
    study = client.get_study(study_id)
    series = series_in_order(client, study_id)
    return render_template(
        "clinician/study.html",
        study=study,
        series=series,
        shares=shares_of_study(study_id),
        may_see_share=may_see_share,
    )


@bp.get("/instances/<instance_id>/preview")
def instance_preview(instance_id: str):
    """A PNG thumbnail proxied from Orthanc, for logged-in users only."""
    try:
        response = make_response(get_orthanc().instance_preview(instance_id))
    except OrthancBadAnswer:
        # Orthanc cannot render this one (a report, a PDF, an unsupported transfer syntax):
        # a neutral picture, not a broken image on the page.
        response = make_response(NO_PREVIEW_SVG)
        response.headers["Content-Type"] = "image/svg+xml"
        response.headers["Cache-Control"] = NO_PREVIEW_CACHE_CONTROL
        return response
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = PREVIEW_CACHE_CONTROL
    return response
