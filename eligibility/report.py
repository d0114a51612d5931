"""The report: what an applicant is entitled to, how much, and on which sentence.

These models are the public contract of `eligibility check --json`, the Python
API and the HTTP service; fields are added, never renamed or removed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.rulepack import Names

Status = Literal["granted", "superseded", "proposed", "needs_info"]
STATUS_ORDER: dict[str, int] = {"granted": 0, "needs_info": 1, "proposed": 2, "superseded": 3}

_REPORT = ConfigDict(extra="forbid", frozen=True)


class SourceRef(BaseModel):
    """The seed document and its sentence, verbatim."""

    model_config = _REPORT
    document: str
    quote: str


class Entitlement(BaseModel):
    """One benefit of the applicant's region, as it applies to this applicant."""

    model_config = _REPORT
    benefit_id: str
    region: str
    name: Names
    kind: Literal["cash", "service", "in_kind", "honour"]
    applicant: Literal["person", "organisation"]
    status: Status
    amount_yuan: int | None = Field(description="Known amount in yuan; null when not published or not computable.")
    amount_note: str | None = Field(default=None, description="Why the amount is null, or how it was computed.")
    frequency: str
    exclusivity_group: str | None = None
    superseded_by: str | None = Field(
        default=None, description="The benefit of the same group that was granted instead."
    )
    missing_facts: tuple[str, ...] = Field(default=(), description="Profile keys to supply (status needs_info).")
    source: SourceRef
    assumptions: tuple[str, ...] = ()


class Report(BaseModel):
    """Everything one applicant can claim at one date, under one version of the rules."""

    model_config = _REPORT
    applicant_id: str | None
    region: str
    zone: str | None
    as_of: date
    rules_version: str
    entitlements: tuple[Entitlement, ...]
    total_cash_yuan: int = Field(description="Granted cash with a known amount; nothing else is summed.")
    cash_not_summed: tuple[str, ...] = Field(
        default=(), description="Granted cash benefits whose amount is not published or not computable."
    )

    def by_status(self, status: Status) -> list[Entitlement]:
        return [item for item in self.entitlements if item.status == status]
