"""A create-share request body: the CLI's option names, turned into the service's ShareOptions.

Studies come as an Orthanc id, or as a RIS knows them: `{"study_instance_uid": …}` or
`{"accession_number": …, "patient_id": …}`. Every rule about what a share may be stays in
app/shares/options.py and service.py; this module only reads types and finds studies.
"""

from __future__ import annotations

from typing import Any

from flask import abort
from werkzeug.exceptions import BadRequest

from app.api import json_input as read
from app.orthanc.client import OrthancClient
from app.shares.models import ChallengeKind
from app.shares.options import DEFAULT_EXPIRY_DAYS, MAX_NOTE, MAX_STUDIES, ShareError, ShareOptions
from app.studies.criteria import StudyCriteria

FIELDS = frozenset(
    {
        "studies",
        "expires_in_days",
        "challenge",
        "password",
        "birth_date",
        "access_code",
        "allow_download",
        "anonymize",
        "language",
        "email",
        "note",
        "max_opens",
        "notify_owner",
        "include",  # read by share_json.includes: files made from the link
    }
)
MAX_IDENTIFIER = 64  # DICOM UIDs, accession numbers and patient ids are shorter


def options_from(body: dict[str, Any], client: OrthancClient) -> ShareOptions:
    """The ShareOptions a body asks for (400 on a wrong type, 422 on an unknown study)."""
    challenge = read.text(body, "challenge", max_length=20, default=ChallengeKind.BIRTH_DATE.value)
    if challenge not in ChallengeKind._value2member_map_:
        abort(400, "`challenge` must be one of " + ", ".join(k.value for k in ChallengeKind) + ".")
    return ShareOptions(
        study_ids=_study_ids(body.get("studies"), client),
        expires_in_days=read.whole(body, "expires_in_days", DEFAULT_EXPIRY_DAYS),
        challenge=ChallengeKind(challenge),
        password=read.text(body, "password", max_length=200),
        # As in the console: a password challenge without a password gets one, shown once.
        generate_password=True,
        birth_date=read.iso_date(body.get("birth_date"), "birth_date"),
        access_code=read.flag(body, "access_code", False),
        allow_download=read.flag(body, "allow_download", True),
        anonymize=read.flag(body, "anonymize", False),
        language=read.text(body, "language", max_length=8, default="en"),
        recipient_email=read.text(body, "email", max_length=254),
        note=read.text(body, "note", max_length=MAX_NOTE),
        max_opens=read.whole(body, "max_opens"),
        notify_owner=read.flag(body, "notify_owner", False),
    )


def _study_ids(studies: Any, client: OrthancClient) -> list[str]:
    if not isinstance(studies, list) or not studies:
        abort(400, "`studies` must be a non-empty list.")
    if len(studies) > MAX_STUDIES:
        raise ShareError(f"A share can hold at most {MAX_STUDIES} studies.")
    return [study_id(entry, client) for entry in studies]


def _identifier(entry: dict[str, Any], name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_IDENTIFIER:
        abort(400, f"`{name}` must be a non-empty string of at most {MAX_IDENTIFIER} characters.")
    if "*" in value or "?" in value:
        abort(400, f"`{name}` must be exact: no wildcards.")
    return value.strip()


def study_id(entry: Any, client: OrthancClient) -> str:
    """The Orthanc id of a study named as the API allows (400 on a malformed entry)."""
    if isinstance(entry, str) and 0 < len(entry) <= MAX_IDENTIFIER:
        return entry  # an Orthanc id: the service checks that it exists
    if isinstance(entry, dict) and set(entry) == {"study_instance_uid"}:
        uid = _identifier(entry, "study_instance_uid")
        study_id = client.lookup_study_uid(uid)
        if study_id is None:
            raise ShareError(f"No study with StudyInstanceUID {uid} is in the image archive.")
        return study_id
    if isinstance(entry, dict) and set(entry) == {"accession_number", "patient_id"}:
        accession = _identifier(entry, "accession_number")
        patient_id = _identifier(entry, "patient_id")
        query = StudyCriteria(patient_id=patient_id, accession_number=accession).to_dicom_query()
        if set(query) != {"PatientID", "AccessionNumber"}:  # nothing was left once cleaned
            abort(400, "`accession_number` and `patient_id` must be printable text.")
        answers, more = client.find_study_answers(query, limit=1, case_sensitive=True)
        if not answers:
            raise ShareError(
                f"No study with accession number {accession} for patient {patient_id} "
                "is in the image archive."
            )
        if more:
            raise ShareError(
                f"Several studies have accession number {accession} for patient {patient_id}: "
                "name the study by its StudyInstanceUID."
            )
        return str(answers[0].get("ID", ""))
    raise BadRequest(
        'Each study is an Orthanc id, {"study_instance_uid": …} or '
        '{"accession_number": …, "patient_id": …}.'
    )
