"""The second step of the share actions that cannot be undone: a page that asks first.

Server-side, so it works without JavaScript: the action's form posts once without
`confirmed`, gets this page, and posts again with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import render_template, request

from app.clinician.forms import EmptyForm
from app.shares.models import Share

CONFIRMED = "yes"


@dataclass(frozen=True)
class Confirmation:
    title: str
    consequences: tuple[str, ...]
    button: str
    endpoint: str
    danger: bool = False
    keep: dict[str, str] = field(default_factory=dict)  # fields the second post carries again


def is_confirmed() -> bool:
    """Whether this POST is the confirmed second step."""
    return request.form.get("confirmed") == CONFIRMED


def _link_words(share: Share) -> str:
    return "link and access code stop" if share.access_code_hash else "link stops"


def revoke_confirmation(share: Share) -> Confirmation:
    return Confirmation(
        title=f"Revoke share {share.public_id}?",
        consequences=(
            f"The {_link_words(share)} working at once, and whoever is viewing these images "
            "through it is signed out.",
            "This cannot be undone: to share these images again, make a new share.",
        ),
        button="Revoke now",
        endpoint="clinician.share_revoke",
        danger=True,
    )


def new_link_confirmation(share: Share, *, resend: bool) -> Confirmation:
    consequences = [f"The current {_link_words(share)} working at once."]
    if resend:
        consequences.append(f"The new link is e-mailed to {share.recipient_email}.")
    else:
        consequences.append("You then hand the new link over again (QR code, handout or e-mail).")
    return Confirmation(
        title=f"Make a new link for share {share.public_id}?",
        consequences=tuple(consequences),
        button="Resend with a new link" if resend else "Make a new link",
        endpoint="clinician.share_new_link",
        keep={"resend": "1"} if resend else {},
    )


def confirmation_page(share: Share, confirmation: Confirmation) -> str:
    """The page that asks before the action is done."""
    return render_template(
        "clinician/share_confirm.html", share=share, confirm=confirmation, form=EmptyForm()
    )
