# undersigned: the webhook service and its job workers. Build: docker build -t undersigned .
# Lint: hadolint Dockerfile (run by `make lint`). Smoke test: .ci/container-smoke (run by .ci/run).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app app
COPY handlers handlers
COPY config config
# Wheels for undersigned and its dependencies (the project's own version bounds, from pyproject.toml).
RUN pip wheel --no-cache-dir --wheel-dir /wheels ".[redis]"

FROM ${PYTHON_IMAGE}
# A fixed numeric UID, so volume permissions and Kubernetes' runAsNonRoot resolve without /etc/passwd.
RUN useradd --create-home --uid 10001 undersigned && mkdir /data && chown 10001 /data && chmod 0700 /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER 10001
WORKDIR /home/undersigned
ENV PYTHONUNBUFFERED=1 \
    UNDERSIGNED_DATA_DIR=/data \
    UNDERSIGNED_HOST=0.0.0.0 \
    UNDERSIGNED_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
# On the port the service listens on: UNDERSIGNED_PORT, as `docker run -e UNDERSIGNED_PORT=...` sets it.
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('UNDERSIGNED_PORT', '8000'), timeout=3)"]
ENTRYPOINT ["undersigned"]
CMD ["serve"]
