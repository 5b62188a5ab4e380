"""Recipient forms: short, forgiving, and never echoing what was typed into a secret field."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class ChallengeForm(FlaskForm):
    birth_date = StringField(_l("Date of birth"), validators=[Length(max=40)])
    password = PasswordField(_l("Password"), validators=[Length(max=200)])


class AccessCodeForm(FlaskForm):
    code = StringField(
        _l("Access code"),
        validators=[DataRequired(_l("Enter the code from your handout.")), Length(max=40)],
    )


class SignOutForm(FlaskForm):
    """A CSRF-protected button."""
