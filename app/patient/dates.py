"""Birth dates as people type them, in the formats usual for each language."""

from __future__ import annotations

import re
from datetime import date

# Day first in every supported language; ISO and compact DICOM forms are always accepted.
_DAY_FIRST = re.compile(r"^\s*(\d{1,2})\s*[./\-\s]\s*(\d{1,2})\s*[./\-\s]\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_COMPACT_DAY_FIRST = re.compile(r"^\s*(\d{2})(\d{2})(\d{4})\s*$")
_COMPACT_DICOM = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")

FORMAT_HINTS = {"en": "DD/MM/YYYY", "fr": "JJ/MM/AAAA", "de": "TT.MM.JJJJ"}
# A pattern alone is hard to read: each hint also shows a real date, written the usual way.
DATE_EXAMPLES = {"en": "31/03/1985", "fr": "31/03/1985", "de": "31.03.1985"}


def date_hint(language: str) -> tuple[str, str]:
    """The (pattern, real example) of a birth date in `language`, English when unknown."""
    if language not in FORMAT_HINTS:
        language = "en"
    return FORMAT_HINTS[language], DATE_EXAMPLES[language]


def parse_birth_date(text: str) -> date | None:
    """31/12/1970, 31.12.1970, 31-12-1970, 1970-12-31, 31121970 or 19701231; else None."""
    if len(text) > 40:
        return None
    for pattern, order in (
        (_DAY_FIRST, "dmy"),
        (_ISO, "ymd"),
        (_COMPACT_DICOM, "ymd"),
        (_COMPACT_DAY_FIRST, "dmy"),
    ):
        match = pattern.match(text)
        if match is None:
            continue
        parts = dict(zip(order, (int(group) for group in match.groups()), strict=True))
        try:
            return date(parts["y"], parts["m"], parts["d"])
        except ValueError:
            continue
    return None
