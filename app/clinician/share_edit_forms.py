"""Forms that change a share after it was sent: its expiry and its settings.

Each carries the share's version, so an edit made from a page someone else has since
outdated is refused (app/shares/versions.py).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from app.clinician.forms import FlexibleDateField
from app.clinician.share_forms import CHALLENGE_LABELS
from app.shares.editing import ShareEdit
from app.shares.models import ChallengeKind, Share
from app.shares.options import DEFAULT_EXPIRY_DAYS, EXPIRY_DAYS, LANGUAGES, MAX_NOTE

MAX_VERSION = 2**31 - 1


class _VersionedForm(FlaskForm):
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(), NumberRange(1, MAX_VERSION)]
    )


class ExtendShareForm(_VersionedForm):
    days = SelectField(
        "Extend by",
        choices=[SelectChoice(str(d), f"{d} day" + ("s" if d > 1 else "")) for d in EXPIRY_DAYS],
        default=str(DEFAULT_EXPIRY_DAYS),
    )


class SetExpiryForm(_VersionedForm):
    on = FlexibleDateField("Set the expiry to", validators=[Optional()])
    never = BooleanField("Never (until revoked)")


class EditShareForm(_VersionedForm):
    allow_download = BooleanField("Allow download")
    language = SelectField(
        "Recipient's language",
        choices=[SelectChoice(code, name) for code, name in LANGUAGES.items()],
    )
    note = TextAreaField("Note for the recipient", validators=[Length(max=MAX_NOTE)])
    challenge = RadioField(
        "The recipient must enter",
        choices=[SelectChoice(kind.value, label) for kind, label in CHALLENGE_LABELS.items()],
    )
    password = PasswordField(
        "New password (leave empty to keep it, or to generate one for a new challenge)",
        validators=[Optional(), Length(max=200)],
    )
    renew_password = BooleanField("Generate a new password")
    birth_date = FlexibleDateField(
        "Birth date to ask (leave empty to use the archive's)", validators=[Optional()]
    )
    # Read with request.form.getlist: one value per study.
    remove_study = HiddenField()
    add_study = HiddenField()

    @classmethod
    def for_share(cls, share: Share) -> EditShareForm:
        """The form as the share is now (a GET shows it filled in)."""
        return cls(
            formdata=None,
            version=share.version,
            allow_download=share.allow_download,
            language=share.language,
            note=share.note or "",
            challenge=share.challenge_kind.value,
        )

    def to_edit(self, remove_ids: list[str], add_ids: list[str]) -> ShareEdit:
        return ShareEdit(
            add_study_ids=tuple(add_ids),
            remove_study_ids=tuple(remove_ids),
            challenge=ChallengeKind(self.challenge.data),
            password=self.password.data or None,
            renew=bool(self.renew_password.data),
            birth_date=self.birth_date.data,
            allow_download=bool(self.allow_download.data),
            language=self.language.data,
            note=self.note.data or "",
        )
