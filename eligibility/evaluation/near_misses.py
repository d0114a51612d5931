"""When: rules one condition away, what would meet it, and from which day.

A near miss is a rule in force that fails today, where meeting one failing test
alone (setting that fact to the least value that meets it, all else as given)
would make the rule hold, or leave it needing only unknown facts. Its
`status_if_satisfied` says which, and `missing_facts` lists the facts still to
ask for. When time alone meets that test and the start date is known,
`eligible_from` is the day: the anniversary for service time, the start date for
having started work.

Not offered as changes: tests under a negation; facts the vocabulary marks as
conferred (who the applicant is, programme membership, awards); anything that
would lower a fact that only grows (a degree, a title, years served: a
doctorate is not "one step from" the master's tier). Exclusivity: a rule whose
group already has a granted benefit of equal or higher amount is left out, since
meeting it would change nothing.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eligibility.conditions.form import Group, Named, Node, Test
from eligibility.evaluation.explanation import explain_test, fact_value
from eligibility.evaluation.outcome import amount_rank
from eligibility.evaluation.report import ConditionExplanation
from eligibility.facts.derive import Facts
from eligibility.facts.service_time import anniversary
from eligibility.facts.vocabulary import FACTS
from eligibility.packs.schema import Rule

_EXPLAINED_VALUES = 256  # explained tests and values kept per rule: every code of its facts, bounded for numbers


@dataclass(frozen=True)
class NearMissSearch:
    """What the search needs of one rule, worked out once when the rule is compiled.

    `changeable`: the distinct tests a near miss may offer to meet, in rule order.
    `required`: the tests the rule holds only if they hold (reached through `all` and definitions),
    grouped by fact: (field, whether it is conferred, its tests).
    """

    rule: Rule
    condition: Node
    changeable: tuple[Test, ...]
    required: tuple[tuple[str, bool, tuple[Test, ...]], ...]
    _explained: dict[tuple[Test, type, Any], ConditionExplanation] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, rule: Rule, condition: Node) -> NearMissSearch:
        distinct: dict[tuple[str, str, str], Test] = {}
        for test in _tests_outside_negation(condition):
            if not FACTS[test.field].conferred:
                distinct.setdefault(test.key, test)
        by_field: dict[str, list[Test]] = {}
        for test in _required_tests(condition):
            by_field.setdefault(test.field, []).append(test)
        required = tuple((fact, FACTS[fact].conferred, tuple(tests)) for fact, tests in by_field.items())
        return cls(rule, condition, tuple(distinct.values()), required)

    def cannot_be_lifted(self, facts: Facts) -> bool:
        """True when no single change can lift the rule, so its counterfactuals are not worth asking.

        A failing required test stays false unless its own fact changes: if required
        tests on two different facts fail, or one on a fact never offered as a
        change, the rule fails whatever one fact is changed.
        """
        failing = 0
        for _field, conferred, tests in self.required:
            if any(test.outcome(facts, {})[0] is False for test in tests):
                if conferred or failing:
                    return True
                failing = 1
        return False

    def ways(self, facts: Facts, service_start: date | None) -> list[dict[str, Any]]:
        """Each single failing test that, met alone, lifts the rule out of failure (a NearMissWay's fields)."""
        found: list[dict[str, Any]] = []
        for test in self.changeable:
            if test.outcome(facts, {})[0] is not False:
                continue
            spec = FACTS[test.field]
            current = facts[test.field]
            meeting = test.operator.meets(spec, test.operand, current)
            if spec.only_grows and not _grows(test.field, current, meeting):
                continue
            changed = {**facts, test.field: meeting}
            outcome, still_missing = self.condition.outcome(changed, {})
            if outcome is False:
                continue
            eligible_from = _reached_on(test, service_start)
            if eligible_from is not None and not self.rule.effective.covers(eligible_from):
                continue  # the rule ends before the service time is reached
            found.append(
                {
                    "failing_condition": self.explained(test, current),
                    "satisfied_by": {test.field: fact_value(meeting)},
                    "status_if_satisfied": "granted" if outcome else "needs_info",
                    "missing_facts": () if outcome else still_missing,
                    "eligible_from": eligible_from,
                }
            )
        return found

    def explained(self, test: Test, value: Any) -> ConditionExplanation:
        """The failing test in words, with the applicant's value: one frozen model per test and value, shared.

        Its outcome depends on the fact's value alone, so every applicant with that value
        gets the same explanation (keyed by type too: 5 and 5.0 print differently).
        """
        key = (test, type(value), value)
        explained = self._explained.get(key)
        if explained is None:
            explained = explain_test(test, {test.field: value}, {})
            if len(self._explained) < _EXPLAINED_VALUES:  # two threads may both add it: equal models, either kept
                self._explained[key] = explained
        return explained


def near_misses(
    searches: Sequence[NearMissSearch],
    truths: Sequence[bool | None],
    amounts: Sequence[int | None],
    facts: Facts,
    service_start: date | None,
    as_of: date,
    entitlements: Sequence[Mapping[str, Any]],
) -> tuple[dict[str, Any], ...]:
    """The rules of the region in force at `as_of`, failing today, that one condition would lift.

    `truths` and `amounts` are each rule's, in pack order. Like the entitlements
    they are given, the results are the fields of NearMiss models, validated
    once with the whole report.
    """
    listed = {item["benefit_id"] for item in entitlements}
    granted_by_group: dict[str, int] = {}
    for item in entitlements:
        group = item["exclusivity_group"]
        if item["status"] == "granted" and group is not None:
            granted_by_group[group] = max(granted_by_group.get(group, -1), amount_rank(item["amount_yuan"]))
    found: list[dict[str, Any]] = []
    for search, holds, amount in zip(searches, truths, amounts, strict=True):
        rule = search.rule
        if rule.id in listed or rule.status == "proposed" or not rule.effective.covers(as_of):
            continue
        if holds is not False or search.cannot_be_lifted(facts):
            continue
        group = rule.exclusivity_group
        if group is not None and group in granted_by_group and amount_rank(amount) <= granted_by_group[group]:
            continue
        ways = search.ways(facts, service_start)
        if not ways:
            continue
        first, *others = ways
        found.append(
            {
                "benefit_id": rule.id,
                "name": rule.name,
                "amount_yuan": amount,
                "exclusivity_group": group,
                "alternatives": others,
                **first,
            }
        )
    return tuple(found)


def _tests_outside_negation(node: Node) -> Iterator[Test]:
    """Tests whose truth the condition follows directly (not through a `not`)."""
    if isinstance(node, Test):
        yield node
    elif isinstance(node, Group | Named):
        for part in node.parts:
            yield from _tests_outside_negation(part)


def _required_tests(node: Node) -> Iterator[Test]:
    if isinstance(node, Test):
        yield node
    elif isinstance(node, Named) or (isinstance(node, Group) and node.conjunction):
        for part in node.parts:
            yield from _required_tests(part)


def _grows(field: str, before: Any, after: Any) -> bool:
    spec = FACTS[field]
    if spec.values:
        return spec.rank(after) > spec.rank(before)
    return bool(after > before)


def _reached_on(test: Test, service_start: date | None) -> date | None:
    """The day time alone meets a test, when the start date is known: a years-served
    lower bound on its anniversary, having started work on the start date."""
    if service_start is None:
        return None
    if test.field == "years_served" and test.operator.name == "gte":
        return anniversary(service_start, math.ceil(float(test.operand)))  # type: ignore[arg-type]
    if test.field == "started_work" and test.operand is True:
        return service_start
    return None
