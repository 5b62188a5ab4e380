"""The study search form: a GET form, so searches can be bookmarked and shared."""

from __future__ import annotations

from datetime import date, datetime

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.studies.criteria import MODALITIES, StudyCriteria

DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%d.%m.%Y", "%d/%m/%Y")
EARLIEST = date(1800, 1, 1)


class FlexibleDateField(DateField):
    """Accepts ISO dates (what date inputs send) and the usual typed forms."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = " ".join(valuelist).strip() if valuelist else ""
        self.data = None
        if not text:
            return
        for fmt in DATE_FORMATS:
            try:
                self.data = datetime.strptime(text, fmt).date()
            except ValueError:
                continue
            if self.data < EARLIEST:
                self.data = None
                raise ValueError(f"Enter a date after {EARLIEST.year}.")
            return
        raise ValueError("Enter a date like 2024-03-31.")


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
