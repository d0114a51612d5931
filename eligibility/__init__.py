"""Which Chinese regional talent incentives an applicant is entitled to: the public Python API.

    >>> from datetime import date
    >>> from eligibility import Calculator
    >>> calculator = Calculator.default()  # load the rule packs once; share it between threads
    >>> report = calculator.evaluate({"region": "aksu", "degree": "master"}, as_of=date(2025, 6, 1))
    >>> report.region
    'aksu'

A roster in columns (a polars DataFrame, or an Arrow table) is scored by
`score_roster`, as `eligibility batch` scores a file; `eligibility.spark`
scores a Spark DataFrame the same way.

Everything importable from `eligibility` and listed in `__all__` is the stable
contract: the calculator, the profile, the report and every model a report
holds, the compact view of a report for machines (`CompactReport.of(report)`), and the
errors (fields are added, never renamed or removed). Every other
module is private. The names are imported on first use, so `import eligibility` stays
cheap for commands that never evaluate (the engine's import takes ~0.1 s).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from eligibility.batch.frames import score_roster
    from eligibility.errors import EligibilityError, InputError, Problem, RulePackError, UnknownRuleError
    from eligibility.evaluation.calculator import Calculator
    from eligibility.evaluation.compact import CompactReport
    from eligibility.evaluation.report import (
        ConditionExplanation,
        Entitlement,
        Explanation,
        NearMiss,
        NearMissWay,
        Report,
        RuleExplanation,
        SourceRef,
    )
    from eligibility.facts.names import Names
    from eligibility.facts.profile import ApplicantProfile, Award

__all__ = [
    "ApplicantProfile",
    "Award",
    "Calculator",
    "CompactReport",
    "ConditionExplanation",
    "EligibilityError",
    "Entitlement",
    "Explanation",
    "InputError",
    "Names",
    "NearMiss",
    "NearMissWay",
    "Problem",
    "Report",
    "RuleExplanation",
    "RulePackError",
    "SourceRef",
    "UnknownRuleError",
    "score_roster",
]

_HOMES = {
    "ApplicantProfile": "eligibility.facts.profile",
    "Award": "eligibility.facts.profile",
    "Calculator": "eligibility.evaluation.calculator",
    "CompactReport": "eligibility.evaluation.compact",
    "ConditionExplanation": "eligibility.evaluation.report",
    "EligibilityError": "eligibility.errors",
    "Entitlement": "eligibility.evaluation.report",
    "Explanation": "eligibility.evaluation.report",
    "InputError": "eligibility.errors",
    "Names": "eligibility.facts.names",
    "NearMiss": "eligibility.evaluation.report",
    "NearMissWay": "eligibility.evaluation.report",
    "Problem": "eligibility.errors",
    "Report": "eligibility.evaluation.report",
    "RuleExplanation": "eligibility.evaluation.report",
    "RulePackError": "eligibility.errors",
    "SourceRef": "eligibility.evaluation.report",
    "UnknownRuleError": "eligibility.errors",
    "score_roster": "eligibility.batch.frames",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'eligibility' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
