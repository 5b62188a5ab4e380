"""/api/v1/shares: create, read, list and revoke shares with an API key."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, request, url_for

from app.api import bp
from app.api import json_input as read
from app.api.key_auth import current_key, requires
from app.api.query_input import MAX_PAGE, bounded, query_args
from app.api.share_json import created_json, includes
from app.api.share_listing import ShareFilter, TooManyStudies, find_shares, share_made_with
from app.api.share_requests import FIELDS, MAX_IDENTIFIER, options_from
from app.api_keys.idempotency import MAX_IDEMPOTENCY_KEY, IdempotencyMismatch, creation_key_for
from app.api_keys.models import Scope
from app.errors import error_response
from app.orthanc.flask_client import get_orthanc
from app.shares.facts import share_facts
from app.shares.lifecycle import revoke
from app.shares.models import Share, ShareState
from app.shares.options import ShareError
from app.shares.queries import share_for_user
from app.shares.service import create_share

DEFAULT_PER_PAGE, MAX_PER_PAGE = 25, 100
LIST_PARAMETERS = frozenset(
    {"patient_id", "accession_number", "state", "created_after", "created_before", "page",
     "per_page"}
)  # fmt: skip


@bp.errorhandler(ShareError)
def share_refused(exc: ShareError):
    return error_response(422, str(exc))


def _creation_key(body: dict) -> str | None:
    idempotency_key = request.headers.get("Idempotency-Key")
    if idempotency_key is None:
        return None
    if not 1 <= len(idempotency_key) <= MAX_IDEMPOTENCY_KEY:
        abort(400, f"The Idempotency-Key must have 1 to {MAX_IDEMPOTENCY_KEY} characters.")
    try:
        return creation_key_for(current_key(), idempotency_key, body)
    except IdempotencyMismatch:
        abort(422, "This Idempotency-Key was used with another body: use a new key.")


@bp.post("/shares")
@requires(Scope.SHARES_CREATE)
def create_share_route():
    """Create a share; the link, access code, password (and files asked for by `include`)
    are in this answer only."""
    body = read.json_object(FIELDS)
    include = includes(body)
    creation_key = _creation_key(body)
    client = get_orthanc()
    options = replace(options_from(body, client), creation_key=creation_key)
    earlier = share_made_with(creation_key) if creation_key else None
    try:
        created = create_share(current_key().owner, options, client, email_recipient=True)
    except ShareError:
        if earlier is None:
            raise
        abort(
            409,
            f"This Idempotency-Key made share {earlier.public_id}, whose link was e-mailed or "
            "made too long ago to be issued again: GET it, or use a new key.",
        )
    headers = {"Location": url_for("api.get_share", share_id=created.share.public_id)}
    if created.repeated:
        headers["Idempotent-Replayed"] = "true"
    return created_json(created, include), 201, headers


def visible_share(share_id: str) -> Share:
    """The share `share_id` if this key may see it; else a 404 problem."""
    share = share_for_user(share_id, current_key().owner) if len(share_id) <= 32 else None
    if share is None:
        abort(404, f"No share {share_id} that this key may see.")
    return share


@bp.get("/shares/<share_id>")
@requires(Scope.SHARES_READ)
def get_share(share_id: str):
    """One share: its settings, state and studies (never its link: it is not stored)."""
    return share_facts(visible_share(share_id))


@bp.get("/shares")
@requires(Scope.SHARES_READ)
def list_shares_route():
    """A page of shares, newest first, filtered by patient, accession, state, creation time."""
    args = query_args(LIST_PARAMETERS)
    state = args.get("state") or None
    if state is not None and state not in ShareState._value2member_map_:
        abort(400, "`state` must be one of " + ", ".join(s.value for s in ShareState) + ".")
    for name in ("patient_id", "accession_number"):
        if len(args.get(name, "")) > MAX_IDENTIFIER:
            abort(400, f"`{name}` must have at most {MAX_IDENTIFIER} characters.")
    owner = current_key().owner
    wanted = ShareFilter(
        owner_id=None if owner.is_admin else owner.id,
        state=ShareState(state) if state else None,
        patient_id=args.get("patient_id", ""),
        accession_number=args.get("accession_number", ""),
        created_after=read.iso_datetime(args.get("created_after"), "created_after"),
        created_before=read.iso_datetime(args.get("created_before"), "created_before"),
    )
    page = bounded(args, "page", 1, MAX_PAGE)
    per_page = bounded(args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    try:
        shares, has_next = find_shares(wanted, get_orthanc(), page=page, per_page=per_page)
    except TooManyStudies:
        abort(400, "This patient has too many studies to filter by: add `accession_number`.")
    return {
        "shares": [share_facts(share) for share in shares],
        "page": page,
        "per_page": per_page,
        "has_next": has_next,
    }


@bp.post("/shares/<share_id>/revoke")
@requires(Scope.SHARES_REVOKE)
def revoke_share(share_id: str):
    """End a share now: its link, access code and viewer tokens stop working."""
    share = visible_share(share_id)
    try:
        revoke(share, get_orthanc(), user=current_key().owner)
    except ShareError as exc:
        abort(409, str(exc))
    return share_facts(share)
