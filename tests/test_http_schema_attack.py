"""Schemathesis against a real uvicorn serving the service: every operation of /openapi.json, generated requests.

Checks: no 5xx, and every response as the OpenAPI document declares it (its status code,
content type, headers and body schema), 405s with their Allow header. Not checked: that
every request the schema allows is accepted and every one it does not is refused. The
profile schema describes the canonical form, while the service also reads the spellings
people use (是/否, 1/0, Chinese names, dates as 2025年6月1日), and refuses facts that
contradict each other (a zone outside the region) and dates outside 1900-2200, which a
JSON Schema does not say.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from eligibility.evaluation.calculator import Calculator
from tests.support.server import Server

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "unsupported_method",
    "allow_header_conformance",
)


@pytest.fixture(scope="module")
def server(calculator: Calculator) -> Iterator[Server]:
    with Server(calculator) as running:
        yield running


def test_generated_requests_to_every_operation_get_no_5xx_and_only_responses_the_openapi_document_declares(
    server: Server, tmp_path: Path
) -> None:
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{server.url}/openapi.json",
        "--checks", ",".join(CHECKS),
        "--max-examples", "15",  # per operation and phase: about 650 requests in all
        "--seed", "12",
        "--generation-database", "none",
        "--request-timeout", "20",
        "--no-color",
    ]  # fmt: skip
    started = time.monotonic()
    run = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=180)
    seconds = time.monotonic() - started
    generated = re.search(r"(\d+) generated", run.stdout)
    assert run.returncode == 0 and generated is not None, run.stdout[-6000:] + run.stderr[-2000:]
    print(f"schemathesis: {generated.group(1)} requests generated, all passing, in {seconds:.0f} s")
    assert int(generated.group(1)) >= 300  # every phase ran against every operation
    assert "Selected: 6/6" in run.stdout and "Tested: 6" in run.stdout
