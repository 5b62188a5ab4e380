import pytest

from app.clinician.safe_redirect import safe_next_path


@pytest.mark.parametrize("target", ["/", "/studies/abc?x=1", "/shares#top"])
def test_same_site_paths_are_kept(target):
    assert safe_next_path(target) == target


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "relative/path",
        "/\x00",
        "/" + "a" * 3000,
    ],
)
def test_other_targets_are_refused(target):
    assert safe_next_path(target) is None
