"""Serve an ASGI app from a thread on a pre-bound port (0: a free one), for tests and the simulator."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Literal

import uvicorn


class ServerThread:
    """uvicorn in a daemon thread. The socket is bound at construction, so the port is known at once."""

    def __init__(
        self, app: Any, host: str = "127.0.0.1", port: int = 0, lifespan: Literal["auto", "on", "off"] = "off"
    ) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.host, self.port = host, int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", lifespan=lifespan, access_log=False, timeout_keep_alive=30)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def start(self, timeout: float = 10.0) -> None:
        self.sock.listen(512)
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self.server.started:
            raise RuntimeError(f"the server on port {self.port} did not start")

    def stop(self, timeout: float = 15.0) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=timeout)
        self.sock.close()
