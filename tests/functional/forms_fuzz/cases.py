"""Every POST form: where it is, where it posts, its fields and the answers it may give.

Each field mostly holds one valid value (so a form gets past its own validation and the
view's checks run), else tests/fixtures/fuzz.py's hostile values, missing, once or twice.
The {names} in a path are mostly real values, else hostile ones (the route's own refusals).
"""

from __future__ import annotations

from hypothesis import strategies as st

from app.api_keys.models import Scope
from app.shares.models import ChallengeKind
from app.shares.options import EXPIRY_DAYS
from tests.fixtures.app import PASSWORD
from tests.fixtures.fuzz import form_field
from tests.functional.forms_fuzz.form_case import FormCase
from tests.functional.forms_fuzz.world import ADMIN_EMAIL, BIRTH_DATES, RECIPIENT_PASSWORD, World

NEW_PASSWORD = "a long enough password"
DAYS = [str(days) for days in EXPIRY_DAYS]


def _share_form(world: World) -> dict:
    return {
        "study": form_field([world.study_id]),
        "creation_key": form_field(),
        "expires": form_field([*DAYS, "never"]),
        "challenge": form_field([kind.value for kind in ChallengeKind]),
        "password": form_field(),
        "birth_date": form_field(["1972-02-29", "29.02.1972"]),
        "access_code": form_field(["y"]),
        "allow_download": form_field(["y"]),
        # Never an anonymized copy: it would add studies to the session's shared Orthanc.
        "anonymize": st.lists(st.sampled_from(["", "false"]), max_size=1),
        "language": form_field(["en", "de", "fr"]),
        "recipient_email": form_field(["patient@example.org"]),
        "note": form_field(),
        "max_opens": form_field(["1", "3"]),
        "notify_owner": form_field(["y"]),
    }


def _delivery(world: World, **extra) -> dict:
    share = world.console_share
    return {"secret": form_field([share["secret"]]), **extra}


def _challenge(world: World) -> dict:
    return {"birth_date": form_field(BIRTH_DATES), "password": form_field([RECIPIENT_PASSWORD])}


def _new_password() -> dict:
    return {"password": form_field([NEW_PASSWORD]), "confirm": form_field([NEW_PASSWORD])}


LOGIN = 302, 400, 429
REFUSED = 400, 403, 404, 410, 429  # a recipient's: bad answer, locked, unknown, ended

