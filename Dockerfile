# undersigned: the webhook service and its job workers. Build: docker build -t undersigned .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app app
COPY handlers handlers
COPY config config
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels ".[redis]"

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 undersigned && mkdir /data && chown undersigned /data
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
USER undersigned
WORKDIR /home/undersigned
ENV PYTHONUNBUFFERED=1 \
    UNDERSIGNED_DATA_DIR=/data \
    UNDERSIGNED_HOST=0.0.0.0 \
    UNDERSIGNED_PORT=8000
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"
ENTRYPOINT ["undersigned"]
CMD ["serve"]
