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
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
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

_ABSENT = object()
_EXPLAINED_VALUES = 256  # explained tests and values kept per rule: every code of its facts, bounded for numbers


@dataclass(frozen=True)
class NearMissSearch:
    """What the search needs of one rule, worked out once when the rule is compiled.

    Tests are named by their bit in the region's list of distinct tests
    (RegionNearMisses.tests), so that one pass per applicant says which fail,
    whatever rules share them.
    `changeable`: the distinct tests a near miss may offer to meet, in rule order, with their bits.
    `conferred`: the bits of required tests on conferred facts (who the applicant is, memberships);
    `required`: the bits of the other required tests (the rule holds only if they hold), one mask per fact.
    `tested`: the bits of every test above.
    """

    rule: Rule
    condition: Node
    changeable: tuple[tuple[int, Test], ...]
    conferred: int
    required: tuple[int, ...]
    tested: int
    _explained: dict[tuple[Test, type, Any], ConditionExplanation] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def of(cls, rule: Rule, condition: Node, bit: Callable[[Test], int]) -> NearMissSearch:
        """The search of one rule; `bit` gives a test's bit in the region's list (RegionNearMisses.of)."""
        distinct: dict[tuple[str, str, str], Test] = {}
        for test in _tests_outside_negation(condition):
            if not FACTS[test.field].conferred:
                distinct.setdefault(test.key, test)
        changeable = tuple((bit(test), test) for test in distinct.values())
        conferred = 0
        by_fact: dict[str, int] = {}
        for test in _required_tests(condition):
            if FACTS[test.field].conferred:
                conferred |= bit(test)
            else:
                by_fact[test.field] = by_fact.get(test.field, 0) | bit(test)
        required = tuple(by_fact.values())
        tested = conferred | sum_masks(required) | sum_masks(mask for mask, _ in changeable)
        return cls(rule, condition, changeable, conferred, required, tested)

    def cannot_be_lifted(self, failing: int) -> bool:
        """True when no single change can lift the rule, so its counterfactuals are not worth asking.

        `failing`: the bits of the region's tests that are false for the applicant.
        A failing required test stays false unless its own fact changes: if required
        tests on two different facts fail, or one on a fact never offered as a
        change, the rule fails whatever one fact is changed.
        """
        if failing & self.conferred:
            return True
        seen = False
        for mask in self.required:
            if failing & mask:
                if seen:
                    return True
                seen = True
        return False

    def ways(self, facts: Facts, failing: int, service_start: date | None) -> list[dict[str, Any]]:
        """Each single failing test that, met alone, lifts the rule out of failure (a NearMissWay's fields)."""
        found: list[dict[str, Any]] = []
        for mask, test in self.changeable:
            if not failing & mask:
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


@dataclass(frozen=True)
class RegionNearMisses:
    """The near-miss searches of one region's rules (pack order), over the region's distinct tests."""

    tests: tuple[Test, ...]  # each distinct test (by what it says) once; bit i is tests[i]
    searches: tuple[NearMissSearch, ...]

    @classmethod
    def of(cls, rules: Sequence[Rule], conditions: Sequence[Node]) -> RegionNearMisses:
        index: dict[tuple[str, str, str], int] = {}
        tests: list[Test] = []

        def bit(test: Test) -> int:
            position = index.get(test.key)
            if position is None:
                position = index[test.key] = len(tests)
                tests.append(test)
            return 1 << position

        searches = tuple(
            NearMissSearch.of(rule, condition, bit) for rule, condition in zip(rules, conditions, strict=True)
        )
        return cls(tuple(tests), searches)

    def failing(self, facts: Facts, among: int | None = None) -> int:
        """The bits of the tests (of those in `among`; default all) that are false for these facts."""
        tests = self.tests
        pending = (1 << len(tests)) - 1 if among is None else among
        failing = 0
        while pending:
            bit = pending & -pending  # the lowest pending test
            pending ^= bit
            test = tests[bit.bit_length() - 1]
            value = facts.get(test.field, _ABSENT)
            if value is not _ABSENT and not test.primitive.holds(value):  # Test.outcome(...) is False
                failing |= bit
        return failing

    def find(
        self,
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
        once with the whole report. A rule that holds or may hold is no near miss
        (so no entitlement's rule is), nor a proposed one, nor one out of force.
        """
        candidates = [
            (search, amount)
            for search, holds, amount in zip(self.searches, truths, amounts, strict=True)
            if holds is False and search.rule.status != "proposed" and search.rule.effective.covers(as_of)
        ]
        if not candidates:
            return ()
        granted_by_group: dict[str, int] = {}
        for item in entitlements:
            group = item["exclusivity_group"]
            if item["status"] == "granted" and group is not None:
                granted_by_group[group] = max(granted_by_group.get(group, -1), amount_rank(item["amount_yuan"]))
        failing = self.failing(facts, among=sum_masks(search.tested for search, _ in candidates))
        found: list[dict[str, Any]] = []
        for search, amount in candidates:
            if search.cannot_be_lifted(failing):
                continue
            rule = search.rule
            group = rule.exclusivity_group
            if group is not None and group in granted_by_group and amount_rank(amount) <= granted_by_group[group]:
                continue
            ways = search.ways(facts, failing, service_start)
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


def sum_masks(masks: Iterable[int]) -> int:
    combined = 0
    for mask in masks:
        combined |= mask
    return combined


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
