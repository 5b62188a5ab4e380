"""Template filters that put audit events in words (app/shares/audit_wording.py)."""

from __future__ import annotations

from app.clinician import bp
from app.shares.audit_wording import actor_words, detail_lines, kind_words

bp.add_app_template_filter(kind_words, "audit_kind")
bp.add_app_template_filter(actor_words, "audit_actor")
bp.add_app_template_filter(detail_lines, "audit_details")
