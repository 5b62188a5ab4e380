"""The User model: people who log in to the console."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import Boolean, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app.db_types import UTCDateTime, utcnow
from app.email_address import account_email
from app.extensions import db
from app.users.passwords import hash_password, verify_password
from app.web_sessions import end_user_sessions


class Role(StrEnum):
    CLINICIAN = "clinician"
    ADMIN = "admin"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.CLINICIAN.value)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    @property
    def is_active(self) -> bool:  # read by Flask-Login: deactivated users cannot log in
        return self.active

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def set_password(self, password: str) -> None:
        """A new password also ends every open session of the account (a reset after a leak)."""
        self.password_hash = hash_password(password)
        self.end_sessions()

    def rehash_password(self, password: str) -> None:
        """The same password under the current hashing parameters: sessions stay open."""
        self.password_hash = hash_password(password)

    def set_active(self, active: bool) -> None:
        """Let the user log in, or not; deactivating also ends their open sessions."""
        self.active = active
        if not active:
            self.end_sessions()

    def end_sessions(self) -> int:
        """End every console session of the user, with the caller's commit; return how many."""
        if self.id is None:  # not stored yet: no sessions
            return 0
        return end_user_sessions(self.id)

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    @classmethod
    def find_by_email(cls, email: str) -> User | None:
        """Look a user up by e-mail, ignoring case and surrounding spaces."""
        return db.session.scalar(select(cls).where(func.lower(cls.email) == account_email(email)))
