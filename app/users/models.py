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
    # Part of the id kept in sessions and remember-me cookies: bumping it ends them all.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"

    @property
    def is_active(self) -> bool:  # read by Flask-Login: deactivated users cannot log in
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch or 0}"

    @classmethod
    def from_session_id(cls, session_id: str) -> User | None:
        """The user a session names, unless their sessions were ended since."""
        user_id, _, epoch = session_id.partition(":")
        if not (user_id.isdigit() and epoch.isdigit()):
            return None
        user = db.session.get(cls, int(user_id))
        if user is None or (user.session_epoch or 0) != int(epoch):
            return None
        return user

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        return self.name or self.email

    def set_password(self, password: str) -> None:
        """A new password also ends every open session of the account (a reset after a leak)."""
        self.password_hash = hash_password(password)
        self.session_epoch = (self.session_epoch or 0) + 1

    def check_password(self, password: str) -> bool:
        return verify_password(self.password_hash, password)

    @classmethod
    def find_by_email(cls, email: str) -> User | None:
        """Look a user up by e-mail, ignoring case and surrounding spaces."""
        return db.session.scalar(select(cls).where(func.lower(cls.email) == account_email(email)))
