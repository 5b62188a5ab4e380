"""The ceiling for bench/validate.py: the least a Flask app can do on the validation route.

    gunicorn -w 2 -b 127.0.0.1:PORT bench.ceiling_app:app

Same route and answer shape as StudyShare's `POST /auth/tokens/validate`, but a constant
grant: no Basic auth, no JSON parsing, no token, no database, no extensions or hooks. What
gunicorn + Flask + the network stack cost per call, which StudyShare cannot beat.
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
