"""What the tests share: where things are, the command line, synthetic packs and profiles.

The seed documents (for the provenance tests) are found through one setting:
the environment variable ELIGIBILITY_SOURCES names their directory. When it is
set, the tests that need them fail if they are not there (CI sets it); when it
is not, those tests are skipped, saying so. No other place is looked in.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent.parent
CASES = REPO / "cases"
SOURCES_SETTING = "ELIGIBILITY_SOURCES"
SEEDS_REQUIRED = bool(os.environ.get(SOURCES_SETTING))
SEEDS = Path(os.environ.get(SOURCES_SETTING) or ".").resolve()  # only read when SEEDS_REQUIRED

needs_seeds = pytest.mark.skipif(
    not SEEDS_REQUIRED,
    reason=f"{SOURCES_SETTING} is not set: it names the directory of the source documents; quotes cannot be verified",
)


def invoke(*arguments: str, env: dict[str, str] | None = None, input: str | None = None) -> Any:
    """Run the command line in-process, as a user would type it (wide terminal, so tables do not fold)."""
    from eligibility.cli import app

    return CliRunner().invoke(app, list(arguments), env={"COLUMNS": "200", **(env or {})}, input=input)
