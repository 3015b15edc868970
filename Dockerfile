# syntax=docker/dockerfile:1
# End-user screening service.
#   docker build -t end-user-screening .
#   docker run -p 8000:8000 -e SCREENING_API_KEYS=erp:screen:change-me-to-a-long-secret -v screening-data:/data end-user-screening
# Without a key it refuses to start, unless SCREENING_ALLOW_OPEN=true says an open API is meant.
# With PostgreSQL and a key in one command: compose.yaml (see the README). Helm chart: helm/.
# Configuration comes only from SCREENING_* environment variables (service/config.py); nothing is baked in
# but the list catalogue and the order policy under /app/lists.
#
# The builder's commands are checked without a Docker engine by running them in a fresh virtualenv (gcc at hand):
#   python3.11 -m venv /tmp/v && /tmp/v/bin/pip install . mypy==2.4.1 setuptools==80.9.0 \
#     && /tmp/v/bin/python scripts/compile_matching.py && /tmp/v/bin/pip install --no-deps --force-reinstall . \
#     && /tmp/v/bin/pip uninstall --yes mypy setuptools && /tmp/v/bin/screening --help

ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
# The runtime stage copies this virtualenv whole, so it must live at the same path there (script shebangs).
RUN python -m venv /opt/venv
# Every dependency ships manylinux wheels (psycopg[binary], rapidfuzz, jellyfish). The compiler is for the
# matching package, which mypyc compiles (scripts/compile_matching.py); it stays in this stage.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY service ./service
COPY scripts/compile_matching.py ./scripts/
# Installed as plain Python first (mypyc type-checks against the dependencies), then compiled and installed
# again with the extension modules. The compiled modules need no part of mypy at run time: it goes again.
RUN /opt/venv/bin/pip install . mypy==2.4.1 setuptools==80.9.0 \
    && /opt/venv/bin/python scripts/compile_matching.py \
    && /opt/venv/bin/pip install --no-deps --force-reinstall . \
    && /opt/venv/bin/pip uninstall --yes mypy setuptools \
    && /opt/venv/bin/python -c "import service.matching as matching; raise SystemExit(not matching.COMPILED)" \
    && /opt/venv/bin/screening --help > /dev/null

FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="end-user-screening" \
      org.opencontainers.image.description="Sanctions, export-control and human-rights watchlist screening API" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    TZ=UTC \
    PATH=/opt/venv/bin:$PATH \
    SCREENING_DATA_DIR=/data \
    SCREENING_LISTS_DIR=/app/lists \
    SCREENING_CONTAINER=true
# A fixed UID/GID (10001) so volume ownership and Kubernetes' runAsUser agree across rebuilds.
RUN groupadd --system --gid 10001 screening \
    && useradd --system --no-log-init --uid 10001 --gid 10001 --home-dir /app --shell /usr/sbin/nologin screening \
    && mkdir -p /data /app \
    && chown 10001:10001 /data
COPY --from=builder /opt/venv /opt/venv
COPY lists /app/lists
WORKDIR /app
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8000
# The slim image has no curl: probe with the interpreter that is there. urlopen raises on a non-2xx answer.
# The server binds 0.0.0.0 or does not start (SCREENING_CONTAINER: no open API by accident), so the
# probe of 127.0.0.1 reaches the address it really serves.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["screening", "serve", "--host", "0.0.0.0", "--port", "8000"]
