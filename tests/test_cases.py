"""Every file in cases/ is a test: its expected entitlements hold, its whole report is snapshotted.

The cases run through the library's case runner (eligibility/evaluation/cases.py),
the same code path as `eligibility test cases/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.cases import read_case_file, run_case
from eligibility.presentation.case_results import result_lines
from tests.support import CASES

CASE_FILES = sorted(CASES.rglob("*.yaml"))


def case_id(path: Path) -> str:
    return str(path.relative_to(CASES).with_suffix("")).replace("/", "__")


def test_there_are_at_least_twenty_aksu_cases() -> None:
    assert len(list((CASES / "aksu").glob("*.yaml"))) >= 20


@pytest.mark.parametrize("path", CASE_FILES, ids=[case_id(path) for path in CASE_FILES])
def test_case_report_matches_expected_entitlements_and_snapshot(
    path: Path, calculator: Calculator, data_regression: Any
) -> None:
    cases, problems = read_case_file(path)
    assert problems == [], "\n".join(map(str, problems))
    [loaded] = cases  # the repository keeps one case per file: one snapshot each
    result = run_case(calculator, loaded)
    assert result.passed, "\n".join(result_lines(result, "en"))
    assert result.report.rules_version == calculator.rules_version

    # The version hashes every pack file; the snapshot keeps the report, not the hash.
    snapshot = result.report.model_dump(mode="json") | {"rules_version": "<rules_version>", "case": loaded.case.name}
    data_regression.check(snapshot, basename=case_id(path))
