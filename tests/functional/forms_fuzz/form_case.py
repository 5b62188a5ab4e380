"""One form to fuzz: where it is, where it posts, its fields and the answers it may give."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from tests.functional.forms_fuzz.world import World

Fields = Callable[[World], dict[str, st.SearchStrategy[list[str]]]]


def no_fields(world: World) -> dict:
    return {}


@dataclass(frozen=True)
class FormCase:
    endpoint: str
    page: str  # where the form is shown; "created" is the share-created page, shown once
    action: str
    fields: Fields = no_fields
    statuses: frozenset[int] = frozenset({302, 400, 404})
    visitor: str = "console"
    # The post may end or swap the session (log in, log out, a passed challenge): each example
    # then starts from a new visitor and a new page.
    fresh: bool = False
    method: str = "POST"
    state: str | None = None  # what World.prepare() does first, so the page shows the form
    examples: int = 10  # fewer where each example logs in or opens a share first

    def expected(self) -> frozenset[int]:
        """Its own answers, the input guard's 400 (a NUL), and a hostile path's refusals."""
        # 308: a hostile value holding a slash makes a doubled one, which Werkzeug merges.
        return self.statuses | {400} | ({308, 404, 405} if "{" in self.action else set())
