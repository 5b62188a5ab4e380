"""Login-by-default for the console: every endpoint needs a user unless allow-listed.

A login is a server-side session (app/web_sessions.py): the signed cookie holds its token,
and the user loader accepts the cookie only while the row lasts.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, current_app, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, login_manager
from app.users.models import User
from app.web_sessions import (
    SessionKind,
    WebSession,
    end_session,
    open_session,
    remembered_lifetime,
    session_subject,
    subject_query,
)

SESSION_KEY = "console_session"
_SESSION_USER = subject_query(SessionKind.CONSOLE, User, WebSession.user_id == User.id)

# Endpoints reachable without a console login. Blueprints whose endpoints are all public
# (patient pages, the token service and the gateway with their own auth, health checks) are
# listed whole.
PUBLIC_ENDPOINTS = frozenset({"static", "clinician.login"})
PUBLIC_BLUEPRINTS = frozenset({"patient", "authz", "gateway", "health", "api"})


def is_public_endpoint(endpoint: str | None) -> bool:
    if endpoint is None:  # no route matched: let the 404/405 handler answer
        return True
    blueprint = endpoint.rpartition(".")[0]
    return endpoint in PUBLIC_ENDPOINTS or blueprint in PUBLIC_BLUEPRINTS


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "clinician.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        try:
            return _session_user(user_id)
        except SQLAlchemyError:
            # The request goes on as a visitor's, so its error page (503) renders: every
            # template asks for current_user, and asking again would fail inside the handler.
            # The session keeps its login for when the database is back.
            login_manager._update_request_context_with_user()  # Flask-Login has no public one
            raise

    @app.before_request
    def require_login():
        if is_public_endpoint(request.endpoint) or current_user.is_authenticated:
            return None
        return login_manager.unauthorized()


def log_in(user: User, *, remember: bool = False) -> None:
    """Start a console session for `user`; `remember` keeps it past closing the browser."""
    if remember:
        lifetime = remembered_lifetime()
    else:
        lifetime = timedelta(hours=current_app.config["SESSION_LIFETIME_HOURS"])
    session[SESSION_KEY] = open_session(
        SessionKind.CONSOLE,
        lifetime=lifetime,
        user_id=user.id,
        persistent=remember,
        user_agent=request.user_agent.string,
    )
    db.session.commit()
    session.permanent = remember
    login_user(user)


def log_out() -> None:
    """End this console session on every instance, and forget it in the cookie."""
    token = session.pop(SESSION_KEY, None)
    if isinstance(token, str):
        end_session(token)
        db.session.commit()
    logout_user()


def is_remembered() -> bool:
    """Whether this console session was started with "keep me logged in"."""
    return bool(session.permanent)


def _session_user(user_id: str) -> User | None:
    token = session.get(SESSION_KEY)
    if not isinstance(token, str):
        return None
    user = session_subject(_SESSION_USER, token)
    if user is None or str(user.id) != user_id:
        return None
    return user
