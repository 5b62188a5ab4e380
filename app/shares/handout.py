"""The share's one-page handout, in the recipient's language: the console prints its HTML,
the API hands it out as a PDF of the same page."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import force_locale

from app.shares import wording
from app.shares.models import Share
from app.shares.plain_words import exam_name
from app.shares.qr import qr_svg

TEMPLATE = "clinician/share_handout.html"


def _exam(summary: dict, language: str) -> dict:
    """What the handout prints of a study: its name in lay terms and its date."""
    name = exam_name(summary.get("description"), summary.get("modalities") or [], language)
    return {"name": name, "date": summary.get("date")}


def handout_html(
    share: Share, link: str, *, access_code: str | None, patient_name: str | None
) -> str:
    """The handout page; `access_code` only if it is the share's own (paper never lies)."""
    with force_locale(share.language):
        return render_template(
            TEMPLATE,
            share=share,
            link=link,
            qr=qr_svg(link),
            access_code=access_code,
            code_address=f"{current_app.config['PUBLIC_BASE_URL']}/code",
            patient_name=patient_name,
            exams=[_exam(study.summary or {}, share.language) for study in share.studies],
            shared_by=wording.shared_by_sentence(share),
            expiry=wording.expiry_sentence(share),
            challenge_step=wording.challenge_step(share),
            viewing_step=wording.viewing_step(share),
        )


def handout_pdf(share: Share, link: str, *, access_code: str | None) -> bytes:
    """The same page as a PDF (its print stylesheet: one A4 sheet), without the patient's name."""
    # Imported here: WeasyPrint loads Pango, which only this needs.
    from app.shares.pdf import pdf_of_page

    return pdf_of_page(handout_html(share, link, access_code=access_code, patient_name=None))
