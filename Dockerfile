# StudyShare's image. The dependencies are installed from the lock (constraints.txt) into a
# virtualenv in a build stage; the final stage copies that virtualenv and the code, both owned
# by root and read-only to the numeric user the server runs as. See README.md, "Container image".
#
# Base image. TODO(pin): pin it by digest, so that a rebuild gets the same Python and Debian:
#   docker buildx imagetools inspect python:3.11-slim-bookworm    # prints "Digest: sha256:…"
#   (or: docker pull python:3.11-slim-bookworm && docker inspect --format '{{index .RepoDigests 0}}' python:3.11-slim-bookworm)
# then set PYTHON_IMAGE=python:3.11-slim-bookworm@sha256:<that digest> here, and repeat that
# to take Debian's and Python's security updates. Every stage uses this one ARG.
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# The runtime dependency list, alone in its own stage: editing pyproject.toml (ruff or pytest
# settings, say) does not change it, so the install layer below stays cached.
FROM ${PYTHON_IMAGE} AS requirements
COPY pyproject.toml /pyproject.toml
RUN python -c "import tomllib; deps = tomllib.load(open('/pyproject.toml', 'rb'))['project']['dependencies']; print('\n'.join(deps))" > /requirements.txt

FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
# Dependencies before the code: this layer is rebuilt only when the lock or the list changes.
# Wheels only (no compiler, no build backend fetched unpinned), into a virtualenv without pip;
# then every installed package must be pinned, at that version, in constraints.txt.
COPY constraints.txt ./
COPY --from=requirements /requirements.txt ./
RUN python -m venv --without-pip /opt/venv \
    && python -m pip --python /opt/venv/bin/python install --only-binary=:all: \
        -r requirements.txt -c constraints.txt \
    && unpinned="$(python -m pip --python /opt/venv/bin/python freeze --all | grep -vixF -f constraints.txt || true)" \
    && if [ -n "$unpinned" ]; then \
        echo "Installed but not pinned in constraints.txt (run make lock): $unpinned" >&2; exit 1; \
    fi
# The code, its compiled message catalogs (build products, not in git) and its bytecode.
COPY wsgi.py serve.py docker-entrypoint.sh ./
COPY config ./config
COPY app ./app
RUN /opt/venv/bin/pybabel compile --directory app/translations --domain messages \
    && /opt/venv/bin/python -m compileall -q app config wsgi.py serve.py \
    && chmod -R u=rwX,go=rX /src /opt/venv

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="StudyShare" \
      org.opencontainers.image.description="Share Orthanc imaging studies with patients, securely and for a limited time."
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    STUDYSHARE_ENV=production \
    PORT=8000
# Pango and a font: WeasyPrint renders the handout PDF of the API with them.
RUN apt-get update \
    && apt-get install --yes --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 studyshare \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin studyshare
# Owned by root: the server's user can read and run all of it and change none of it.
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --from=build /src/app ./app
COPY --from=build /src/config ./config
COPY --from=build /src/wsgi.py /src/serve.py /src/docker-entrypoint.sh ./
USER 10001:10001
EXPOSE 8000
# Liveness on the configured port (PORT); /readyz is for orchestrators' readiness checks.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
# The server stops gracefully on SIGTERM, waiting for the requests in flight up to its
# workers_kill_timeout (serve.py): give the container longer than that before it is killed
# (compose: stop_grace_period).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bin/sh", "/app/docker-entrypoint.sh"]
CMD ["python", "serve.py"]
