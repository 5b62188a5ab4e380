"""Every model, imported together so the metadata (and Alembic) sees all tables."""

from app.api_keys.models import ApiIdempotencyKey, ApiKey
from app.shares.audit_models import AuditEvent
from app.shares.models import Share, ShareStudy
from app.users.models import User
from app.web_sessions import WebSession

__all__ = [
    "ApiIdempotencyKey",
    "ApiKey",
    "AuditEvent",
    "Share",
    "ShareStudy",
    "User",
    "WebSession",
]
