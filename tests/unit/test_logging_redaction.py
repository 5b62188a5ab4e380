import io
import logging

from app import create_app
from app.logging_setup import RedactSecretsFilter, redact
from config import TestConfig


def test_link_secrets_and_tokens_are_redacted():
    line = (
        '127.0.0.1 - - "GET /s/AbC-123_xyzSECRET HTTP/1.1" 200 '
        "/studies/x/archive?token=eyJhbGciOi.abc.def&x=1 Authorization: Bearer eyJ.abc.def"
    )
    cleaned = redact(line)
    assert "AbC-123_xyzSECRET" not in cleaned
    assert "eyJhbGciOi" not in cleaned
    assert "eyJ.abc.def" not in cleaned
    assert "/s/[redacted]" in cleaned
    assert "token=[redacted]&x=1" in cleaned


def test_filter_rewrites_records_with_arguments():
    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"%s" %s', ("GET /s/abcdef", 200), None
    )
    assert RedactSecretsFilter().filter(record) is True
    assert record.getMessage() == '"GET /s/[redacted]" 200'


def test_query_strings_of_requests_and_referers_are_redacted():
    """Console searches are GET forms: names, ids and birth dates travel in the query."""
    line = (
        '127.0.0.1 - - [23/Nov/2026] "GET /?patient_name=M%C3%9CLLER&birth_date=1972-02-29 '
        'HTTP/1.1" 200 512 "http://127.0.0.1:5000/?patient_id=SS-DEMO-0002" "Mozilla/5.0"'
    )
    cleaned = redact(line)
    assert "M%C3%9CLLER" not in cleaned
    assert "1972-02-29" not in cleaned
    assert "SS-DEMO-0002" not in cleaned
    assert '"GET /?[redacted] HTTP/1.1" 200 512' in cleaned
    assert '"http://127.0.0.1:5000/?[redacted]"' in cleaned


def test_records_of_child_loggers_are_redacted_by_the_handler():
    """app.shares.service logs through the app logger's handlers, past its logger filter."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    app_logger = logging.getLogger("app")
    app_logger.addHandler(handler)
    try:
        create_app(TestConfig({"SECRET_KEY": "x" * 32, "DATABASE_URL": "sqlite://"}))
        logging.getLogger("app.shares.service").error("opened /s/AbCdEfSECRET")
    finally:
        app_logger.removeHandler(handler)
    assert "AbCdEfSECRET" not in stream.getvalue()
    assert "/s/[redacted]" in stream.getvalue()
