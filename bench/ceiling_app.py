"""The ceiling for bench/validate.py: the least a Flask app can do on the validation route.

    python serve.py bench.ceiling_app:app    (bench/servers.py starts it on every server)

Same route and answer shape as StudyShare's `POST /auth/tokens/validate`, but a constant
grant: no Basic auth, no JSON parsing, no token, no database, no extensions or hooks. What
the server + Flask + the network stack cost per call, which StudyShare cannot beat.
"""

from flask import Flask, jsonify

app = Flask(__name__)


@app.post("/auth/tokens/validate")
def validate():
    """Always granted, for the longest validity StudyShare would give."""
    return jsonify(granted=True, validity=10)


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
