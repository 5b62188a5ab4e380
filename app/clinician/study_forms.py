"""The study search form: a GET form, so searches can be bookmarked and shared."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.clinician.forms import FlexibleDateField
from app.studies.criteria import MODALITIES, StudyCriteria


def _text(label: str, max_length: int = 64) -> StringField:
    return StringField(label, validators=[Optional(), Length(max=max_length)])


class StudySearchForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET form

    patient_name = _text("Patient name")
    patient_id = _text("Patient ID")
    birth_date = FlexibleDateField("Birth date", validators=[Optional()])
    accession_number = _text("Accession number")
    date_from = FlexibleDateField("Study date from", validators=[Optional()])
    date_to = FlexibleDateField("Study date to", validators=[Optional()])
    modality = SelectField(
        "Modality",
        choices=[SelectChoice("", "Any")] + [SelectChoice(m, m) for m in MODALITIES],
        default="",
    )
    description = _text("Study description")
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=1000)])

    def validate_birth_date(self, field: FlexibleDateField) -> None:
        if field.data and field.data > date.today():
            raise ValidationError("The birth date is in the future.")

    def validate_date_to(self, field: FlexibleDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date is before the start date.")

    def criteria(self) -> StudyCriteria:
        return StudyCriteria(
            patient_name=self.patient_name.data or "",
            patient_id=self.patient_id.data or "",
            birth_date=self.birth_date.data,
            accession_number=self.accession_number.data or "",
            date_from=self.date_from.data,
            date_to=self.date_to.data,
            modality=self.modality.data or "",
            description=self.description.data or "",
        )

    @property
    def page_number(self) -> int:
        return self.page.data or 1
