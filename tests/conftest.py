"""Fixtures shared by the tests: one calculator over the shipped packs."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest

from eligibility.evaluation.calculator import Calculator

# Validated packs are cached in a directory of this run's own (inherited by the commands the tests
# start), never in the user's cache: every run starts cold, then exercises the cache as a user does.
if "ELIGIBILITY_CACHE" not in os.environ:
    os.environ["ELIGIBILITY_CACHE"] = tempfile.mkdtemp(prefix="eligibility-cache-")
    atexit.register(shutil.rmtree, os.environ["ELIGIBILITY_CACHE"], ignore_errors=True)


@pytest.fixture(scope="session")
def calculator() -> Calculator:
    return Calculator.default()
