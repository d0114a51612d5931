"""A real uvicorn server in a background thread, on a free 127.0.0.1 port, for tests over real HTTP."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from eligibility.evaluation.calculator import Calculator
from eligibility.http.app import create_app
from eligibility.http.server import server_config


class Server:
    """uvicorn in a background thread, on a socket bound to a free 127.0.0.1 port (the service, or `app`)."""

    def __init__(
        self, calculator: Calculator, app: Any = None, head_seconds: float = 10.0, body_seconds: float = 10.0
    ) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        application = app or create_app(calculator, body_seconds=body_seconds)
        config = server_config(application, log_level="warning", access_log=False, head_seconds=head_seconds)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.socket.close()
