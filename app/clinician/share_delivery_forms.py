"""Forms posted from the share-created page: each carries the link secret, never stored."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.clinician.forms import strip_spaces
from app.email_address import InvalidEmail, normalize_address


class ShareSecretForm(FlaskForm):
    """The link secret (and access code) the created page knows; the server only has hashes."""

    secret = HiddenField(validators=[DataRequired(), Length(max=64)])
    access_code = HiddenField(filters=[strip_spaces], validators=[Optional(), Length(max=32)])


class HandoutForm(ShareSecretForm):
    show_patient_name = BooleanField("Show the patient's name")


class ShareEmailForm(ShareSecretForm):
    recipient = EmailField(
        "Send the link by e-mail to",
        filters=[strip_spaces],
        validators=[DataRequired("Enter an e-mail address."), Length(max=254)],
    )

    def validate_recipient(self, field: EmailField) -> None:
        try:
            field.data = normalize_address(field.data)
        except InvalidEmail:
            raise ValidationError("This e-mail address is not valid.") from None
