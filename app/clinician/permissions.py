"""Role checks for console views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import abort
from flask_login import current_user

P = ParamSpec("P")
R = TypeVar("R")


def admin_required(view: Callable[P, R]) -> Callable[P, R]:
    """Answer 403 unless the logged-in user is an administrator."""

    @wraps(view)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        # Login-by-default already ran; checking authentication again keeps this safe even
        # if an endpoint ever lands on the public allow-list.
        if not (current_user.is_authenticated and current_user.is_admin):
            abort(403, "This page is for administrators only.")
        return view(*args, **kwargs)

    return wrapped
