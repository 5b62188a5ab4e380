"""Paging and export links keep the page's filters, whatever the query string holds."""

from app import create_app
from app.clinician.query_urls import with_current_query
from config import TestConfig


def test_the_current_filters_are_kept_and_changed():
    app = create_app(TestConfig({"SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite://"}))
    with app.test_request_context("/?patient_name=M%C3%9CLLER%20H*&page=1"):
        assert with_current_query("clinician.index", page=2) == (
            "/?patient_name=M%C3%9CLLER+H%2A&page=2"
        )
        assert with_current_query("clinician.audit_csv_export", page=None) == (
            "/admin/audit.csv?patient_name=M%C3%9CLLER+H%2A"
        )


def test_arguments_named_like_url_fors_own_are_plain_arguments():
    app = create_app(TestConfig({"SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite://"}))
    with app.test_request_context("/?endpoint=x&_method=POST&_anchor=top&_external=1"):
        assert with_current_query("clinician.share_list", page=3) == (
            "/shares?endpoint=x&_method=POST&_anchor=top&_external=1&page=3"
        )
