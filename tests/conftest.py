"""Fixtures shared by the tests: one calculator over the shipped packs."""

from __future__ import annotations

from pathlib import Path

import pytest

from eligibility.calculator import Calculator

REPO = Path(__file__).resolve().parent.parent
CASES = REPO / "cases"
SEEDS = REPO.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def calculator() -> Calculator:
    return Calculator.default()
