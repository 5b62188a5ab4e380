"""The French and German catalogs: complete, valid, compiled, and matching the code's texts."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ["fr", "de"]
# The texts checked for completeness: the share e-mail and handout. Widen this (to every
# file babel.cfg extracts) once the patient pages' texts are translated too.
CHECKED_SOURCES = (
    "app/shares/",
    "app/templates/email/",
    "app/clinician/templates/clinician/share_handout.html",
)


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def texts_in_code(sources: tuple[str, ...] = CHECKED_SOURCES) -> set[str]:
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    app_dir = str(ROOT / "app")

    def only_app(path: str) -> bool:
        name = Path(path).name
        return path.startswith(app_dir) and not name.startswith((".", "_"))

    found = extract_from_dir(str(ROOT), method_map, options_map, directory_filter=only_app)
    return {
        message
        for filename, _, message, _, _ in found
        if isinstance(message, str) and filename.startswith(sources)
    }


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_of_the_share_deliveries_is_translated(language):
    messages = {m.id: m for m in catalog(language) if m.id}
    texts = texts_in_code()
    missing = texts - set(messages)
    assert not missing, f"run `make messages` and translate: {sorted(missing)}"
    untranslated = sorted(t for t in texts if not messages[t].string or messages[t].fuzzy)
    assert not untranslated, f"translate in {language}: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalog_is_valid_and_compiled(language):
    po = catalog(language)
    assert not po.fuzzy, "a fuzzy catalog header makes pybabel skip the whole catalog"
    problems = [(message.id, errors) for message, errors in po.check()]
    assert not problems  # e.g. a %(name)s placeholder lost in translation
    source = TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"
    compiled = source.with_suffix(".mo")
    assert compiled.exists(), "run `make translations`"
    assert compiled.stat().st_mtime >= source.stat().st_mtime, "run `make translations`"
