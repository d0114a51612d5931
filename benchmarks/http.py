"""Bounded HTTP load on loopback: /healthz and /v1/evaluate on the same server, in the same run.

Starts `eligibility serve` (no access log) on a free 127.0.0.1 port in a child
process, then loads each endpoint in turn over N keep-alive connections
(default 16), for several interleaved rounds, and prints for each round and
endpoint requests/s, p50 and p99 latency and the server's CPU time per request,
the ratio of the two rates per round, their medians, and the load average.
Goal (measured, never asserted): /v1/evaluate >= 0.6 x /healthz requests/s,
p99 <= 25 ms at 16 connections.

The load generator is wrk (Debian's package `wrk`; a compiled client costs the
two cores far less than the server): `wrk -t1 -cN -dSs --latency` with the
request set in a Lua script. Without wrk on the PATH, a minimal asyncio
HTTP/1.1 client is used instead (pre-encoded requests, one Content-Length read
per response), and the output says so: it competes with the server for the
same cores, so its rates are lower.

Besides the default report, `--extra` loads `/v1/evaluate?near_misses=false` and
`/v1/evaluate?view=compact` too (what an HR system that shows neither would ask).

    python benchmarks/http.py [--rounds 3] [--seconds 5] [--connections 16] [--extra]
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
import re  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
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


WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk_script(method: str, body: bytes) -> str:
    """wrk's Lua settings for one request (the body as a Lua long string: JSON holds no ']]')."""
    lines = [f'wrk.method = "{method}"', 'wrk.headers["Content-Type"] = "application/json"']
    if body:
        lines.append(f"wrk.body = [[{body.decode()}]]")
    return "\n".join(lines) + "\n"


def run_wrk(port: int, path: str, method: str, body: bytes, seconds: float, connections: int) -> Result:
    """requests/s, p50 ms, p99 ms and the request count of one wrk run; non-2xx answers stop the benchmark."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(wrk_script(method, body))
    try:
        command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "--latency", "-s", script.name]
        output = subprocess.run(
            [*command, f"http://127.0.0.1:{port}{path}"], check=True, capture_output=True, text=True
        ).stdout
    finally:
        os.unlink(script.name)
    if "Non-2xx" in output:
        raise SystemExit(f"{path}: answers that are not 2xx\n{output}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    count = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    latency = {int(p): float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(output)}
    return Result(rate, latency[50], latency[99], count)


def run_python_client(port: int, request: bytes, seconds: float, connections: int) -> Result:
    """The fallback: about `seconds` of load from the asyncio client (sized by a short probe)."""
    probe, latencies = asyncio.run(load(port, request, 200, connections))
    total = max(200, int(200 / probe * seconds))
    elapsed, latencies = asyncio.run(load(port, request, total, connections))
    return Result(
        len(latencies) / elapsed, percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000, total
    )


class Result:
    def __init__(self, rate: float, p50: float, p99: float, count: int) -> None:
        self.rate, self.p50, self.p99, self.count = rate, p50, p99, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=float, default=5, help="load per endpoint and round (default 5 s)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent keep-alive connections")
    parser.add_argument("--extra", action="store_true", help="also ?near_misses=false and ?view=compact")
    arguments = parser.parse_args()
    use_wrk = shutil.which("wrk") is not None

    port = free_port()
    command = [sys.executable, "-m", "eligibility", "serve", "--port", str(port), "--no-access-log"]
    server = subprocess.Popen(
        command, cwd=_HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=os.environ.copy()
    )
    body = json.dumps(PROFILE).encode()
    targets = {
        "/healthz": ("GET", "/healthz", b""),
        "/v1/evaluate": ("POST", "/v1/evaluate?as_of=2025-06-01", body),
    }
    if arguments.extra:
        targets["near_misses=false"] = ("POST", "/v1/evaluate?as_of=2025-06-01&near_misses=false", body)
        targets["view=compact"] = ("POST", "/v1/evaluate?as_of=2025-06-01&view=compact", body)
    try:
        wait_until_up(port, server)
        for method, path, content in targets.values():  # warm up every path (imports, caches, connections)
            asyncio.run(load(port, request_bytes(method, path, content), 200, arguments.connections))
        client = "wrk -t1" if use_wrk else "a Python asyncio client (wrk not found: rates understated)"
        print(
            f"{client}, {arguments.connections} connections, {arguments.seconds:g} s per endpoint and round, loopback"
        )
        print(f"{'round':<6} {'endpoint':<18} {'requests/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'CPU µs/req':>10}")
        rates: dict[str, list[float]] = {name: [] for name in targets}
        p99s: dict[str, list[float]] = {name: [] for name in targets}
        ratios: dict[str, list[float]] = {name: [] for name in targets}
        for round_number in range(1, arguments.rounds + 1):
            for name, (method, path, content) in targets.items():
                cpu_before = server_cpu_seconds(server.pid)
                if use_wrk:
                    result = run_wrk(port, path, method, content, arguments.seconds, arguments.connections)
                else:
                    request = request_bytes(method, path, content)
                    result = run_python_client(port, request, arguments.seconds, arguments.connections)
                cpu_after = server_cpu_seconds(server.pid)
                # CPU time per request is steadier than rates on a shared machine: it counts only the server's work.
                cpu = (
                    "?"
                    if cpu_before is None or cpu_after is None
                    else f"{(cpu_after - cpu_before) / result.count * 1e6:.0f}"
                )
                rates[name].append(result.rate)
                p99s[name].append(result.p99)
                print(
                    f"{round_number:<6} {name:<18} {result.rate:>10.0f} {result.p50:>8.2f} {result.p99:>8.2f} {cpu:>10}"
                )
            for name in targets:
                ratios[name].append(rates[name][-1] / rates["/healthz"][-1])
        print(f"load average (1, 5 min): {os.getloadavg()[0]:.2f}, {os.getloadavg()[1]:.2f}")
        for name in targets:
            if name == "/healthz":
                continue
            print(
                f"{name}: ratio to /healthz per round {', '.join(f'{value:.2f}' for value in ratios[name])}; "
                f"median {statistics.median(ratios[name]):.2f}; p99 median {statistics.median(p99s[name]):.1f} ms"
            )
        print("goal: /v1/evaluate >= 0.6 x /healthz requests/s, p99 <= 25 ms")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
