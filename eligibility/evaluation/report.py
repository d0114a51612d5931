"""The report: what an applicant is entitled to, how much, and on which sentence.

These models are the public contract of `eligibility check --json`, the Python
API and the HTTP service; fields are added, never renamed or removed.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from eligibility.conditions.operators import Scalar
from eligibility.facts.names import Names
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.schema import RuleKind

Status = Literal["granted", "superseded", "proposed", "needs_info"]
AmountStateName = Literal["none", "fixed", "not_published", "matched", "at_least", "not_computable"]
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
    kind: RuleKind
    applicant: str = Field(json_schema_extra={"enum": list(FIELDS["applicant_kind"].codes)})
    status: Status
    amount_yuan: int | None = Field(description="Known amount in yuan; null when not published or not computable.")
    amount_note: str | None = Field(default=None, description="Why the amount is null, or how it was computed.")
    amount_note_zh: str | None = Field(default=None, description="The amount note in Chinese.")
    amount_state: AmountStateName = Field(
        description="What is known of the amount: none (not cash), fixed (published), not_published, matched "
        "(computed from the awards), at_least (the awards with an amount; others' unknown), not_computable."
    )
    frequency: str
    exclusivity_group: str | None = None
    superseded_by: str | None = Field(
        default=None, description="The benefit of the same group that was granted instead."
    )
    missing_facts: tuple[str, ...] = Field(default=(), description="Profile keys to supply (status needs_info).")
    source: SourceRef
    assumptions: tuple[str, ...] = Field(
        default=(), description="What the rule reads into a silent source, in English."
    )
    assumptions_zh: tuple[str, ...] = Field(
        default=(), description="The same assumptions in Chinese, in the same order as `assumptions`."
    )


Outcome = Literal["true", "false", "unknown"]
FactValue = Scalar | tuple[str, ...] | None


class ConditionExplanation(BaseModel):
    """One node of a rule's condition, as evaluated for the applicant (three-valued).

    Groups (`all`, `any`, `not`) hold their `parts`; a named definition of the
    pack is expanded and keeps its id and name. A `test` is one field test: what
    the rule requires and the applicant's value (null when unknown).
    """

    model_config = _REPORT
    kind: Literal["all", "any", "not", "test"]
    outcome: Outcome
    text: Names = Field(description="The condition in words: the test, or 'all of' / 'any of' / 'not'.")
    definition: str | None = None
    definition_name: Names | None = None
    field: str | None = None
    operator: str | None = None
    required: FactValue = None
    required_text: Names | None = None
    value: FactValue = None
    value_text: Names | None = None
    parts: tuple[ConditionExplanation, ...] = ()


class RuleExplanation(BaseModel):
    """Why one rule of the applicant's region does or does not give its benefit."""

    model_config = _REPORT
    benefit_id: str
    name: Names
    status: Status | Literal["not_granted", "not_in_force"]
    outcome: Outcome
    effective_from: date | None = None
    effective_until: date | None = None
    condition: ConditionExplanation
    failed: tuple[ConditionExplanation, ...] = Field(
        default=(), description="The field tests (or negations) that make the rule fail."
    )


class Explanation(BaseModel):
    """Every condition of every entitlement, and what failed for the other rules of the region."""

    model_config = _REPORT
    entitlements: tuple[RuleExplanation, ...]
    not_granted: tuple[RuleExplanation, ...]


class NearMissWay(BaseModel):
    """One failing field test that, met alone, would make a rule hold (or need only information)."""

    model_config = _REPORT
    failing_condition: ConditionExplanation
    satisfied_by: dict[str, FactValue] = Field(
        description="The least change of the fact that meets the test (a list: with the code or award level added)."
    )
    status_if_satisfied: Literal["granted", "needs_info"]
    missing_facts: tuple[str, ...] = Field(default=(), description="Unknown facts still needed once it is met.")
    eligible_from: date | None = Field(
        default=None, description="When only service time is missing: the anniversary on which it is met."
    )


class NearMiss(BaseModel):
    """A rule failed by a single condition (the first in rule order); `alternatives` are other single conditions that would do."""

    model_config = _REPORT
    benefit_id: str
    name: Names
    amount_yuan: int | None
    exclusivity_group: str | None = None
    failing_condition: ConditionExplanation
    satisfied_by: dict[str, FactValue] = Field(
        description="The least change of the fact that meets the test (a list: with the code or award level added)."
    )
    status_if_satisfied: Literal["granted", "needs_info"]
    missing_facts: tuple[str, ...] = ()
    eligible_from: date | None = None
    alternatives: tuple[NearMissWay, ...] = ()


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
    near_misses: tuple[NearMiss, ...] = Field(
        default=(), description="Rules failed by a single condition, with what would meet it and when."
    )
    explanation: Explanation | None = Field(default=None, description="Present only when asked for (explain).")

    def by_status(self, status: Status) -> list[Entitlement]:
        return [item for item in self.entitlements if item.status == status]
