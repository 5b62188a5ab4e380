"""The French and German catalogs: complete, valid, compiled, and matching the code's texts."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ["fr", "de"]
# Every text babel.cfg extracts: the patient pages, their forms and error pages, the share
# e-mail and handout. The console is English only and does not mark texts, so whatever is
# marked with _(), _l() or ngettext() is meant for a recipient and must be translated.
CHECKED_SOURCES = ("app/",)
# The patient-facing files, named so that a change to babel.cfg cannot drop them unnoticed.
PATIENT_FACING = (
    "app/patient/forms.py",
    "app/patient/views.py",
    "app/patient/home_views.py",
    "app/patient/viewer_views.py",
    "app/patient/templates/patient/",
    "app/templates/layouts/patient.html",
    "app/templates/errors/error.html",
    "app/templates/base.html",
    "app/errors.py",
)
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]")


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


def extracted(sources: tuple[str, ...] = CHECKED_SOURCES) -> dict[str, set[str]]:
    """Each text (singular id) found in the code, with the files it was found in."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    app_dir = str(ROOT / "app")

    def only_app(path: str) -> bool:
        name = Path(path).name
        return path.startswith(app_dir) and not name.startswith((".", "_"))

    found: dict[str, set[str]] = {}
    for filename, _, message, _, _ in extract_from_dir(
        str(ROOT), method_map, options_map, directory_filter=only_app
    ):
        # ngettext gives a tuple (singular, plural); the catalog is keyed by the singular.
        msgid = message if isinstance(message, str) else message[0]
        if msgid and filename.startswith(sources):
            found.setdefault(msgid, set()).add(filename)
    return found


def texts_in_code(sources: tuple[str, ...] = CHECKED_SOURCES) -> set[str]:
    return set(extracted(sources))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def test_the_patient_pages_texts_are_extracted():
    files = {name for names in extracted().values() for name in names}
    for source in PATIENT_FACING:
        assert any(name.startswith(source) for name in files), f"no text extracted from {source}"
    texts = texts_in_code()
    # A form label (lazy_gettext as _l), a plural (ngettext) and an error page text.
    assert {"Access code", "%(num)d attempt left.", "Bad request"} <= texts


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_patient_facing_text_is_translated(language):
    po = catalog(language)
    messages = {m.id if isinstance(m.id, str) else m.id[0]: m for m in po if m.id}
    texts = texts_in_code()
    missing = texts - set(messages)
    assert not missing, f"run `make messages` and translate: {sorted(missing)}"
    problems = []
    for text in sorted(texts):
        message = messages[text]
        ids = [message.id] if isinstance(message.id, str) else list(message.id)
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        if message.fuzzy:
            problems.append((text, "fuzzy"))
        if len(ids) > 1 and len(strings) != po.num_plurals:
            problems.append((text, f"{len(strings)} plural forms, {po.num_plurals} needed"))
        if not all(s.strip() for s in strings):
            problems.append((text, "not translated"))
        wanted = placeholders(ids[-1])
        problems += [
            (text, f"placeholders {sorted(placeholders(s))} instead of {sorted(wanted)}")
            for s in strings
            if s and placeholders(s) != wanted
        ]
    assert not problems, f"fix in {language}: {problems}"


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
