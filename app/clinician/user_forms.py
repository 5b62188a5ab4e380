"""Forms of user administration and of the own-password change."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from app.clinician.forms import strip_spaces
from app.email_address import InvalidEmail, new_account_email
from app.users.accounts import DUPLICATE_EMAIL
from app.users.models import Role, User
from app.users.passwords import MAX_PASSWORD_LENGTH, password_problem

ROLE_LABELS = {Role.CLINICIAN: "Clinician", Role.ADMIN: "Admin"}
PASSWORDS_DIFFER = "The two passwords are not the same."


def password_rules(form: FlaskForm, field: Field) -> None:
    """Apply the same password rules as `flask users create`."""
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def new_password_field(label: str) -> PasswordField:
    """A required password field held to the password rules."""
    return PasswordField(label, validators=[DataRequired(), password_rules])


def confirmation_field(of: str, label: str = "Repeat the new password") -> PasswordField:
    """A required field that must repeat the password field named `of`."""
    return PasswordField(
        label,
        validators=[
            DataRequired(),
            Length(max=MAX_PASSWORD_LENGTH),
            EqualTo(of, message=PASSWORDS_DIFFER),
        ],
    )


class CreateUserForm(FlaskForm):
    email = EmailField(
        "E-mail", filters=[strip_spaces], validators=[DataRequired(), Length(max=254)]
    )
    name = StringField("Name", filters=[strip_spaces], validators=[Length(max=200)])
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, label) for role, label in ROLE_LABELS.items()],
        default=Role.CLINICIAN.value,
    )
    password = new_password_field("Initial password")
    confirm = confirmation_field("password", "Repeat the password")

    def validate_email(self, field: Field) -> None:
        try:
            address = new_account_email(field.data)
        except InvalidEmail as exc:
            raise ValidationError(str(exc)) from None
        if User.find_by_email(address) is not None:
            raise ValidationError(DUPLICATE_EMAIL)
        field.data = address


class ResetPasswordForm(FlaskForm):
    password = new_password_field("New password")
    confirm = confirmation_field("password")


class ChangeOwnPasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)]
    )
    password = new_password_field("New password")
    confirm = confirmation_field("password")

    def validate_password(self, field: Field) -> None:
        if field.data == self.current_password.data:
            raise ValidationError("The new password must differ from the current one.")
