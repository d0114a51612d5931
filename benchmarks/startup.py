"""How fast `eligibility check --json` answers, next to the floor `import pydantic, typer`.

All are run alternately in fresh processes, in the same run, and the medians
compared: the floor, a typer command with as many options as `check` that does
nothing (the stack's own cost), `check` as a user runs it again (the validated
packs read from the cache, packs/cache.py, in a directory of this run's own),
and `check` with the pack cache off (as on its very first run). Bytecode caching
is left on (as on a user's machine: pip compiles an installed package), after one
warm-up run of each. The load average is printed with the figures.

    python benchmarks/startup.py [--runs 21] [--profile examples/doctor-aksu.yaml]
"""

from __future__ import annotations

import argparse
import inspect
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def bare_typer_app(options: int) -> str:
    """A typer command with as many options as `check`, doing nothing: the stack's own cost."""
    params = ",\n".join(f"    o{index}: Annotated[str | None, typer.Option()] = None" for index in range(options))
    return (
        "from typing import Annotated\nimport typer\napp = typer.Typer()\n"
        "@app.callback()\ndef main() -> None: ...\n"
        f"@app.command()\ndef check(\n{params}\n) -> None: ...\napp()\n"
    )


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=env, cwd=REPO)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--profile", default="examples/doctor-aksu.yaml")
    args = parser.parse_args()

    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["ELIGIBILITY_CACHE"] = tempfile.mkdtemp(prefix="eligibility-startup-")
    uncached = env | {"ELIGIBILITY_CACHE": "off"}
    executable = shutil.which("eligibility", path=str(Path(sys.executable).parent)) or "eligibility"
    from eligibility.cli.check import check as check_command

    options = len(inspect.signature(check_command).parameters)
    floor = [sys.executable, "-c", "import pydantic, typer"]
    bare = [sys.executable, "-c", bare_typer_app(options), "check"]
    check = [executable, "check", args.profile, "--json", "--as-of", "2025-06-01"]
    for command in (floor, bare, check):
        timed(command, env)  # warm-up: bytecode caches, file cache, the pack cache's entry
    timed(check, uncached)

    floors, bares, checks, colds = [], [], [], []
    try:
        for _ in range(args.runs):
            floors.append(timed(floor, env))
            bares.append(timed(bare, env))
            checks.append(timed(check, env))
            colds.append(timed(check, uncached))
    finally:
        shutil.rmtree(env["ELIGIBILITY_CACHE"], ignore_errors=True)
    floor_median, bare_median, check_median, cold_median = (
        statistics.median(times) for times in (floors, bares, checks, colds)
    )
    print(
        f"runs: {args.runs} each, interleaved, medians; load average (1, 5 min) {os.getloadavg()[0]:.2f}, "
        f"{os.getloadavg()[1]:.2f}"
    )
    print(f"floor  python -c 'import pydantic, typer':            {floor_median * 1000:7.1f} ms")
    print(f"bare   a typer command with {options} options, no work:      {bare_median * 1000:7.1f} ms")
    print(f"check  eligibility check {args.profile} --json:   {check_median * 1000:7.1f} ms")
    print(f"       the same, pack cache off:                        {cold_median * 1000:7.1f} ms")
    print(
        f"ratio check / floor: {check_median / floor_median:.2f} (pack cache off: {cold_median / floor_median:.2f})"
        f"   bare / floor: {bare_median / floor_median:.2f}   goal: check <= 2x floor"
    )


if __name__ == "__main__":
    main()
