"""Sentences for the recipient (e-mail and handout), in the locale in force when called."""

from __future__ import annotations

from flask import current_app
from flask_babel import format_date, gettext

from app.shares.models import ChallengeKind, Share


def expiry_sentence(share: Share) -> str:
    """When the link stops working, as a date only, written for the language."""
    if share.expires_at is None:
        return gettext("This link does not expire; the clinic can withdraw it at any time.")
    return gettext("This link expires on %(date)s.", date=format_date(share.expires_at, "long"))


def challenge_step(share: Share) -> str | None:
    """What the recipient will be asked after opening the link, or None."""
    kind = share.challenge_kind
    if kind is ChallengeKind.BIRTH_DATE:
        return gettext("When the page asks for it, enter the patient's date of birth.")
    if kind is ChallengeKind.PASSWORD:
        return gettext(
            "When the page asks for it, enter the password: the clinic gives it to you "
            "separately, never together with the link."
        )
    if kind is ChallengeKind.BIRTH_DATE_AND_PASSWORD:
        return gettext(
            "When the page asks for them, enter the patient's date of birth and the "
            "password: the clinic gives you the password separately, never together "
            "with the link."
        )
    return None


def viewing_step(share: Share) -> str:
    """What the recipient can do once in."""
    if share.allow_download:
        return gettext("View the images in your web browser, or download them.")
    return gettext("View the images in your web browser.")


def shared_by_sentence(share: Share) -> str:
    """Who shared the images, from which clinic (never which images)."""
    return gettext(
        "%(clinician)s (%(clinic)s) has shared medical images with you.",
        clinician=share.owner.display_name,
        clinic=current_app.config["CLINIC_NAME"],
    )
