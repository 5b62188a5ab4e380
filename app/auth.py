"""Login-by-default for the console: every endpoint needs a user unless allow-listed."""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import login_manager
from app.users.models import User

# Endpoints reachable without a console login. Blueprints whose endpoints are all public
# (patient pages, the token service and the gateway with their own auth, health checks) are
# listed whole.
PUBLIC_ENDPOINTS = frozenset({"static", "clinician.login"})
PUBLIC_BLUEPRINTS = frozenset({"patient", "authz", "gateway", "health"})


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
    def load_user(session_id: str) -> User | None:
        try:
            return User.from_session_id(session_id)
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
