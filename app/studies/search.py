"""Study search for the console: recent studies first, a page at a time, with summaries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.orthanc.client import OrthancClient
from app.orthanc.models import Series, Study
from app.shares.queries import live_share_counts
from app.studies.criteria import StudyCriteria


@dataclass(frozen=True)
class StudyRow:
    """One line of the results table."""

    study: Study
    modalities: tuple[str, ...]
    series_count: int
    instance_count: int
    live_shares: int


@dataclass(frozen=True)
class SearchResults:
    rows: list[StudyRow]
    page: int
    has_next: bool
    # None when there were too many matches to count and sort.
    total: int | None

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
) -> SearchResults:
    """Run the search and describe one page of matches.

    Orthanc 1.10 cannot sort: up to `sort_window` matches are fetched and sorted here,
    most recent first; beyond that, pages come in Orthanc's order and say so. Models are
    built only for the page shown.
    """
    query = criteria.to_dicom_query()
    answers, overflow = client.find_study_answers(query, limit=sort_window)
    start = (page - 1) * page_size
    if not overflow:
        ordered = sorted(answers, key=_recent_first, reverse=True)
        chunk = ordered[start : start + page_size]
        studies = [Study.from_orthanc(answer) for answer in chunk]
        has_next = start + page_size < len(ordered)
        return SearchResults(describe(client, studies), page, has_next, len(ordered))
    if start + page_size <= len(answers):
        # The window already holds this page, in Orthanc's order: no second query.
        studies = [Study.from_orthanc(answer) for answer in answers[start : start + page_size]]
        return SearchResults(describe(client, studies), page, True, None)
    found = client.find_studies(query, limit=page_size, since=start)
    return SearchResults(describe(client, found.studies), page, found.has_next, None)


def describe(client: OrthancClient, studies: list[Study]) -> list[StudyRow]:
    """Add modalities, counts and live shares to studies, with one Orthanc and one DB query."""
    if not studies:
        return []
    series_by_study: dict[str, list[Series]] = defaultdict(list)
    for series in client.find_series_of_studies([s.study_instance_uid for s in studies]):
        series_by_study[series.parent_study_id].append(series)
    shares = live_share_counts([s.orthanc_id for s in studies])
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
                live_shares=shares.get(study.orthanc_id, 0),
            )
        )
    return rows
