"""Admin audit log: filters, pages and CSV export."""

from __future__ import annotations

from flask import Response, abort, render_template, request, stream_with_context

from app.clinician import bp
from app.clinician.audit_forms import AuditFilterForm
from app.clinician.paging import page_links
from app.clinician.permissions import admin_required
from app.clinician.query_urls import with_current_query
from app.db_types import utcnow
from app.shares.audit_queries import audit_csv, audit_page

EVENTS_PER_PAGE = 100


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
    page = audit_page(form.to_filter(), EVENTS_PER_PAGE, **form.cursors())
    return render_template(
        "clinician/audit_log.html",
        form=form,
        events=page.rows,
        links=page_links("clinician.audit_log", page),
        csv_url=with_current_query(
            "clinician.audit_csv_export", page=None, after=None, before=None
        ),
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
