"""Patient names matched the way people type them: any case, accents, umlaut spellings, order.

Orthanc 1.10 compares names literally, ignoring case only (checked against the real server
in tests/functional/clinician/test_tolerant_name_search.py): `*MULLER*` misses MÜLLER,
`?` does not stand for Ü (two bytes in UTF-8), `*jane*doe*` misses DOE^JANE. Orthanc has no
OR either, so sending every spelling and order would cost one request per variant.

Why a wide pattern plus a filter here, not variants or a name index: one `/tools/find` per
search keeps StudyShare within its benchmark target (bench/search.py, "folded" searches),
and a name index would be a second copy of the archive to keep in step with `/changes`.
Orthanc gets the consonants of the most distinctive word with `*` where a vowel (which may
carry an accent or be spelled `ue`, `oe`, `ae`) stands, and this module keeps the answers
whose folded name holds every folded word, in any order.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# German transliterations, folded the same way on both sides so that ü, ue and u meet.
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"))
_LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ł": "l"})
_VOWELS = re.compile(r"[aeiouy]+")
_SEPARATORS = re.compile(r"[\s,^=]+")
_STARS = re.compile(r"\*+")
# Fewer consonants than this and the pattern would match most of the archive: the word is
# then sent as typed (case still ignored, accents then literal).
MIN_SKELETON = 2


def fold(text: str) -> str:
    """Lower case, accents dropped, ß → ss, ue/oe/ae → u/o/a: `Müller`, `MUELLER` → `muller`."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LIGATURES))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    for digraph, letter in _DIGRAPHS:
        plain = plain.replace(digraph, letter)
    return plain


def words(text: str) -> list[str]:
    """The words of a typed or DICOM name (`DOE^JANE`, `Jane Doe`, `Doe, Jane`)."""
    return [word for word in _SEPARATORS.split(text) if word]


def folded_name(name: str) -> str:
    """A whole name folded word by word, as searches compare it: `DOE^JANE` → `do jane`."""
    return fold(" ".join(words(name)))


def _skeleton(folded_word: str) -> str:
    return _VOWELS.sub("*", folded_word)


@dataclass(frozen=True)
class NameSearch:
    """A typed name: the one pattern Orthanc gets, and the test its answers must pass."""

    typed_words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> NameSearch | None:
        found = tuple(words(text))
        return cls(found) if found else None

    @property
    def folded_words(self) -> tuple[str, ...]:
        return tuple(fold(word) for word in self.typed_words)

    def orthanc_pattern(self) -> str:
        """`Jane Doe` → `*j*n*`: a superset of the matches, in one `/tools/find`."""
        candidates = [
            (len(_skeleton(f).replace("*", "")), typed, f)
            for typed, f in zip(self.typed_words, self.folded_words, strict=True)
        ]
        consonants, typed, folded = max(candidates, key=lambda c: c[0])
        if consonants < MIN_SKELETON:
            return f"*{typed}*"
        return _STARS.sub("*", f"*{_skeleton(folded)}*")

    def matches(self, patient_name: str) -> bool:
        """Whether every typed word is in the name, folded, in any order."""
        name = folded_name(patient_name)
        return all(word in name for word in self.folded_words)
