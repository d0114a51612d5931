"""The compact view of a report, for machines: ids, statuses, amounts and missing facts.

A full report repeats, for every entitlement, the rule's names, its source
quote and its assumptions in two languages: most of its bytes, and the same for
every applicant. A system that keeps its own copy of the rules (`GET /v1/rules`,
`GET /v1/rules/{id}`) needs only what depends on the applicant. The compact view
is taken from a finished report, so it says nothing the report does not.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import to_json

from eligibility.evaluation.report import AmountStateName, Entitlement, FactValue, Report, Status

_COMPACT = ConfigDict(extra="forbid", frozen=True)


class CompactEntitlement(BaseModel):
    """One entitlement without its words: `GET /v1/rules/{benefit_id}` has the names, quote and assumptions."""

    model_config = _COMPACT
    benefit_id: str
    status: Status
    amount_yuan: int | None
    amount_state: AmountStateName
    superseded_by: str | None = None
    missing_facts: tuple[str, ...] = ()


class CompactNearMiss(BaseModel):
    """One near miss: the rule, and the change of one fact that would lift it (the first in rule order)."""

    model_config = _COMPACT
    benefit_id: str
    amount_yuan: int | None
    satisfied_by: dict[str, FactValue]
    status_if_satisfied: Literal["granted", "needs_info"]
    missing_facts: tuple[str, ...] = ()
    eligible_from: date | None = None


class CompactReport(BaseModel):
    """A report for machines: what it grants, how much and what is missing, under which rules version."""

    model_config = _COMPACT
    applicant_id: str | None
    region: str
    zone: str | None
    as_of: date
    rules_version: str
    entitlements: tuple[CompactEntitlement, ...]
    total_cash_yuan: int
    cash_not_summed: tuple[str, ...] = ()
    near_misses: tuple[CompactNearMiss, ...] = Field(default=(), description="Empty when near misses were not asked.")

    @classmethod
    def of(cls, report: Report) -> CompactReport:
        """The compact view of a report (its explanation, if any, is left out)."""
        return cls.model_validate(compact_fields(report))


def compact_fields(report: Report) -> dict[str, Any]:
    """The fields of a report's compact view, in the model's order, as plain values."""
    return {
        "applicant_id": report.applicant_id,
        "region": report.region,
        "zone": report.zone,
        "as_of": report.as_of,
        "rules_version": report.rules_version,
        "entitlements": [compact_entitlement(item) for item in report.entitlements],
        "total_cash_yuan": report.total_cash_yuan,
        "cash_not_summed": report.cash_not_summed,
        "near_misses": [
            {
                "benefit_id": item.benefit_id,
                "amount_yuan": item.amount_yuan,
                "satisfied_by": item.satisfied_by,
                "status_if_satisfied": item.status_if_satisfied,
                "missing_facts": item.missing_facts,
                "eligible_from": item.eligible_from,
            }
            for item in report.near_misses
        ],
    }


def compact_entitlement(item: Entitlement) -> dict[str, Any]:
    """The fields of one entitlement's compact view, in the model's order."""
    return {
        "benefit_id": item.benefit_id,
        "status": item.status,
        "amount_yuan": item.amount_yuan,
        "amount_state": item.amount_state,
        "superseded_by": item.superseded_by,
        "missing_facts": item.missing_facts,
    }


def compact_json(report: Report) -> bytes:
    """The compact view as JSON bytes, as CompactReport.of(report) dumps, without building the models."""
    return to_json(compact_fields(report))
