"""The form an administrator fills in to make an integration API key."""

from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from app.api_keys.keys import MAX_NAME
from app.api_keys.models import Scope
from app.clinician.forms import strip_spaces
from app.extensions import db
from app.users.models import User

SCOPE_LABELS = {
    Scope.SHARES_CREATE: "Create shares",
    Scope.SHARES_READ: "Read and list shares",
    Scope.SHARES_REVOKE: "Revoke shares",
    Scope.SHARES_UPDATE: "Change shares after sending",
    Scope.STUDIES_SEARCH: "Search studies",
}


class CreateApiKeyForm(FlaskForm):
    name = StringField(
        "Name of the integration",
        filters=[strip_spaces],
        validators=[DataRequired(), Length(max=MAX_NAME)],
    )
    owner = SelectField("Shares belong to", coerce=int)
    scopes = SelectMultipleField(
        "It may",
        choices=[SelectChoice(scope.value, label) for scope, label in SCOPE_LABELS.items()],
        validators=[DataRequired(message="Choose at least one.")],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owners = db.session.scalars(select(User).where(User.active).order_by(User.email))
        self.owner.choices = [SelectChoice(user.id, user.email) for user in owners]
