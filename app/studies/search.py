"""Study search for the console: recent studies first, a page at a time, with summaries."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from app.orthanc.anonymization import is_pseudonym
from app.orthanc.client import OrthancClient
from app.orthanc.models import Series, Study
from app.studies.criteria import StudyCriteria, dicom_date

# The landing page on a large archive: the widest of these windows whose studies can all be
# sorted is shown, most recent first, rather than the whole archive in Orthanc's order.
RECENT_WINDOWS_DAYS = (3650, 365, 90, 30, 7, 1)
LANDING_WINDOW_TTL = 300.0  # seconds


@dataclass(frozen=True)
class StudyRow:
    """One line of the results table."""

    study: Study
    modalities: tuple[str, ...]
    series_count: int
    instance_count: int


@dataclass(frozen=True)
class SearchResults:
    rows: list[StudyRow]
    page: int
    has_next: bool
    # None when there were too many matches to count and sort.
    total: int | None
    # Set when only studies since this day are shown (an empty search on a large archive).
    recent_since: date | None = None

    @property
    def sorted_by_date(self) -> bool:
        return self.total is not None


def _recent_first(answer: dict) -> tuple[str, str, str]:
    # DICOM dates and times sort correctly as text; ids break ties stably.
    tags = answer.get("MainDicomTags")
    tags = tags if isinstance(tags, dict) else {}
    date, time = tags.get("StudyDate"), tags.get("StudyTime")
    return (
        date if isinstance(date, str) else "",
        time if isinstance(time, str) else "",
        str(answer.get("ID", "")),
    )


def search_studies(
    client: OrthancClient,
    criteria: StudyCriteria,
    *,
    page: int,
    page_size: int,
    sort_window: int,
    landing: LandingWindow | None = None,
) -> SearchResults:
    """Run the search and describe one page of matches.

    Orthanc 1.10 cannot sort: up to `sort_window` matches per query are fetched and sorted
    here, most recent first; beyond that, pages come in Orthanc's order and say so, except for
    the empty search (the landing page), which shows the most recent studies that fit the
    window. Models are built only for the page shown.
    """
    queries = criteria.to_dicom_queries()
    answers, unfinished = _first_windows(client, queries, sort_window)
    # More than one query only for a name search (criteria.to_dicom_queries): the paths for
    # anything else below ask Orthanc again with the one query.
    query, overflow = queries[0], bool(unfinished)
    landing = landing or LandingWindow(ttl=0)
    since = landing.since(client, sort_window) if overflow and not query else None
    if since is not None:
        query = {"StudyDate": f"{dicom_date(since)}-"}
        answers, overflow = client.find_study_answers(query, limit=sort_window)
    answers = [answer for answer in answers if criteria.accepts(answer)]
    start = (page - 1) * page_size
    if overflow and criteria.name_search() is not None:
        # Orthanc's answers are a superset here: its offsets are not ours, so pages are cut
        # from the filtered answers, window after window.
        return _filtered_page(client, criteria, unfinished, answers, page, page_size, sort_window)
    if not overflow:
        ordered = sorted(answers, key=_recent_first, reverse=True)
        chunk = ordered[start : start + page_size]
        studies = [Study.from_orthanc(answer) for answer in chunk]
        has_next = start + page_size < len(ordered)
        rows = describe(client, studies)
        return SearchResults(rows, page, has_next, len(ordered), recent_since=since)
    if start + page_size <= len(answers):
        # The window already holds this page, in Orthanc's order: no second query.
        studies = [Study.from_orthanc(answer) for answer in answers[start : start + page_size]]
        return SearchResults(describe(client, studies), page, True, None)
    found = client.find_studies(query, limit=page_size, since=start)
    # Deep in a large archive the page comes straight from Orthanc: drop the copies here.
    studies = [study for study in found.studies if not is_pseudonym(study.patient.patient_id)]
    return SearchResults(describe(client, studies), page, found.has_next, None)


def _first_windows(
    client: OrthancClient, queries: list[dict[str, str]], sort_window: int
) -> tuple[list[dict], list[dict[str, str]]]:
    """Each query's first `sort_window` answers, every study once; and the queries with more."""
    answers: list[dict] = []
    seen: set[object] = set()
    unfinished: list[dict[str, str]] = []
    for query in queries:
        found, more = client.find_study_answers(query, limit=sort_window)
        answers += _unseen(found, seen)
        if more:
            unfinished.append(query)
    return answers, unfinished


