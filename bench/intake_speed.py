"""Webhook intake latency: signed deliveries answered after a durable enqueue (SQLite), no GitHub call.

Run: python -m bench.intake_speed   (target: milliseconds; GitHub gives up after 10 s)
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from pydantic import SecretStr

from app.settings import Settings
from tests.github_sim import signature
from tests.service import Service

PAYLOAD = Path(__file__).resolve().parent.parent / "tests" / "payloads" / "pull_request.opened.json"


def main(count: int = 500) -> None:
    settings = Settings(webhook_secret=SecretStr("bench"), data_dir=Path(tempfile.mkdtemp()), workers=0)
    service = Service(settings).start()
    base = json.loads(PAYLOAD.read_text())
    times = []
    try:
        with httpx.Client() as client:
            for i in range(count):
                payload = {**base, "number": i + 1}  # distinct PRs: every delivery is a new durable job
                body = json.dumps(payload).encode()
                headers = {
                    "X-GitHub-Event": "pull_request",
                    "X-GitHub-Delivery": str(uuid.uuid4()),
                    "X-Hub-Signature-256": signature("bench", body),
                }
                began = time.perf_counter()
                response = client.post(service.url, content=body, headers=headers)
                times.append(time.perf_counter() - began)
                assert response.status_code == 202, response.text
        assert service.runtime.queue.pending() == count
    finally:
        service.stop()
    times.sort()
    print(
        f"intake: {count} deliveries, median {statistics.median(times) * 1000:.2f} ms, "
        f"p99 {times[int(count * 0.99) - 1] * 1000:.2f} ms, max {times[-1] * 1000:.2f} ms (each durably queued)"
    )


if __name__ == "__main__":
    main()
