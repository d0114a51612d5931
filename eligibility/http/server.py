"""How the service is served: uvicorn, protected from slow and numerous clients.

- A request's head (request line and headers) must arrive within HEAD_SECONDS
  of the connection, or of the previous response on a kept-alive connection;
  otherwise the connection is closed (a client sending a byte at a time holds
  nothing for long). Headers are at most h11's 16 KiB.
- A body must arrive within http/requests.py's BODY_SECONDS (408 otherwise).
- An idle kept-alive connection is closed after KEEP_ALIVE_SECONDS.
- At most CONNECTIONS connections are served at once; beyond, uvicorn answers
  503 at once rather than queueing without end.

Before serving, everything loaded at start-up (rule packs, compiled engines,
models, the application) is moved out of the garbage collector's sight
(`gc.freeze`): otherwise every full collection walks it again, a pause of
about 45 ms that every request in flight waits out (it was the p99 of
/v1/evaluate at 16 connections; with the freeze, about 15 ms).
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
CONNECTIONS = 256


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's head."""

    head_seconds: float = HEAD_SECONDS
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a request's head arrived whole
            self._disarm()

    def on_response_complete(self) -> None:
        self._arm()  # before the next request is looked for: a pipelined one disarms it at once
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.head_seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()


def server_config(
    app: Any, host: str = "127.0.0.1", port: int = 8000, head_seconds: float = HEAD_SECONDS, **settings: Any
) -> uvicorn.Config:
    """uvicorn's configuration for the service, with the protections above."""
    protocol = type("DeadlineH11Protocol", (DeadlineH11Protocol,), {"head_seconds": head_seconds})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        limit_concurrency=CONNECTIONS,
        **settings,
    )


def settle_memory() -> None:
    """Collect once, then keep what start-up left out of every later collection (see above)."""
    gc.collect()
    gc.freeze()
