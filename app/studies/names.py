"""Patient names matched the way people type them: any case, accents, umlaut spellings, order.

Orthanc 1.10 compares names literally, ignoring case only (checked against the real server
in tests/functional/clinician/test_tolerant_name_search.py): `*MULLER*` misses MÜLLER,
`?` (or `??`) does not stand for Ü, `*jane*doe*` misses DOE^JANE. Orthanc has no
OR either, so sending every spelling and order would cost one request per variant.

Why patterns plus a filter here, not every variant or a name index: Orthanc gets the
consonants of distinctive words with `*` where a vowel (which may carry an accent or be
spelled `ue`, `oe`, `ae`) stands, and this module keeps the answers whose folded name holds
every folded word, in any order. One word alone is too wide for a full name: `olga silva`
as `*s*lv*` made Orthanc expand every SILVA (356 studies of the benchmark's 5,000) for 22
matches. So the two most distinctive words go together, once in each order (`*s*lv*lg*`,
`*lg*s*lv*`): one more `/tools/find`, mostly Orthanc's fixed cost per request, instead of
hundreds of answers. A name index refreshed from `/changes` would save that request, for a
second copy of the archive's patients that could lag behind it (bench/README.md, search.py).
"""

from __future__ import annotations

import functools
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


def _consonants(folded_word: str) -> int:
    return len(_skeleton(folded_word).replace("*", ""))


def _pattern(*skeletons: str) -> str:
    return _STARS.sub("*", "*" + "*".join(skeletons) + "*")


def _may_overlap(first: str, second: str) -> bool:
    """Whether one name could hold both words sharing letters (`anna`, `nap` in `annap`),
    where a pattern that wants them one after the other would miss it."""
    if first in second or second in first:
        return True
    shortest = min(len(first), len(second))
    return any(first.endswith(second[:k]) or second.endswith(first[:k]) for k in range(1, shortest))


@dataclass(frozen=True)
class NameSearch:
    """A typed name: the patterns Orthanc gets, and the test its answers must pass."""

    typed_words: tuple[str, ...]

    @classmethod
    @functools.lru_cache(maxsize=256)
    def parse(cls, text: str) -> NameSearch | None:
        # Cached: StudyCriteria.accepts() parses the typed name again for every answer.
        found = tuple(words(text))
        return cls(found) if found else None

    @functools.cached_property
    def folded_words(self) -> tuple[str, ...]:
        return tuple(fold(word) for word in self.typed_words)

    def orthanc_pattern(self) -> str:
        """`Jane Doe` → `*j*n*`: a superset of the matches, in one `/tools/find`."""
        candidates = [
            (_consonants(f), typed, f)
            for typed, f in zip(self.typed_words, self.folded_words, strict=True)
        ]
        consonants, typed, folded = max(candidates, key=lambda c: c[0])
        if consonants < MIN_SKELETON:
            return f"*{typed}*"
        return _pattern(_skeleton(folded))

    def orthanc_patterns(self) -> tuple[str, ...]:
        """`Olga Silva` → `*s*lv*lg*`, `*lg*s*lv*`: every match is in the answers to one of
        them, one `/tools/find` each; a name with one distinctive word gets one pattern."""
        distinct = sorted(
            {f for f in self.folded_words if _consonants(f) >= MIN_SKELETON},
            key=lambda f: (-_consonants(f), self.folded_words.index(f)),
        )
        # Words inside another add nothing; three words in every order would be six requests.
        kept = [f for f in distinct if not any(f != g and f in g for g in distinct)][:2]
        if len(kept) < 2 or _may_overlap(*kept):
            return (self.orthanc_pattern(),)
        first, second = (_skeleton(f) for f in kept)
        return (_pattern(first, second), _pattern(second, first))

    def matches(self, patient_name: str) -> bool:
        """Whether every typed word is in the name, folded, in any order."""
        name = folded_name(patient_name)
        return all(word in name for word in self.folded_words)
