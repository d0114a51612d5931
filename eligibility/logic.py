"""Facts and three-valued logic: what a condition says about what we know.

`applicant_facts` turns a profile at an as-of date into the facts rules test
(unknown facts are simply absent). `truth` evaluates a condition to True, False
or None (unknown) by Kleene's rules; it is the reference the engines are checked
against and the basis of explanations.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from eligibility.profile import ApplicantProfile
from eligibility.rulepack import AllOf, AnyOf, Condition, Definition, DefinitionRef, FieldTest, NotOf, Rule
from eligibility.vocabulary import FIELDS, TESTABLE_FIELDS

Facts = dict[str, Any]
Truth = bool | None
OUTSIDE_ANY_ZONE = "none"


def applicant_facts(profile: ApplicantProfile, as_of: date) -> Facts:
    """The testable facts of a profile at `as_of`; unknown facts are left out."""
    facts: Facts = {}
    for key in TESTABLE_FIELDS:
        value = getattr(profile, key)
        if key == "awards" and value is not None:
            value = tuple(award.level for award in value)
        if value is not None:
            facts[key] = value
    facts["zone"] = profile.zone or OUTSIDE_ANY_ZONE
    years = profile.years_served_on(as_of)
    if years is not None:
        facts["years_served"] = years
    else:
        facts.pop("years_served", None)
    return facts


def implicit_conditions(rule: Rule) -> tuple[Condition, ...]:
    """Conditions every rule carries without writing them: who the applicant is."""
    return (FieldTest(field="applicant_kind", eq=rule.applicant),)


_CONDITIONS: dict[int, tuple[Rule, AllOf]] = {}


def rule_condition(rule: Rule) -> AllOf:
    """The whole condition of a rule, implicit conditions first.

    Built once per rule object (keyed by identity; the entry keeps the rule alive so
    the id cannot be reused): validating new models on every call was a third of
    the time of an evaluation.
    """
    cached = _CONDITIONS.get(id(rule))
    if cached is None or cached[0] is not rule:
        cached = (rule, AllOf(all=(*implicit_conditions(rule), rule.when)))
        _CONDITIONS[id(rule)] = cached
    return cached[1]


def test_truth(test: FieldTest, facts: Mapping[str, Any]) -> Truth:
    """One field test: None when the fact is unknown."""
    if test.field not in facts:
        return None
    value = facts[test.field]
    spec = FIELDS[test.field]
    operator, operand = test.operator, test.operand
    if operator == "eq":
        return bool(value == operand)
    if operator == "in":
        return value in operand
    if operator == "at_least":
        return spec.rank(value) >= spec.rank(operand)
    if operator == "gte":
        return bool(value >= operand)
    if operator == "lte":
        return bool(value <= operand)
    if operator == "has":
        wanted = operand if isinstance(operand, tuple) else (operand,)
        return any(item in wanted for item in value)
    raise AssertionError(f"unreachable operator {operator}")  # the schema admits no other


def truth(condition: Condition, facts: Mapping[str, Any], definitions: Mapping[str, Definition]) -> Truth:
    """Kleene's three-valued logic over a condition tree."""
    if isinstance(condition, FieldTest):
        return test_truth(condition, facts)
    if isinstance(condition, DefinitionRef):
        return truth(definitions[condition.definition].when, facts, definitions)
    if isinstance(condition, NotOf):
        inner = truth(condition.not_, facts, definitions)
        return None if inner is None else not inner
    if isinstance(condition, AllOf):
        results = [truth(part, facts, definitions) for part in condition.all]
        if False in results:
            return False
        return None if None in results else True
    if isinstance(condition, AnyOf):
        results = [truth(part, facts, definitions) for part in condition.any]
        if True in results:
            return True
        return None if None in results else False
    raise AssertionError(f"unreachable condition {condition!r}")


def missing_facts(condition: Condition, facts: Mapping[str, Any], definitions: Mapping[str, Definition]) -> list[str]:
    """The unknown facts that keep an undecided condition undecided, in rule order.

    Only branches whose outcome is still unknown are followed, so a fact that
    cannot change the result is never asked for.
    """
    return _truth_and_missing(condition, facts, definitions)[1]


def _truth_and_missing(
    node: Condition, facts: Mapping[str, Any], definitions: Mapping[str, Definition]
) -> tuple[Truth, list[str]]:
    """The node's truth and, when it is unknown, the facts that keep it so (one pass)."""
    if isinstance(node, FieldTest):
        outcome = test_truth(node, facts)
        return outcome, [node.field] if outcome is None else []
    if isinstance(node, DefinitionRef):
        return _truth_and_missing(definitions[node.definition].when, facts, definitions)
    if isinstance(node, NotOf):
        inner, missing = _truth_and_missing(node.not_, facts, definitions)
        return (None if inner is None else not inner), missing
    conjunction = isinstance(node, AllOf)
    parts = node.all if isinstance(node, AllOf) else node.any
    results = [_truth_and_missing(part, facts, definitions) for part in parts]
    outcomes = [outcome for outcome, _ in results]
    decisive = not conjunction  # False decides an all, True an any
    if decisive in outcomes:
        return decisive, []
    if None not in outcomes:
        return not decisive, []
    found: list[str] = []
    for outcome, missing in results:
        if outcome is None:
            found.extend(field for field in missing if field not in found)
    return None, found
