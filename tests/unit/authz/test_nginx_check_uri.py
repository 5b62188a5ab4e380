"""How the nginx check reads a viewer's request URI and tokens (no app, no network)."""

import pytest

from app.authz.nginx_request import RefusedError, Target, parse_uri, presented_token

STUDY_ID = "11111111-22222222-33333333-44444444-55555555"
OTHER_ID = "aaaaaaaa-bbbbbbbb-cccccccc-dddddddd-eeeeeeee"
UID, SERIES, INSTANCE, OTHER_UID = "1.2.3.4", "1.2.3.4.5", "1.2.3.4.5.6", "1.2.3.9"
BY_ID, BY_UID, RESOURCE = Target(orthanc_id=STUDY_ID), Target(dicom_uid=UID), Target()
PREFIX = f"/dicom-web/studies/{UID}"

ACCEPTED = {
    f"/studies/{STUDY_ID}": BY_ID,
    f"/studies/{STUDY_ID}/archive": BY_ID,
    f"/studies/{STUDY_ID}/media": BY_ID,
    f"/studies/{STUDY_ID}/series?expand": BY_ID,
    f"/series/{STUDY_ID}": RESOURCE,
    f"/series/{STUDY_ID}/study": RESOURCE,
    f"/instances/{STUDY_ID}/preview": RESOURCE,
    f"/instances/{STUDY_ID}/frames/0/preview": RESOURCE,
    f"/web-viewer/series/{STUDY_ID}": RESOURCE,
    f"/web-viewer/is-stable-series/{STUDY_ID}": RESOURCE,
    f"/web-viewer/instances/jpeg95-{STUDY_ID}_0": RESOURCE,
    f"/osimis-viewer/studies/{STUDY_ID}": BY_ID,
    f"/osimis-viewer/series/{STUDY_ID}": RESOURCE,
    f"/osimis-viewer/images/{STUDY_ID}/0/high-quality": RESOURCE,
    f"/osimis-viewer/custom-command/{STUDY_ID}": RESOURCE,
    PREFIX: BY_UID,
    PREFIX + "/": BY_UID,
    PREFIX + "/metadata": BY_UID,
    PREFIX + "/rendered": BY_UID,
    PREFIX + "/thumbnail": BY_UID,
    PREFIX + "/series?includefield=0008103E,00080060": BY_UID,
    PREFIX + "/instances": BY_UID,
    PREFIX + f"/series/{SERIES}": BY_UID,
    PREFIX + f"/series/{SERIES}/metadata": BY_UID,
    PREFIX + f"/series/{SERIES}/instances?includefield=00200013": BY_UID,
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}": BY_UID,
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/frames/1": BY_UID,
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/frames/1,2,3/rendered": BY_UID,
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/bulk/7FE00010": BY_UID,
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/rendered?quality=90&window=40,400": BY_UID,
    # QIDO with exactly one study key, in either spelling; other filters and controls pass.
    f"/dicom-web/studies?StudyInstanceUID={UID}": BY_UID,
    f"/dicom-web/studies?0020000D={UID}&includefield=00081030,00080060": BY_UID,
    f"/dicom-web/studies?StudyInstanceUID={UID}&includefield=00081030%2C00080060": BY_UID,
    f"/dicom-web/studies?StudyInstanceUID={UID}&limit=10&offset=0&fuzzymatching=false": BY_UID,
    f"/dicom-web/series?StudyInstanceUID={UID}&Modality=MR": BY_UID,
    f"/dicom-web/instances?0020000D={UID}&SeriesInstanceUID={SERIES}": BY_UID,
    f"/dicom-web/instances?0020000D={UID}&includefield=00100010,00100030": BY_UID,
    f"/dicom-web/studies/?StudyInstanceUID={UID}&token=T": BY_UID,
}


@pytest.mark.parametrize("uri", ACCEPTED)
def test_routes_of_one_study_are_read(uri):
    assert parse_uri(uri)[0] == ACCEPTED[uri]


