"""Fixtures shared by the tests: one calculator over the shipped packs."""

from __future__ import annotations

import pytest

from eligibility.evaluation.calculator import Calculator


@pytest.fixture(scope="session")
def calculator() -> Calculator:
    return Calculator.default()
