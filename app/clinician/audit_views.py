"""Admin audit log: filters, pages and CSV export."""

from __future__ import annotations

from flask import Response, abort, render_template, request, stream_with_context
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from app.clinician import bp
from app.clinician.permissions import admin_required
from app.clinician.query_urls import with_current_query
from app.clinician.search_form import FlexibleDateField
from app.db_types import utcnow
from app.shares.audit import AuditKind
from app.shares.audit_queries import AuditFilter, audit_csv, audit_page

EVENTS_PER_PAGE = 100


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a read-only GET filter

    share = StringField("Share", validators=[Optional(), Length(max=32)])
    kind = SelectField(
        "Event",
        choices=[SelectChoice("", "Any")] + [SelectChoice(k.value, k.value) for k in AuditKind],
        default="",
    )
    actor = StringField("User e-mail", validators=[Optional(), Length(max=254)])
    day_from = FlexibleDateField("From (UTC)", validators=[Optional()])
    day_to = FlexibleDateField("To (UTC)", validators=[Optional()])
    page = IntegerField("Page", default=1, validators=[Optional(), NumberRange(min=1, max=100000)])

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            share_public_id=(self.share.data or "").strip(),
            kind=self.kind.data or "",
            actor_email=(self.actor.data or "").strip(),
            day_from=self.day_from.data,
            day_to=self.day_to.data,
        )


def _valid_form() -> AuditFilterForm:
    form = AuditFilterForm(request.args)
    if request.args and not form.validate():
        problems = "; ".join(
            f"{form[name].label.text}: {' '.join(e)}" for name, e in form.errors.items()
        )
        abort(400, f"This filter is not valid ({problems}).")
    return form


@bp.get("/admin/audit")
@admin_required
def audit_log():
    form = _valid_form()
    page = form.page.data or 1
    events, has_next = audit_page(form.to_filter(), page, EVENTS_PER_PAGE)

    def page_url(number: int) -> str:
        return with_current_query("clinician.audit_log", page=number)

    return render_template(
        "clinician/audit_log.html",
        form=form,
        events=events,
        page=page,
        has_next=has_next,
        page_url=page_url,
        csv_url=with_current_query("clinician.audit_csv_export", page=None),
    )


@bp.get("/admin/audit.csv")
@admin_required
def audit_csv_export():
    form = _valid_form()
    filename = f"studyshare-audit-{utcnow():%Y%m%d-%H%M%S}.csv"
    return Response(
        stream_with_context(audit_csv(form.to_filter())),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