REFUSED = [
    # §6: QIDO without exactly one study key.
    "/dicom-web/studies",
    "/dicom-web/studies?limit=100",
    "/dicom-web/studies?PatientID=P1",
    "/dicom-web/studies?00100020=P1",
    f"/dicom-web/studies?StudyInstanceUID={UID}&PatientID=P1",
    f"/dicom-web/studies?StudyInstanceUID={UID}&PatientName=DOE*",
    f"/dicom-web/studies?StudyInstanceUID={UID}&00100030=19700101",
    f"/dicom-web/studies?StudyInstanceUID={UID},{OTHER_UID}",
    "/dicom-web/studies?StudyInstanceUID=1.2.*",
    f"/dicom-web/studies?StudyInstanceUID={UID}&StudyInstanceUID={OTHER_UID}",
    f"/dicom-web/studies?StudyInstanceUID={UID}&StudyInstanceUID={UID}",
    f"/dicom-web/instances?0020000D={UID}&StudyInstanceUID={OTHER_UID}",
    f"/dicom-web/instances?0020000D={UID}&0020000d={UID}",
    f"/dicom-web/studies?studyinstanceuid={UID}&0020000D={OTHER_UID}",
    # Orthanc does not decode arguments: an escaped key is another key, refused as unknown.
    f"/dicom-web/studies?Study%49nstanceUID={UID}",
    f"/dicom-web/studies?StudyInstanceUID={UID}&SeriesInstanceUID={SERIES}",
    f"/dicom-web/studies?StudyInstanceUID={UID}&unknown=1",
    # A study key next to the one in the path.
    PREFIX + f"/series?StudyInstanceUID={OTHER_UID}",
    PREFIX + f"/series/{SERIES}/instances?0020000D={OTHER_UID}",
    PREFIX + "/series?PatientID=P1",
    # Routes no viewer of one study needs.
    "/patients",
    f"/patients/{STUDY_ID}",
    "/studies",
    "/instances",
    "/system",
    "/tools/find",
    "/tools/lookup",
    "/changes",
    "/auth/tokens/decode",
    "/app/explorer.html",
    "/dicom-web/servers",
    f"/studies/{STUDY_ID}/patient",
    f"/series/{STUDY_ID}/patient",
    f"/instances/{STUDY_ID}/patient",
    "/studies/not-an-id",
    f"/web-viewer/instances/{STUDY_ID}",
    f"/osimis-viewer/studies/{STUDY_ID}/extra",
    "/dicom-web/studies/1..2",
    "/dicom-web/studies/not-a-uid/metadata",
    PREFIX + "/series/bad/metadata",
    PREFIX + f"/series/{SERIES}/series",
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/frames",
    PREFIX + f"/series/{SERIES}/instances/{INSTANCE}/frames/x",
    PREFIX + f"/series/{SERIES}/frames/1",
    PREFIX + "/bulk/7FE00010",
    # Paths nginx and Orthanc could read differently.
    f"/studies/{STUDY_ID}/../../patients",
    f"/studies/{STUDY_ID}/%2e%2e/%2e%2e/patients",
    f"/studies//{STUDY_ID}",
    f"//studies/{STUDY_ID}",
    f"/studies/{STUDY_ID}/./archive",
    f"/studies/{STUDY_ID}/a b",
    f"http://orthanc/studies/{STUDY_ID}",
    "",
    f"/studies/{STUDY_ID}?" + "a" * 9000,
]


@pytest.mark.parametrize("uri", REFUSED)
def test_anything_else_is_refused(uri):
    with pytest.raises(RefusedError):
        parse_uri(uri)


def test_token_arguments_are_read_raw_and_all_of_them():
    _, tokens = parse_uri(f"/studies/{STUDY_ID}/archive?token=A&x=1&token=B&token=")
    assert tokens == ["A", "B", ""]
    assert parse_uri(f"/studies/{STUDY_ID}?tok%65n=A")[1] == []


@pytest.mark.parametrize(
    ("authorization", "header", "query", "expected"),
    [
        (None, None, [], None),
        ("", "", [""], None),
        ("Bearer T", None, [], "T"),
        ("bearer   T", None, [], "T"),
        (None, "T", [], "T"),
        (None, "Bearer T", [], "T"),
        (None, None, ["T"], "T"),
        ("Bearer T", "T", ["T", "T"], "T"),
        ("Basic dXNlcjpwYXNz", None, [], "Basic dXNlcjpwYXNz"),
    ],
)
def test_one_token_however_many_times_it_is_given(authorization, header, query, expected):
    assert presented_token(authorization, header, query) == expected


@pytest.mark.parametrize(
    ("authorization", "header", "query"),
    [
        ("Bearer A", "B", []),
        ("Bearer A", None, ["B"]),
        (None, "A", ["B"]),
        (None, None, ["A", "B"]),
        (None, "A,B", []),  # two `token:` headers, joined by the WSGI server
        (None, "A, A", []),
        (None, None, ["A,B"]),
    ],
)
def test_several_tokens_are_refused(authorization, header, query):
    with pytest.raises(RefusedError):
        presented_token(authorization, header, query)
