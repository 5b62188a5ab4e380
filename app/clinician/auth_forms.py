"""The log-in form."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Email, Length

from app.clinician.forms import strip_spaces


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail",
        filters=[strip_spaces],
        validators=[DataRequired(), Email(), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Keep me logged in on this device", default=False)
    submit = SubmitField("Log in")
