"""The audit log's filter form: a GET form, so a filtered log can be bookmarked."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional

from app.clinician.forms import FlexibleDateField
from app.clinician.paging import CursorForm
from app.shares.audit import AuditKind
from app.shares.audit_queries import AuditFilter
from app.shares.audit_wording import kind_words


class AuditFilterForm(CursorForm):
    class Meta:
        csrf = False  # a read-only GET filter

    share = StringField("Share", validators=[Optional(), Length(max=32)])
    kind = SelectField(
        "Event",
        choices=[SelectChoice("", "Any")]
        + [SelectChoice(k.value, kind_words(k)) for k in AuditKind],
        default="",
    )
    actor = StringField("User e-mail", validators=[Optional(), Length(max=254)])
    day_from = FlexibleDateField("From (UTC)", validators=[Optional()])
    day_to = FlexibleDateField("To (UTC)", validators=[Optional()])

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            share_public_id=(self.share.data or "").strip(),
            kind=self.kind.data or "",
            actor_email=(self.actor.data or "").strip(),
            day_from=self.day_from.data,
            day_to=self.day_to.data,
        )