POST_CASES = [
    FormCase(
        "clinician.login",
        "/login",
        "/login",
        lambda w: {
            "email": form_field([ADMIN_EMAIL]),
            "password": form_field([PASSWORD]),
            "remember": form_field(["y"]),
        },
        frozenset(LOGIN),
        visitor="anonymous",
        fresh=True,
    ),
    FormCase("clinician.logout", "/", "/logout", visitor="new_console", fresh=True, examples=5),
    FormCase(
        "clinician.share_create",
        "/shares/new?study={study}",
        "/shares/new",
        _share_form,
        frozenset({200, 400, 404}),
    ),
    FormCase(
        "clinician.share_revoke",
        "/shares/{share}",
        "/shares/{share}/revoke",
        lambda w: {"confirmed": form_field(["yes"])},
        frozenset({200, 302, 404}),  # 200: the page that asks first
    ),
    FormCase(
        "clinician.share_unlock",
        "/shares/{share}",
        "/shares/{share}/unlock",
        state="locked share",
    ),
    FormCase(
        "clinician.share_extend",
        "/shares/{share}",
        "/shares/{share}/extend",
        lambda w: {"days": form_field(DAYS), "version": form_field(["1", "2"])},
        frozenset({200, 302, 400, 404, 409}),  # 200: the new date, to confirm
    ),
    FormCase(
        "clinician.share_set_expiry",
        "/shares/{share}",
        "/shares/{share}/expiry",
        lambda w: {
            "on": form_field(["2030-01-01"]),
            "never": form_field(["y"]),
            "version": form_field(["1"]),
        },
        frozenset({200, 302, 400, 404, 409}),
    ),
    FormCase(
        "clinician.share_update",
        "/shares/{share}/edit",
        "/shares/{share}/edit",
        lambda w: {
            "version": form_field(["1"]),
            "language": form_field(["en", "fr"]),
            "challenge": form_field(["none", "password"]),
            "note": form_field(["x"]),
            "remove_study": form_field(["x"]),
        },
        frozenset({200, 302, 400, 404, 409}),  # 200: a new password, shown once
    ),
    FormCase(
        "clinician.share_new_link",
        "/shares/{share}",
        "/shares/{share}/new-link",
        lambda w: {"resend": form_field(["1"]), "confirmed": form_field(["yes"])},
        frozenset({200, 302, 404}),
    ),
    FormCase(
        "clinician.share_handout",
        "created",
        "/shares/{share}/handout",
        lambda w: _delivery(
            w,
            access_code=form_field([w.console_share["access_code"]]),
            show_patient_name=form_field(["y"]),
        ),
        frozenset({200, 400, 404, 409}),
    ),
    FormCase(
        "clinician.share_qr_png",
        "created",
        "/shares/{share}/qr.png",
        _delivery,
        frozenset({200, 400, 404, 409}),
    ),
    FormCase(
        "clinician.share_email",
        "created",
        "/shares/{share}/email",
        lambda w: _delivery(w, recipient=form_field(["patient@example.org"])),
        frozenset({200, 400, 404, 409, 502}),
    ),
    FormCase(
        "clinician.user_new",
        "/admin/users/new",
        "/admin/users/new",
        lambda w: {
            "email": form_field(["new.colleague@example.org"]),
            "name": form_field(["Dr New"]),
            "role": form_field(["clinician", "admin"]),
            **_new_password(),
        },
    ),
    FormCase("clinician.user_deactivate", "/admin/users/{user}", "/admin/users/{user}/deactivate"),
    FormCase(
        "clinician.user_reactivate",
        "/admin/users/{user}",
        "/admin/users/{user}/reactivate",
        state="inactive colleague",
    ),
    FormCase(
        "clinician.user_end_sessions",
        "/admin/users/{user}",
        "/admin/users/{user}/end-sessions",
        state="colleague logged in",
    ),
    FormCase(
        "clinician.user_reset_password",
        "/admin/users/{user}",
        "/admin/users/{user}/password",
        lambda w: _new_password(),
    ),
    FormCase(
        "clinician.account_password",
        "/account/password",
        "/account/password",
        lambda w: {"current_password": form_field(), **_new_password()},
        frozenset({302, 400, 429}),
    ),
    FormCase(
        "clinician.api_key_new",
        "/admin/api-keys",
        "/admin/api-keys",
        lambda w: {
            "name": form_field(["RIS"]),
            "owner": form_field([str(w.admin_id), str(w.colleague_id)]),
            "scopes": form_field([scope.value for scope in Scope]),
        },
        frozenset({200}),
    ),
    FormCase(
        "clinician.api_key_revoke",
        "/admin/api-keys",
        "/admin/api-keys/{key}/revoke",
        state="api key",
    ),
    FormCase(
        "patient.answer",
        "/s/{secret}",
        "/s/{secret}",
        _challenge,
        frozenset({303, *REFUSED}),
        visitor="recipient",
        fresh=True,
    ),
    FormCase(
        "patient.code",
        "/code",
        "/code",
        lambda w: {"code": form_field([w.recipient_share.access_code])},
        frozenset({303, *REFUSED}),
        visitor="recipient",
        fresh=True,
    ),
    FormCase(
        "patient.code_challenge",
        "/code/challenge",
        "/code/challenge",
        _challenge,
        frozenset({302, 303, *REFUSED}),
        visitor="after_code",
        fresh=True,
        examples=6,
    ),
    FormCase(
        "patient.sign_out",
        "/v/",
        "/v/sign-out",
        statuses=frozenset({200}),
        visitor="opened",
        fresh=True,
        examples=5,
    ),
]
