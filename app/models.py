"""Every model, imported together so the metadata (and Alembic) sees all tables."""

from app.shares.models import AuditEvent, Share, ShareStudy
from app.users.models import User

__all__ = ["AuditEvent", "Share", "ShareStudy", "User"]
