"""How the API shows a share: its settings and state, never a hash or a secret."""

from __future__ import annotations

from typing import Any

from app.shares.facts import share_facts
from app.shares.service import CreatedShare


def created_json(created: CreatedShare) -> dict[str, Any]:
    """A new share with its link, access code and password: shown in this answer only."""
    answer = share_facts(created.share)
    answer.update(
        link=created.link,
        access_code=created.access_code,
        password=created.password,
        email_error=created.email_error,
    )
    return answer
