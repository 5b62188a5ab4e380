"""StudyShare: share Orthanc studies with patients and colleagues."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask

from app.db_types import render_alembic_type
from config import Config, ConfigError, config_from_environ


def create_app(config: Config | Mapping[str, str] | None = None) -> Flask:
    """Build the application. `config` is a Config, or environment-like variables."""
    if config is None or isinstance(config, Mapping):
        config = config_from_environ(config)

    app = Flask(__name__, instance_relative_config=False)
    app.config.from_mapping(config.to_flask())
    app.config["STUDYSHARE_ENV"] = config.ENV_NAME
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = default_sqlite_uri(app.instance_path)

    from app import logging_setup

    logging_setup.init_app(app)

    # models: imported for its tables.
    from app import database, extensions, i18n, input_guard, models, rate_limits  # noqa: F401

    extensions.db.init_app(app)
    database.init_app(app)
    extensions.migrate.init_app(
        app, extensions.db, directory=migrations_dir(), render_item=render_alembic_type
    )
    extensions.csrf.init_app(app)
    rate_limits.init_app(app)  # ProxyFix and Flask-Limiter
    extensions.mail.init_app(app)
    extensions.babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    input_guard.init_app(app)

    from app.orthanc import flask_client

    flask_client.init_app(app)

    from app import (
        auth,
        compression,
        errors,
        health,
        security_headers,
        session_cookies,
        static_files,
    )
    from app.api import bp as api_bp
    from app.authz import bp as authz_bp
    from app.clinician import bp as clinician_bp
    from app.gateway import bp as gateway_bp
    from app.patient import bp as patient_bp

    session_cookies.init_app(app)
    auth.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(clinician_bp)
    app.register_blueprint(patient_bp)
    app.register_blueprint(authz_bp)
    app.register_blueprint(gateway_bp)
    app.register_blueprint(api_bp)
    # The token service is called by Orthanc with HTTP Basic auth, never from a browser form;
    # the gateway is read-only; the integration API takes a bearer key, never a cookie.
    extensions.csrf.exempt(authz_bp)
    extensions.csrf.exempt(gateway_bp)
    extensions.csrf.exempt(api_bp)
    errors.init_app(app)
    security_headers.init_app(app)
    static_files.init_app(app)
    compression.init_app(app)

    from app import cli
    from app.authz import nginx_check, validate_endpoint
    from app.gateway import front as gateway_front

    cli.init_app(app)
    gateway_front.init_app(app)
    validate_endpoint.init_app(app)
    nginx_check.init_app(app)
    return app


def default_sqlite_uri(instance_path: str) -> str:
    """SQLite under the instance folder, which must exist and be writable."""
    try:
        os.makedirs(instance_path, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"Cannot create the instance folder {instance_path} ({exc.strerror}); "
            "create it or set DATABASE_URL."
        ) from None
    if not os.access(instance_path, os.W_OK):
        raise ConfigError(
            f"The instance folder {instance_path} is not writable; fix its permissions "
            "or set DATABASE_URL."
        )
    return "sqlite:///" + os.path.join(instance_path, "studyshare.db")


def migrations_dir() -> str:
    # Inside the package, so an installed wheel carries its migrations.
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), "migrations")
