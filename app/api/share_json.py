"""How the API shows a share: its settings and state, never a hash or a secret."""

from __future__ import annotations

import base64
from collections.abc import Callable, Collection
from typing import Any

from flask import abort

from app.shares.facts import share_facts
from app.shares.handout import handout_pdf
from app.shares.qr import qr_png, qr_svg
from app.shares.service import CreatedShare

# The files a new link can come with, made as the console makes them: each is only possible
# while the link is known, i.e. in the answer that issues it.
INCLUDABLE: dict[str, Callable[[CreatedShare], bytes]] = {
    "qr_png": lambda created: qr_png(created.link),
    "qr_svg": lambda created: qr_svg(created.link).encode(),
    "handout_pdf": lambda created: handout_pdf(
        created.share, created.link, access_code=created.access_code
    ),
}


def includes(body: dict[str, Any]) -> frozenset[str]:
    """The files a body's `include` asks for (400 unless a list of INCLUDABLE names)."""
    wanted = body.get("include", [])
    if not isinstance(wanted, list) or not all(
        isinstance(name, str) and name in INCLUDABLE for name in wanted
    ):
        abort(400, "`include` must be a list of " + ", ".join(INCLUDABLE) + ".")
    return frozenset(wanted)


def created_json(created: CreatedShare, include: Collection[str] = ()) -> dict[str, Any]:
    """A new share with its link, access code and password: shown in this answer only.

    Each name in `include` adds that file, base64-encoded, under the same name.
    """
    answer = share_facts(created.share)
    answer.update(
        link=created.link,
        access_code=created.access_code,
        password=created.password,
        email_error=created.email_error,
    )
    for name in include:
        answer[name] = base64.b64encode(INCLUDABLE[name](created)).decode("ascii")
    return answer
