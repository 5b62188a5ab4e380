"""QIDO-RS queries read strictly: an allow-list of attributes, each named once, with values
Orthanc 1.10 can take unencoded. Used by the gateway and by the nginx guard's check.

Naming the study twice (`0020000D` and `StudyInstanceUID`, any case) is how the real
plugin's first-key check is fooled (AUTHZ-CONTRACT.md §6): it is refused here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

STUDY, SERIES, INSTANCE = "0020000D", "0020000E", "00080018"
KEYWORDS = {
    "studyinstanceuid": STUDY,
    "seriesinstanceuid": SERIES,
    "sopinstanceuid": INSTANCE,
    "patientid": "00100020",
    "patientname": "00100010",
    "patientbirthdate": "00100030",
    "patientsex": "00100040",
    "studydate": "00080020",
    "studytime": "00080030",
    "accessionnumber": "00080050",
    "modalitiesinstudy": "00080061",
    "referringphysicianname": "00080090",
    "studydescription": "00081030",
    "studyid": "00200010",
    "modality": "00080060",
    "seriesdescription": "0008103E",
    "seriesnumber": "00200011",
    "instancenumber": "00200013",
    "sopclassuid": "00080016",
}
TAG = re.compile(r"^[0-9A-Fa-f]{8}$")
# Orthanc 1.10 does not percent-decode queries: only values that need no encoding can pass.
VALUE = re.compile(r"^[A-Za-z0-9._,*\-]*$")
MAX_LIMIT, MAX_OFFSET = 1000, 100_000
CREDENTIAL_ARGS = frozenset({"token"})


def _tag(key: str) -> str | None:
    if TAG.fullmatch(key):
        return key.upper()
    return KEYWORDS.get(key.lower())


def _number(text: str, name: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise BadRequest(f"'{name}' must be a whole number from {low} to {high}.")
    return int(text)


@dataclass
class Qido:
    """The parts of a QIDO query the gateway passes on."""

    filters: dict[str, str] = field(default_factory=dict)
    includefields: list[str] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    fuzzy: str | None = None

    def query(self) -> str:
        """The query string for Orthanc, with nothing that needs percent-encoding."""
        parts = [f"{tag}={value}" for tag, value in self.filters.items()]
        fields = [*self.includefields, STUDY] if "all" not in self.includefields else ["all"]
        parts.append("includefield=" + ",".join(dict.fromkeys(fields)))
        if self.limit is not None:
            parts.append(f"limit={self.limit}")
        if self.offset is not None:
            parts.append(f"offset={self.offset}")
        if self.fuzzy is not None:
            parts.append(f"fuzzymatching={self.fuzzy}")
        return "&".join(parts)


def _control(qido: Qido, name: str, values: list[str]) -> None:
    if name == "includefield":
        for value in values:
            for item in filter(None, value.split(",")):
                tag = "all" if item.lower() == "all" else _tag(item)
                if tag is None:
                    raise BadRequest("'includefield' names an unknown attribute.")
                qido.includefields.append(tag)
        return
    if len(values) > 1:
        raise BadRequest(f"'{name}' is given more than once.")
    if name == "limit":
        qido.limit = _number(values[0], name, 1, MAX_LIMIT)
    elif name == "offset":
        qido.offset = _number(values[0], name, 0, MAX_OFFSET)
    elif values[0].lower() in ("true", "false"):
        qido.fuzzy = values[0].lower()
    else:
        raise BadRequest("'fuzzymatching' must be true or false.")


def parse(args: MultiDict, *, level: str, study_in_path: bool, series_in_path: bool) -> Qido:
    """Read the query; 400 for anything unknown, repeated, unsafe or naming a key twice."""
    qido = Qido()
    seen: set[str] = set()
    for key, values in args.lists():
        if key in CREDENTIAL_ARGS:
            continue
        if key.lower() in ("includefield", "limit", "offset", "fuzzymatching"):
            _control(qido, key.lower(), values)
            continue
        tag = _tag(key)
        if tag is None or (tag in (SERIES, INSTANCE) and level == "studies"):
            raise BadRequest("The query has a parameter this gateway does not take.")
        in_path = (tag == STUDY and study_in_path) or (tag == SERIES and series_in_path)
        # StudyInstanceUID and 0020000D are one key: naming it twice, in any spelling, is how
        # the plugin's first-key check is fooled.
        if tag in seen or len(values) > 1 or in_path:
            raise BadRequest("The query names the same attribute more than once.")
        seen.add(tag)
        if not VALUE.fullmatch(values[0]):
            raise BadRequest(
                "A query value has characters the image archive cannot take "
                "(letters, digits, '.', '-', '_', ',' and '*' only)."
            )
        qido.filters[tag] = values[0]
    return qido
