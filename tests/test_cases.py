"""Every file in cases/ is a test: its expected entitlements hold, its whole report is snapshotted."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict

from eligibility.evaluation.calculator import Calculator
from tests.support import CASES

CASE_FILES = sorted(CASES.rglob("*.yaml"))


class ExpectedEntitlement(BaseModel):
    model_config = ConfigDict(extra="forbid")
    benefit_id: str
    status: str
    amount_yuan: int | None
    superseded_by: str | None = None
    missing_facts: list[str] = []


class ExpectedNearMiss(BaseModel):
    model_config = ConfigDict(extra="forbid")
    benefit_id: str
    failing_field: str
    status_if_satisfied: str
    missing_facts: list[str] = []
    eligible_from: date | None = None


class Expected(BaseModel):
    model_config = ConfigDict(extra="forbid")
    total_cash_yuan: int
    entitlements: list[ExpectedEntitlement]
    near_misses: list[ExpectedNearMiss] | None = None  # when given, exactly these, in rule order


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    as_of: date
    applicant: dict[str, Any]
    expected: Expected


def load_case(path: Path) -> Case:
    return Case.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def case_id(path: Path) -> str:
    return str(path.relative_to(CASES).with_suffix("")).replace("/", "__")


def test_there_are_at_least_twenty_aksu_cases() -> None:
    assert len(list((CASES / "aksu").glob("*.yaml"))) >= 20


@pytest.mark.parametrize("path", CASE_FILES, ids=[case_id(path) for path in CASE_FILES])
def test_case_report_matches_expected_entitlements_and_snapshot(
    path: Path, calculator: Calculator, data_regression: Any
) -> None:
    case = load_case(path)
    report = calculator.evaluate(case.applicant, as_of=case.as_of)

    listed = [
        ExpectedEntitlement(
            benefit_id=item.benefit_id,
            status=item.status,
            amount_yuan=item.amount_yuan,
            superseded_by=item.superseded_by,
            missing_facts=list(item.missing_facts),
        )
        for item in report.entitlements
    ]
    key = lambda item: item.benefit_id  # noqa: E731
    assert sorted(listed, key=key) == sorted(case.expected.entitlements, key=key), case.name
    assert report.total_cash_yuan == case.expected.total_cash_yuan, case.name
    assert report.rules_version == calculator.rules_version
    if case.expected.near_misses is not None:
        near_misses = [
            ExpectedNearMiss(
                benefit_id=item.benefit_id,
                failing_field=item.failing_condition.field or item.failing_condition.kind,
                status_if_satisfied=item.status_if_satisfied,
                missing_facts=list(item.missing_facts),
                eligible_from=item.eligible_from,
            )
            for item in report.near_misses
        ]
        assert near_misses == case.expected.near_misses, case.name

    # The version hashes every pack file; the snapshot keeps the report, not the hash.
    snapshot = report.model_dump(mode="json") | {"rules_version": "<rules_version>", "case": case.name}
    data_regression.check(snapshot, basename=case_id(path))
