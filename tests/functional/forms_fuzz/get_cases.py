"""The GET forms: study search, audit and share filters, the recipient's language choice."""

from __future__ import annotations

from tests.fixtures.fuzz import form_field
from tests.functional.forms_fuzz.form_case import FormCase
from tests.functional.forms_fuzz.world import ADMIN_EMAIL

SEARCHED = 200, 400, 414  # a result, a refused filter, an address too long
GET_CASES = [
    FormCase(
        "clinician.index",
        "/",
        "/",
        lambda w: (
            {
                name: form_field()
                for name in ("patient_name", "patient_id", "accession_number", "description")
            }
            | {
                "birth_date": form_field(["1972-02-29"]),
                "date_from": form_field(["2000-01-01"]),
                "date_to": form_field(["2030-12-31"]),
                "modality": form_field(["CT", "MR"]),
                "page": form_field(["1", "2"]),
            }
        ),
        frozenset(SEARCHED),
        method="GET",
    ),
    *(
        FormCase(
            "clinician." + endpoint,
            path,
            path,
            lambda w: {
                "share": form_field(),
                "kind": form_field(["created", "opened"]),
                "actor": form_field([ADMIN_EMAIL]),
                "day_from": form_field(["2024-01-01"]),
                "day_to": form_field(["2030-01-01"]),
                "after": form_field(["1767225600000000.5"]),
                "before": form_field(["1767225600000000.5"]),
            },
            frozenset(SEARCHED),
            method="GET",
        )
        for endpoint, path in (
            ("audit_log", "/admin/audit"),
            ("audit_csv_export", "/admin/audit.csv"),
        )
    ),
    FormCase(
        "clinician.share_list",
        "/shares",
        "/shares",
        lambda w: {
            "state": form_field(["active", "revoked"]),
            "owner": form_field([str(w.admin_id)]),
            "after": form_field(["1767225600000000.5"]),
            "before": form_field(["1767225600000000.5"]),
        },
        frozenset(SEARCHED),
        method="GET",
    ),
    FormCase(
        "patient.code",
        "/code",
        "/code",
        lambda w: {"lang": form_field(["de", "fr", "en"])},
        frozenset(SEARCHED),
        visitor="recipient",
        method="GET",
    ),
]
