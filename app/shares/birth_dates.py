"""A share's birth date is kept only as a keyed hash; a typed one is checked against it.

A date of birth has few possible values: a plain hash of it would be read back by trying
them all, a keyed one (secret_keys) cannot be without the key.
"""

from __future__ import annotations

from datetime import date

from app.shares.secret_keys import Purpose, current_key, matches_any, purpose_keys
from app.shares.tokens import keyed_hash
from app.studies.criteria import dicom_date

# Never a hex digest, so a share without a birth date matches nothing.
_NO_HASH = "-" * 64


def hash_birth_date(yyyymmdd: str) -> str:
    """The keyed hash stored for a birth date written the DICOM way (YYYYMMDD)."""
    return keyed_hash(yyyymmdd.strip(), current_key(Purpose.BIRTH_DATES))


def birth_date_hash(day: date) -> str:
    """The keyed hash stored for a birth date."""
    return hash_birth_date(dicom_date(day))


def birth_date_matches(stored_hash: str | None, typed: date | None) -> bool:
    """Whether the typed date is the one behind stored_hash, under the current key or a fallback.

    Every key is tried, even without a stored hash or a typed date: the time taken says
    neither whether the share has a date nor which key made it.
    """
    text = dicom_date(typed) if typed else ""
    candidates = [keyed_hash(text, key) for key in purpose_keys(Purpose.BIRTH_DATES)]
    return matches_any(stored_hash or _NO_HASH, candidates) and typed is not None