def _unseen(answers: list[dict], seen: set[object]) -> list[dict]:
    # A study can answer two queries of one name search (both orders of its words).
    fresh = [answer for answer in answers if answer.get("ID") not in seen]
    seen.update(answer.get("ID") for answer in fresh)
    return fresh


def _filtered_page(
    client: OrthancClient,
    criteria: StudyCriteria,
    unfinished: list[dict[str, str]],
    kept: list[dict],
    page: int,
    page_size: int,
    sort_window: int,
) -> SearchResults:
    """One page of the answers criteria.accepts(): the first windows' (`kept`), then each
    unfinished query's further windows in turn, so every page is cut from the same order."""
    start = (page - 1) * page_size
    seen = {answer.get("ID") for answer in kept}
    for query in unfinished:
        since, more = sort_window, True
        while len(kept) <= start + page_size and more:
            answers, more = client.find_study_answers(query, limit=sort_window, since=since)
            kept += _unseen([answer for answer in answers if criteria.accepts(answer)], seen)
            since += sort_window
    studies = [Study.from_orthanc(answer) for answer in kept[start : start + page_size]]
    return SearchResults(describe(client, studies), page, len(kept) > start + page_size, None)


class LandingWindow:
    """Which recent window the empty search shows on an archive too large to sort.

    Finding it takes up to six archive-wide counts (about 30 ms each on 5,000 studies), and
    the answer moves slowly, so it is kept for `ttl` seconds (per app, per sort window).
    """

    def __init__(self, ttl: float = LANDING_WINDOW_TTL) -> None:
        self.ttl = ttl
        self._kept: dict[int, tuple[float, int | None]] = {}
        self._lock = threading.Lock()

    def since(self, client: OrthancClient, sort_window: int) -> date | None:
        kept = self._kept.get(sort_window)
        if kept is not None and kept[0] > time.monotonic():
            days = kept[1]
        else:
            days = _widest_window_days(client, sort_window)
            with self._lock:
                self._kept[sort_window] = (time.monotonic() + self.ttl, days)
        return None if days is None else date.today() - timedelta(days=days)


def _widest_window_days(client: OrthancClient, sort_window: int) -> int | None:
    """Days back of the widest recent window whose studies all fit the sort window; None when
    no recent window has any, or when even one day holds too many (archive order then)."""
    for days in RECENT_WINDOWS_DAYS:
        since = date.today() - timedelta(days=days)
        count = client.count_studies({"StudyDate": f"{dicom_date(since)}-"}, up_to=sort_window)
        if count <= sort_window:
            return days if count else None  # narrower windows would hold fewer still
    return None


def describe(client: OrthancClient, studies: list[Study]) -> list[StudyRow]:
    """Add modalities and counts to studies, with one Orthanc query for the whole page."""
    if not studies:
        return []
    series_by_study: dict[str, list[Series]] = defaultdict(list)
    for series in client.find_series_of_studies([s.study_instance_uid for s in studies]):
        series_by_study[series.parent_study_id].append(series)
    rows = []
    for study in studies:
        series = series_by_study.get(study.orthanc_id, [])
        modalities = study.modalities or tuple(sorted({s.modality for s in series if s.modality}))
        rows.append(
            StudyRow(
                study=study,
                modalities=modalities,
                series_count=len(series) or len(study.series_ids),
                instance_count=sum(len(s.instance_ids) for s in series),
            )
        )
    return rows
