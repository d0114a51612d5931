"""Why and why not: every condition of a rule, with what the applicant has and its three-valued outcome.

Each node's outcome is the normalised form's own (`Node.outcome`), so an
explanation cannot disagree with the result; its words come from
conditions/wording.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from eligibility.conditions import wording
from eligibility.conditions.form import Group, Memo, Named, Node, Not, Test, Truth
from eligibility.evaluation.report import (
    ConditionExplanation,
    Entitlement,
    Explanation,
    FactValue,
    Outcome,
    RuleExplanation,
)
from eligibility.packs.loader import LoadedPack
from eligibility.packs.schema import Rule


def outcome_of(value: Truth) -> Outcome:
    return "unknown" if value is None else "true" if value else "false"


def fact_value(value: Any) -> FactValue:
    """A fact as a report shows it (lists as tuples of text)."""
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


def explain_test(test: Test, facts: Mapping[str, Any], memo: Memo) -> ConditionExplanation:
    value = facts.get(test.field)
    return ConditionExplanation(
        kind="test",
        outcome=outcome_of(test.outcome(facts, memo)[0]),
        text=test.sentence,
        field=test.field,
        operator=test.operator.name,
        required=fact_value(test.operand),
        required_text=test.requirement,
        value=fact_value(value),
        value_text=wording.value_name(test.field, value, names=test.value_names),
    )


def explain_condition(node: Node, facts: Mapping[str, Any], memo: Memo) -> ConditionExplanation:
    """The condition tree with each node's outcome; definitions expanded and named."""
    if isinstance(node, Named):
        inner = explain_condition(node.part, facts, memo)
        return inner.model_copy(update={"definition": node.name, "definition_name": node.names})
    if isinstance(node, Test):
        return explain_test(node, facts, memo)
    outcome = outcome_of(node.outcome(facts, memo)[0])
    if isinstance(node, Not):
        inner = explain_condition(node.part, facts, memo)
        return ConditionExplanation(kind="not", outcome=outcome, text=wording.GROUPS["not"], parts=(inner,))
    assert isinstance(node, Group)
    kind = "all" if node.conjunction else "any"
    parts = tuple(explain_condition(part, facts, memo) for part in node.members)
    return ConditionExplanation(kind=kind, outcome=outcome, text=wording.GROUPS[kind], parts=parts)


def failed_conditions(node: ConditionExplanation) -> list[ConditionExplanation]:
    """The tests (or whole negations) a false condition fails on, following only false parts."""
    if node.outcome != "false":
        return []
    if node.kind in ("test", "not"):
        return [node]
    return [failed for part in node.parts for failed in failed_conditions(part)]


def explain_rule(
    rule: Rule, condition: Node, entitlement: Entitlement | None, facts: Mapping[str, Any], memo: Memo, as_of: date
) -> RuleExplanation:
    explained = explain_condition(condition, facts, memo)
    if entitlement is not None:
        status: Any = entitlement.status
    else:
        status = "not_granted" if rule.effective.covers(as_of) else "not_in_force"
    return RuleExplanation(
        benefit_id=rule.id,
        name=rule.name,
        status=status,
        outcome=explained.outcome,
        effective_from=rule.effective.from_,
        effective_until=rule.effective.until,
        condition=explained,
        failed=tuple(failed_conditions(explained)) if entitlement is None else (),
    )


def explain(
    loaded: LoadedPack | None, facts: Mapping[str, Any], as_of: date, entitlements: Sequence[Entitlement]
) -> Explanation:
    """Each entitlement's conditions, and for every other rule of the region what failed (or that it is not in force)."""
    if loaded is None:
        return Explanation(entitlements=(), not_granted=())
    by_id = {item.benefit_id: item for item in entitlements}
    listed: list[RuleExplanation] = []
    others: list[RuleExplanation] = []
    memo: Memo = {}
    for rule, condition in zip(loaded.pack.rules, loaded.conditions, strict=True):
        entitlement = by_id.get(rule.id)
        explained = explain_rule(rule, condition, entitlement, facts, memo, as_of)
        (listed if entitlement is not None else others).append(explained)
    return Explanation(entitlements=tuple(listed), not_granted=tuple(others))
