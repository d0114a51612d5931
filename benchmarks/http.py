"""Bounded HTTP load on loopback: /healthz and /v1/evaluate on the same server, in the same run.

Starts `eligibility serve` (no access log) on a free 127.0.0.1 port in a child
process, then sends a fixed number of requests to each endpoint over N
keep-alive connections (default 16) and prints requests/s, p50 and p99 latency
and the server's CPU time per request for each, and the ratio of the two rates.
Target (measured, never asserted): /v1/evaluate >= 0.5 x /healthz requests/s,
p99 < 25 ms at 16 connections.

The client is a minimal asyncio HTTP/1.1 client (pre-encoded requests, one
Content-Length read per response) so that it costs less than the server.

    python benchmarks/http.py [--requests 4000] [--connections 16]
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and its name shadows the
# standard library's `http` package (which urllib and uvicorn import): drop the folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != _HERE]

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

PROFILE = {
    "id": "bench-1",
    "region": "aksu",
    "degree": "doctorate",
    "introduction": "full_time",
    "service_start_date": "2019-03-01",
    "bought_home_in_region": True,
}


def request_bytes(method: str, path: str, body: bytes = b"") -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    return (head + f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def one_connection(port: int, request: bytes, count: int, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        for _ in range(count):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if status != b"200":
                raise RuntimeError(f"status {status.decode()}: {head.decode(errors='replace')}")
    finally:
        writer.close()


async def load(port: int, request: bytes, total: int, connections: int) -> tuple[float, list[float]]:
    latencies: list[float] = []
    share = [total // connections + (1 if index < total % connections else 0) for index in range(connections)]
    started = time.perf_counter()
    await asyncio.gather(*(one_connection(port, request, count, latencies) for count in share))
    return time.perf_counter() - started, latencies


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the server did not start") from None
            time.sleep(0.1)


def server_cpu_seconds(pid: int) -> float | None:
    """The server process's user + system CPU time (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=4000, help="requests per endpoint (default 4000)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    arguments = parser.parse_args()

    port = free_port()
    command = [sys.executable, "-m", "eligibility", "serve", "--port", str(port), "--no-access-log"]
    server = subprocess.Popen(
        command, cwd=_HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy()
    )
    try:
        wait_until_up(port, server)
        targets = {
            "/healthz": request_bytes("GET", "/healthz"),
            "/v1/evaluate": request_bytes("POST", "/v1/evaluate?as_of=2025-06-01", json.dumps(PROFILE).encode()),
        }
        for request in targets.values():  # warm up both paths (imports, caches, connections)
            asyncio.run(load(port, request, 200, arguments.connections))
        rates: dict[str, float] = {}
        print(f"{arguments.requests} requests per endpoint, {arguments.connections} connections, loopback")
        print(f"{'endpoint':<14} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8}")
        for path, request in targets.items():
            cpu_before = server_cpu_seconds(server.pid)
            elapsed, latencies = asyncio.run(load(port, request, arguments.requests, arguments.connections))
            cpu_after = server_cpu_seconds(server.pid)
            rates[path] = len(latencies) / elapsed
            p50, p99 = percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000
            print(f"{path:<14} {rates[path]:>10.0f} {p50:>8.2f} {p99:>8.2f}")
            # CPU time per request is steadier than rates on a shared machine: it counts only the server's work.
            cpu = (
                ""
                if cpu_before is None or cpu_after is None
                else f", server CPU {(cpu_after - cpu_before) / len(latencies) * 1e6:.0f} µs/request"
            )
            print(f"{'':<14} mean {statistics.fmean(latencies) * 1000:.2f} ms over {len(latencies)} requests{cpu}")
        print(f"ratio /v1/evaluate : /healthz = {rates['/v1/evaluate'] / rates['/healthz']:.2f} (target >= 0.5)")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
