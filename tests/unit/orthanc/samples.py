"""Orthanc answers and settings shared by the client's unit tests."""

import base64
import json

USERNAME = "studyshare"
PASSWORD = "pa55-word-never-shown"
STUDY_ID = "014c8375-77786a86-35baede0-7fd185d6-034c8ad9"
SECRETS = (PASSWORD, base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode())


def expanded_study(orthanc_id: str = STUDY_ID, name: str = "MÜLLER^HANS") -> dict:
    return {
        "ID": orthanc_id,
        "Type": "Study",
        "ParentPatient": "46eea307-132cd88e-158f984c-0f325c8e-69e8664d",
        "MainDicomTags": {"StudyDate": "20230314", "StudyDescription": "CT THORAX"},
        "PatientMainDicomTags": {"PatientName": name, "PatientBirthDate": "19720229"},
        "Series": ["211be592-285952cf-2170fb5c-f478f368-3381f329"],
    }


def orthanc_json(data: object) -> str:
    """`data` as Orthanc writes it: UTF-8 as is, not \\u-escaped (so a quoted name shows)."""
    return json.dumps(data, ensure_ascii=False)


def other_id(n: int) -> str:
    return f"{n:08x}-00000000-00000000-00000000-00000000"
