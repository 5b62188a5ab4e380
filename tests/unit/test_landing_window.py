"""Which recent window the landing page shows, and that it is not probed on every visit."""

from datetime import date, timedelta

from app.studies.search import LandingWindow


class CountingArchive:
    """Answers count_studies from a list of study ages in days, and counts the calls."""

    def __init__(self, ages_in_days: list[int]) -> None:
        self.ages = ages_in_days
        self.calls = 0

    def count_studies(self, query: dict[str, str], *, up_to: int) -> int:
        self.calls += 1
        since = query["StudyDate"].rstrip("-")
        newer = [
            age
            for age in self.ages
            if (date.today() - timedelta(days=age)).strftime("%Y%m%d") >= since
        ]
        return min(len(newer), up_to + 1)


def test_the_widest_window_that_fits_is_chosen():
    archive = CountingArchive([1, 3, 20, 40, 400, 400, 400])  # 10 years: 7, one year: 4
    assert LandingWindow().since(archive, sort_window=4) == date.today() - timedelta(days=365)


def test_no_recent_study_means_no_window():
    archive = CountingArchive([3000] * 10)
    assert LandingWindow().since(archive, sort_window=4) is None
    assert archive.calls == 2  # 10 years overflows, one year is empty: narrower ones too


def test_the_choice_is_kept_for_its_time_to_live():
    archive = CountingArchive([1, 3, 20, 40, 400, 400, 400])
    kept = LandingWindow(ttl=300)
    first = kept.since(archive, sort_window=4)
    calls = archive.calls
    assert kept.since(archive, sort_window=4) == first
    assert archive.calls == calls
    assert LandingWindow(ttl=0).since(archive, sort_window=4) == first
    assert archive.calls > calls
