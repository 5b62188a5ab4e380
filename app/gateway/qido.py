"""QIDO-RS through the gateway: a strict reading of the query, and answers that hold the
grant's studies only, whatever was asked.

The real authorization plugin lets `/dicom-web/studies` through with any query, checks
series/instance queries on their first study key only, and so leaks other patients
(AUTHZ-CONTRACT.md §6). Here the query is rebuilt from an allow-list: the study key is
always set to the grant's own studies, a second study key is refused, and every answer is
filtered again by its StudyInstanceUID.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, NotFound

from app.gateway import scope
from app.gateway.access import Grant
from app.orthanc.dicomweb import is_dicom_uid

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


def restrict(qido: Qido, grant: Grant, *, study_in_path: bool) -> bool:
    """Confine the query to the grant; False when nothing can match.

    Named UIDs must all belong to the grant (else 404); without a study key the grant's
    own studies are asked for.
    """
    if STUDY in qido.filters:
        asked = qido.filters[STUDY].split(",")
        if not all(is_dicom_uid(uid) and uid in grant.uids for uid in asked):
            raise NotFound(scope.NOT_IN_SHARE)
    elif not study_in_path:
        if not grant.studies:
            return False
        qido.filters[STUDY] = ",".join(sorted(grant.uids))
    _check_named(qido, grant)
    return True


def _check_named(qido: Qido, grant: Grant) -> None:
    """Series and instance UIDs in the query must be of the grant's studies too."""
    for tag in (SERIES, INSTANCE):
        if tag not in qido.filters:
            continue
        series = [s for study in grant.studies for s in scope.contents(study).series]
        known = (
            {s.uid for s in series}
            if tag == SERIES
            else {i.sop_instance_uid for s in series for i in s.instances}
        )
        if not all(uid in known for uid in qido.filters[tag].split(",")):
            raise NotFound(scope.NOT_IN_SHARE)


def only_granted(answers: object, grant: Grant) -> list[dict]:
    """Orthanc's answers that belong to the grant's studies; anything else is dropped."""
    if not isinstance(answers, list):
        return []
    uids = grant.uids
    return [item for item in answers if isinstance(item, dict) and _study_uid(item) in uids]


def _study_uid(item: dict) -> str | None:
    element = item.get(STUDY)
    values = element.get("Value") if isinstance(element, dict) else None
    return values[0] if isinstance(values, list) and values else None
