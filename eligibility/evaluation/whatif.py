"""What if: the same applicant with some facts changed, and what that changes.

`what_if` takes the changes as a mapping of keys to values, in the spellings a
profile accepts (Chinese included; None makes a fact unknown), evaluates the
original and the changed profile, and lists the entitlements gained, lost and
changed, and the change in total known cash. A problem with a change is named
`changes.<key>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from eligibility.errors import InputError, Problem
from eligibility.evaluation.calculator import Calculator, evaluation_date
from eligibility.evaluation.explanation import fact_value
from eligibility.evaluation.report import FactValue, Report, Status
from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.spelling import fact_key
from eligibility.facts.vocabulary import FIELDS

_FROZEN = ConfigDict(extra="forbid", frozen=True)
CHANGES = "changes"


class FactChange(BaseModel):
    """One fact before and after (null: unknown)."""

    model_config = _FROZEN
    key: str
    before: FactValue
    after: FactValue


class EntitlementChange(BaseModel):
    """One benefit whose status or amount differs (a null status: not listed)."""

    model_config = _FROZEN
    benefit_id: str
    before_status: Status | None
    after_status: Status | None
    before_amount_yuan: int | None
    after_amount_yuan: int | None


class WhatIf(BaseModel):
    """The report with the changed facts, and what changed against the original."""

    model_config = _FROZEN
    changed_facts: tuple[FactChange, ...]
    report: Report
    original: Report
    gained: tuple[EntitlementChange, ...]
    lost: tuple[EntitlementChange, ...]
    changed: tuple[EntitlementChange, ...]
    total_cash_delta_yuan: int


def changed_profile(calculator: Calculator, profile: ApplicantProfile, changes: Mapping[str, Any]) -> ApplicantProfile:
    """The profile with `changes` (canonical keys) applied, validated like any profile (a bad value names its key)."""
    data = profile.model_dump(exclude_none=True)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    if "service_start_date" in changes and "years_served" not in changes:
        data.pop("years_served", None)  # a new start date decides the years
    # A zone belongs to its region: moving region without naming a zone leaves the zone.
    if "region" in changes and "zone" not in changes:
        data.pop("zone", None)
    return calculator.parse(data)


def _fact(profile: ApplicantProfile, key: str) -> FactValue:
    return fact_value(getattr(profile, key))


def entitlement_changes(original: Report, changed: Report) -> tuple[list[EntitlementChange], ...]:
    """Benefits gained, lost, and listed in both with a different status or amount."""
    before = {item.benefit_id: item for item in original.entitlements}
    after = {item.benefit_id: item for item in changed.entitlements}
    gained, lost, differing = [], [], []
    for benefit_id in [*before, *(key for key in after if key not in before)]:
        old, new = before.get(benefit_id), after.get(benefit_id)
        change = EntitlementChange(
            benefit_id=benefit_id,
            before_status=old.status if old else None,
            after_status=new.status if new else None,
            before_amount_yuan=old.amount_yuan if old else None,
            after_amount_yuan=new.amount_yuan if new else None,
        )
        if old is None:
            gained.append(change)
        elif new is None:
            lost.append(change)
        elif (old.status, old.amount_yuan) != (new.status, new.amount_yuan):
            differing.append(change)
    return gained, lost, differing


def what_if(
    calculator: Calculator,
    profile: ApplicantProfile | Mapping[str, Any],
    changes: Mapping[str, Any],
    as_of: date | str | None = None,
    *,
    explain: bool = False,
) -> WhatIf:
    """Evaluate the applicant as given and with `changes`; say what differs."""
    as_of = evaluation_date(as_of)
    profile = calculator.parse(profile)
    canonical: dict[str, Any] = {}
    for raw_key, value in changes.items():
        key = fact_key(raw_key)
        if key is None:
            raise InputError([Problem(CHANGES, "unknown key; allowed: " + ", ".join(FIELDS), raw_key)])
        canonical[key] = value
    try:
        changed = changed_profile(calculator, profile, canonical)
    except InputError as error:  # say that the bad value came from the changes, not from the profile
        raise InputError(
            [Problem(f"{CHANGES}.{problem.field}", problem.message, problem.value) for problem in error.problems]
        ) from None
    original_report = calculator.evaluate(profile, as_of=as_of)
    changed_report = calculator.evaluate(changed, as_of=as_of, explain=explain)
    fact_changes = tuple(
        FactChange(key=key, before=_fact(profile, key), after=_fact(changed, key))
        for key in FIELDS
        if _fact(profile, key) != _fact(changed, key)
    )
    gained, lost, differing = entitlement_changes(original_report, changed_report)
    return WhatIf(
        changed_facts=fact_changes,
        report=changed_report,
        original=original_report,
        gained=tuple(gained),
        lost=tuple(lost),
        changed=tuple(differing),
        total_cash_delta_yuan=changed_report.total_cash_yuan - original_report.total_cash_yuan,
    )
