# syntax=docker/dockerfile:1
# Multi-stage image: build wheels with compilers, run on a slim base as a non-root user.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml constraints.txt README.md config.py wsgi.py ./
COPY app ./app
# Compiled catalogs are build products (not in git): make them before the wheel packs app/.
RUN pip install --no-cache-dir -c constraints.txt babel \
    && pybabel compile --directory app/translations --domain messages
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c constraints.txt .

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STUDYSHARE_ENV=production
RUN useradd --create-home --uid 10001 studyshare
WORKDIR /app
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels studyshare && rm -rf /wheels
COPY --chown=studyshare:studyshare wsgi.py config.py ./
USER studyshare
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
# --timeout above ORTHANC_ANONYMIZE_TIMEOUT: creating an anonymized share waits for Orthanc's job.
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "4", "--timeout", "180", "--access-logfile", "-", "wsgi:app"]
