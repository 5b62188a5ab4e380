"""Forms of the share pages."""

from __future__ import annotations

import secrets

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional

from app.clinician.forms import FlexibleDateField, LongSelect, strip_spaces
from app.clinician.paging import CursorForm
from app.shares.models import ChallengeKind, ShareState
from app.shares.options import (
    DEFAULT_EXPIRY_DAYS,
    EXPIRY_DAYS,
    LANGUAGES,
    MAX_NOTE,
    MAX_OPENS_LIMIT,
    ShareOptions,
)

NEVER = "never"
CHALLENGE_LABELS = {
    ChallengeKind.BIRTH_DATE: "Patient's birth date",
    ChallengeKind.PASSWORD: "A password",
    ChallengeKind.BIRTH_DATE_AND_PASSWORD: "Birth date and password",
    ChallengeKind.NONE: "Nothing (the link alone opens the share)",
}


def expiry_choices(allow_never: bool) -> list[SelectChoice]:
    choices = [SelectChoice(str(d), f"{d} day" + ("s" if d > 1 else "")) for d in EXPIRY_DAYS]
    if allow_never:
        choices.append(SelectChoice(NEVER, "Never (until revoked)"))
    return choices


class CreateShareForm(FlaskForm):
    study = HiddenField()  # one per study: read with request.form.getlist
    creation_key = HiddenField(validators=[Length(max=64)])  # the column's size
    expires = SelectField("Expires after", default=str(DEFAULT_EXPIRY_DAYS))
    challenge = RadioField(
        "The recipient must enter",
        choices=[SelectChoice(kind.value, label) for kind, label in CHALLENGE_LABELS.items()],
        default=ChallengeKind.BIRTH_DATE.value,
    )
    password = PasswordField(
        "Password (leave empty to generate one)", validators=[Optional(), Length(max=200)]
    )
    birth_date = FlexibleDateField(
        "Birth date to ask (leave empty to use the archive's)", validators=[Optional()]
    )
    access_code = BooleanField("Also create a short access code to type in")
    allow_download = BooleanField("Allow download", default=True)
    anonymize = BooleanField("Share an anonymized copy (no name, new identifiers)")
    language = SelectField(
        "Recipient's language",
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
        default="en",
    )
    recipient_email = EmailField(
        "Send the link to (optional)", filters=[strip_spaces], validators=[Length(max=254)]
    )
    note = TextAreaField("Note for the recipient (optional)", validators=[Length(max=MAX_NOTE)])
    max_opens = IntegerField(
        "Maximum number of opens (optional)",
        validators=[Optional(), NumberRange(min=1, max=MAX_OPENS_LIMIT)],
    )
    notify_owner = BooleanField("E-mail me when it is first opened or locked")

    def __init__(self, *args, allow_never: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.expires.choices = expiry_choices(allow_never)
        if not self.creation_key.data:
            self.creation_key.data = secrets.token_urlsafe(24)

    def to_options(self, study_ids: list[str]) -> ShareOptions:
        expires = self.expires.data
        return ShareOptions(
            study_ids=study_ids,
            expires_in_days=None if expires == NEVER else int(expires),
            challenge=ChallengeKind(self.challenge.data),
            password=self.password.data or None,
            generate_password=True,  # "leave empty to generate one"
            birth_date=self.birth_date.data,
            access_code=bool(self.access_code.data),
            allow_download=bool(self.allow_download.data),
            anonymize=bool(self.anonymize.data),
            language=self.language.data,
            recipient_email=self.recipient_email.data or None,
            note=self.note.data or None,
            max_opens=self.max_opens.data,
            notify_owner=bool(self.notify_owner.data),
            creation_key=self.creation_key.data or None,
        )


class ShareFilterForm(CursorForm):
    class Meta:
        csrf = False  # a read-only GET filter

    q = StringField(
        "Patient name or ID", filters=[strip_spaces], validators=[Optional(), Length(max=200)]
    )
    state = SelectField(
        "State",
        choices=[SelectChoice("", "All")] + [SelectChoice(s.value, s.label) for s in ShareState],
        default="",
    )
    owner = SelectField("Owner", default="", widget=LongSelect())
