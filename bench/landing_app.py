"""The app bench/landing.py serves: StudyShare itself, plus its baseline, a constant page.

    python serve.py bench.landing_app:app

The constant page is rendered from the recipient pages' own layout (`layouts/patient.html`:
the base template, the clinic's name and logo, the language links) through every hook of the
app (sessions, CSRF, security headers, compression), but asks nothing of the database or
Orthanc: what a recipient page costs before its own work.
"""

from flask import render_template

from bench.landing import CONSTANT_PATH
from wsgi import app

CONSTANT_PAGE = """{% extends "layouts/patient.html" %}
{% block title %}Your images{% endblock %}
{% block content %}
<h1>Your images</h1>
<p>Your clinic has shared images with you. This page is the same for everyone.</p>
{% endblock %}"""
# Compiled once, as every template of the app is (render_template_string compiles per call).
CONSTANT_TEMPLATE = app.jinja_env.from_string(CONSTANT_PAGE)


def constant_page():
    return render_template(CONSTANT_TEMPLATE)


# Named as one of the recipient pages (the `patient.` endpoints are public, like them).
app.add_url_rule(CONSTANT_PATH, endpoint="patient.bench_constant", view_func=constant_page)
