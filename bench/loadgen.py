"""A small load generator for webhook intake: signed `pull_request.opened` deliveries over raw keep-alive sockets.

Runs in its own process so it measures the service, not itself. By default each delivery is about a new PR
number of tests/payloads/pull_request.opened.json (its installation is no simulator's); with `--payload FILE`
(a delivery body as GitHub, or the simulator, sent it, naming a real installation, repo and PR), each is that
PR again with a new `updated_at`, as a PR's successive events are: the service fetches its installation's
token and re-reads the PR, the real path. Closed loop (N connections, each sending the
next request when the last is answered) or open loop (a fixed offered rate; latency counted from the moment a
request was due, so a backlog shows). Prints one JSON line.

    python -m bench.loadgen --url http://127.0.0.1:8000/webhooks --secret S closed --conns 32 --seconds 10
    python -m bench.loadgen --url ... --secret S open --rate 500 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PAYLOAD = Path(__file__).resolve().parent.parent / "tests" / "payloads" / "pull_request.opened.json"
MARK = 123456789  # where the varying part goes


class Requests:
    """Distinct signed deliveries: a new PR number and delivery id each time (so none is a duplicate)."""

    def __init__(self, url: str, secret: str, payload: Path | None = None) -> None:
        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/"
        self.secret = secret.encode()
        base = json.loads((payload or PAYLOAD).read_text())
        self.since = None if payload is None else time.time()
        if self.since is None:
            base["number"] = MARK
        else:
            base["pull_request"]["updated_at"] = MARK
        text = json.dumps(base, separators=(",", ":"))
        assert text.count(str(MARK)) == 1, f"{MARK} is in the payload already"
        self.prefix, self.suffix = text.split(str(MARK), 1)
        self.count = 0

    def next(self) -> bytes:
        self.count += 1
        if self.since is None:
            vary = str(self.count)
        else:  # one second later each time: distinct bodies (a replayed body is answered, not queued again)
            vary = '"' + time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.since + self.count)) + '"'
        body = f"{self.prefix}{vary}{self.suffix}".encode()
        sig = hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"User-Agent: GitHub-Hookshot/bench\r\nX-GitHub-Event: pull_request\r\n"
            f"X-GitHub-Delivery: {uuid.uuid4()}\r\nX-Hub-Signature-256: sha256={sig}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        return head.encode() + body


class Conn:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer

    async def send(self, request: bytes) -> int:
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length, chunked = 0, False
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            key = name.strip().lower()
            if key == b"content-length":
                length = int(value)
            elif key == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        if chunked:
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                await self.reader.readexactly(size + 2)
                if size == 0:
                    break
        elif length:
            await self.reader.readexactly(length)
        return status


async def _connect(reqs: Requests) -> Conn:
    reader, writer = await asyncio.open_connection(reqs.host, reqs.port)
    return Conn(reader, writer)


def _summary(
    mode: str, latencies: list[float], statuses: dict[int, int], elapsed: float, offered: int
) -> dict[str, Any]:
    latencies.sort()
    n = len(latencies)

    def pct(p: float) -> float:
        return round(latencies[min(n - 1, int(n * p))] * 1000, 3) if n else 0.0

    ok = sum(v for k, v in statuses.items() if 200 <= k < 300)
    return {
        "mode": mode,
        "sent": offered,
        "answered": n,
        "accepted": ok,
        "accepted_per_s": round(ok / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 3) if n else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "seconds": round(elapsed, 2),
    }


async def closed_loop(reqs: Requests, conns: int, seconds: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    pool = [await _connect(reqs) for _ in range(conns)]
    stop = time.perf_counter() + seconds
    began = time.perf_counter()

    async def run(conn: Conn) -> None:
        while time.perf_counter() < stop:
            request = reqs.next()
            t0 = time.perf_counter()
            status = await conn.send(request)
            latencies.append(time.perf_counter() - t0)
            statuses[status] = statuses.get(status, 0) + 1

    await asyncio.gather(*(run(c) for c in pool))
    elapsed = time.perf_counter() - began
    for c in pool:
        c.writer.close()
    return _summary(f"closed {conns} conns", latencies, statuses, elapsed, len(latencies))


async def open_loop(reqs: Requests, rate: float, seconds: float, conns: int = 64) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    free: asyncio.Queue[Conn] = asyncio.Queue()
    for _ in range(conns):
        free.put_nowait(await _connect(reqs))
    total = int(rate * seconds)
    began = time.perf_counter()
    tasks = []

    async def one(due: float) -> None:
        conn = await free.get()
        try:
            status = await conn.send(reqs.next())
        finally:
            free.put_nowait(conn)
        latencies.append(time.perf_counter() - due)  # from when it was due: a backlog counts
        statuses[status] = statuses.get(status, 0) + 1

    for i in range(total):
        due = began + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    elapsed = max(seconds, time.perf_counter() - began)
    return _summary(f"open {rate:g}/s", latencies, statuses, elapsed, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--payload", type=Path, help="a pull_request delivery's body to send again and again")
    sub = parser.add_subparsers(dest="mode", required=True)
    closed = sub.add_parser("closed")
    closed.add_argument("--conns", type=int, default=32)
    opened = sub.add_parser("open")
    opened.add_argument("--rate", type=float, default=500)
    args = parser.parse_args()
    reqs = Requests(args.url, args.secret, args.payload)
    if args.mode == "closed":
        result = asyncio.run(closed_loop(reqs, args.conns, args.seconds))
    else:
        result = asyncio.run(open_loop(reqs, args.rate, args.seconds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
