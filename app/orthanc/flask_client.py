"""The application's one Orthanc client, configured from the Flask config."""

from flask import Flask, current_app

from app.orthanc.client import OrthancClient

_EXTENSION_KEY = "studyshare.orthanc"


def init_app(app: Flask) -> None:
    # Built lazily on first use so that creating the app never touches the network.
    app.extensions[_EXTENSION_KEY] = None


def client_for(app: Flask) -> OrthancClient:
    """Return the app's shared client, creating it on first use."""
    client = app.extensions.get(_EXTENSION_KEY)
    if client is None:
        client = OrthancClient(
            app.config["ORTHANC_URL"],
            username=app.config["ORTHANC_USERNAME"],
            password=app.config["ORTHANC_PASSWORD"],
            timeout=app.config["ORTHANC_TIMEOUT"],
            anonymize_timeout=app.config["ORTHANC_ANONYMIZE_TIMEOUT"],
        )
        app.extensions[_EXTENSION_KEY] = client
    return client


def get_orthanc() -> OrthancClient:
    """The Orthanc client of the current app."""
    return client_for(current_app._get_current_object())  # type: ignore[attr-defined]
