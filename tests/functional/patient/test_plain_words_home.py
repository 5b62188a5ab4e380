"""The recipient's home in plain words: the exam in lay terms, what a download holds, its size."""

import html
import re

import pytest

from app.orthanc.flask_client import get_orthanc
from app.shares.models import ChallengeKind


@pytest.fixture
def open_share(client, make_share, demo_study):
    def make(language: str = "en", **options):
        created = make_share(
            [demo_study("DEMO0004").orthanc_id],
            challenge=ChallengeKind.NONE,
            language=language,
            **options,
        )
        assert client.post(f"/s/{created.secret}").status_code == 303
        return html.unescape(client.get("/v/").text)

    return make


@pytest.mark.parametrize(
    ("language", "title", "kind"),
    [("en", "Ultrasound: abdomen", "Ultrasound"), ("de", "Ultraschall: Bauch", "Ultraschall")],
)
def test_the_exam_is_named_in_lay_terms(open_share, language, title, kind):
    page = open_share(language)
    assert f"<h2>{title}</h2>" in page
    assert re.search(rf'<p class="muted">[^<]*· {kind} ·', page)
    assert "US ABDOMEN" in page  # as recorded, for a call to the clinic


def test_the_download_says_what_it_holds_and_how_big(app, open_share, demo_study):
    page = open_share(allow_download=True)
    with app.app_context():
        size = get_orthanc().study_size(demo_study("DEMO0004").orthanc_id)
    assert size
    shown = re.search(r"all the images of this exam, about ([\d.,]+ [MGk]B), as DICOM files", page)
    assert shown, "no size"
    assert float(shown.group(1).split()[0].replace(",", "")) == pytest.approx(
        size / 1e6 if size >= 1e5 else 0.1, abs=0.06
    )
    assert "Photo apps cannot open them" in page


def test_no_download_no_size(open_share):
    page = open_share(allow_download=False)
    assert "as DICOM files" not in page
