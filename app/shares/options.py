"""What a clinician asks for when creating a share, and its validation."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from app.email_address import InvalidEmail, normalize_address
from app.shares.models import ChallengeKind

EXPIRY_DAYS = (1, 7, 15, 30, 90, 365)
DEFAULT_EXPIRY_DAYS = 15
LANGUAGES = {"en": "English", "fr": "Français", "de": "Deutsch"}
MAX_STUDIES = 20
MIN_SHARE_PASSWORD = 8
MAX_NOTE = 2000
MAX_OPENS_LIMIT = 1000
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


class ShareError(Exception):
    """A share cannot be created or changed; the message is for the clinician."""


@dataclass(frozen=True)
class ShareOptions:
    study_ids: list[str]
    expires_in_days: int | None = DEFAULT_EXPIRY_DAYS  # None: never expires
    challenge: ChallengeKind = ChallengeKind.BIRTH_DATE
    password: str | None = None
    birth_date: date | None = None  # overrides the archive's PatientBirthDate
    access_code: bool = False
    allow_download: bool = True
    anonymize: bool = False
    language: str = "en"
    recipient_email: str | None = None
    note: str | None = None
    max_opens: int | None = None
    notify_owner: bool = False
    creation_key: str | None = None
    # A password challenge without a password gets a generated one (shown once).
    generate_password: bool = False


def validate_options(options: ShareOptions, *, allow_never: bool) -> ShareOptions:
    """Raise ShareError on the first problem; return the options with a normalized e-mail."""
    study_ids = list(dict.fromkeys(options.study_ids))
    if not study_ids:
        raise ShareError("Choose at least one study to share.")
    if len(study_ids) > MAX_STUDIES:
        raise ShareError(f"A share can hold at most {MAX_STUDIES} studies.")
    if options.expires_in_days is None:
        if not allow_never:
            raise ShareError("Shares must expire: choose an expiry.")
    elif options.expires_in_days not in EXPIRY_DAYS:
        choices = ", ".join(str(d) for d in EXPIRY_DAYS)
        raise ShareError(f"The expiry must be one of {choices} days.")
    if options.challenge.asks_password:
        password = options.password or ""
        if len(password.strip()) < MIN_SHARE_PASSWORD:
            raise ShareError(f"The password must have at least {MIN_SHARE_PASSWORD} characters.")
        if len(password) > 200:
            raise ShareError("The password must have at most 200 characters.")
    if (
        options.birth_date is not None
        and not EARLIEST_BIRTH_DATE <= options.birth_date <= date.today()
    ):
        raise ShareError("The birth date must be a past date, after 1900.")
    if options.language not in LANGUAGES:
        raise ShareError("Choose English, French or German for the recipient.")
    if options.note and len(options.note) > MAX_NOTE:
        raise ShareError(f"The note must have at most {MAX_NOTE} characters.")
    if options.max_opens is not None and not 1 <= options.max_opens <= MAX_OPENS_LIMIT:
        raise ShareError(f"The number of opens must be between 1 and {MAX_OPENS_LIMIT}.")
    email = None
    if options.recipient_email and options.recipient_email.strip():
        try:
            email = normalize_address(options.recipient_email)
        except InvalidEmail:
            raise ShareError("The recipient's e-mail address is not valid.") from None
    return replace(options, study_ids=study_ids, recipient_email=email)
