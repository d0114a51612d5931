"""Case results as a person reads them, in Chinese or English: pass, or each difference (benefit, expected, got)."""

from __future__ import annotations

from collections.abc import Sequence

from eligibility.evaluation.cases import CaseResult, CaseRun, Difference, ExpectedEntitlement, ExpectedNearMiss
from eligibility.facts.vocabulary import FIELDS
from eligibility.presentation.labels import Language, label
from eligibility.presentation.money import money

_INDENT = "    "


def result_lines(result: CaseResult, language: Language) -> list[str]:
    """One line for a passing case; for a failing one, that line and each difference below it."""
    loaded = result.loaded
    verdict = label("case_passed" if result.passed else "case_failed", language)
    lines = [f"{verdict}  {loaded.where}  {loaded.case.name}"]
    for difference in result.differences:
        lines.extend(_INDENT + line for line in difference_lines(difference, language))
    return lines


def difference_lines(difference: Difference, language: Language) -> list[str]:
    """A difference: what it is about, then what the case expected and what the report gave."""
    subject = difference.subject
    if subject == "total_cash_yuan":
        head = label("total", language)
    elif subject == "near_misses":
        head = label("near_misses_order", language)
    elif isinstance(difference.expected, ExpectedNearMiss) or isinstance(difference.got, ExpectedNearMiss):
        head = f"{label('near_miss', language)}: {subject}"
    else:
        head = subject
    expected = label("expected", language) + _colon(language)
    got = label("got", language) + _colon(language)
    width = max(len(expected), len(got))
    return [
        head,
        f"{_INDENT}{expected.ljust(width)}{describe(difference.expected, language)}",
        f"{_INDENT}{got.ljust(width)}{describe(difference.got, language)}",
    ]


def describe(value: ExpectedEntitlement | ExpectedNearMiss | int | tuple[str, ...] | None, language: Language) -> str:
    """What one side of a difference says, in words."""
    comma = "，" if language == "zh" else ", "
    if value is None:
        return label("not_listed", language)
    if isinstance(value, bool):  # pragma: no cover - never a case's value; keeps int below honest
        return str(value)
    if isinstance(value, int):
        return money(value, language)
    if isinstance(value, tuple):
        return comma.join(value) or label("none_listed", language)
    if isinstance(value, ExpectedNearMiss):
        parts = [
            f"{label('failing_condition', language)}{_colon(language)}{_fact(value.failing_field, language)}",
            f"{label('if_met', language)}{_colon(language)}{label(value.status_if_satisfied, language)}",
        ]
        if value.missing_facts:
            parts.append(
                f"{label('then_needs_info', language)}{_colon(language)}{_facts(value.missing_facts, language)}"
            )
        if value.eligible_from is not None:
            parts.append(f"{label('eligible_from', language)} {value.eligible_from.isoformat()}")
        return comma.join(parts)
    parts = [label(value.status, language)]
    parts.append(
        money(value.amount_yuan, language) if value.amount_yuan is not None else label("no_amount_given", language)
    )
    if value.superseded_by:
        parts.append(f"{label('superseded_by', language)} {value.superseded_by}")
    if value.missing_facts:
        parts.append(f"{label('to_supply', language)}{_colon(language)}{_facts(value.missing_facts, language)}")
    return comma.join(parts)


def summary_line(run: CaseRun, language: Language) -> str:
    """How many cases passed and failed, and how many problems kept cases from running."""
    text = label("cases_summary", language).format(
        passed=len(run.passed), failed=len(run.failed), total=len(run.results)
    )
    if run.problems:
        text += ("；" if language == "zh" else "; ") + label("case_problems", language).format(count=len(run.problems))
    return text


def _colon(language: Language) -> str:
    return "：" if language == "zh" else ": "


def _fact(key: str, language: Language) -> str:
    if language == "zh" and key in FIELDS:
        return f"{FIELDS[key].zh}（{key}）"
    return key


def _facts(keys: Sequence[str], language: Language) -> str:
    return ("、" if language == "zh" else ", ").join(_fact(key, language) for key in keys)
