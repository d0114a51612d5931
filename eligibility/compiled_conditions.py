"""Conditions compiled once into closures, for the one-applicant path.

`logic.truth` and `logic.missing_facts` walk the pydantic condition tree with an
isinstance dispatch at every node, on every evaluation; they stay the reference
(tests require these closures to agree with them). Here each node becomes a
closure once per rule, so an evaluation only calls.

A closure returns the node's three-valued truth and, when that is unknown, the
facts that keep it so, in rule order without repeats (what `logic.missing_facts`
answers). Known outcomes are shared constants and a field test's "unknown"
outcome is built once, so a leaf allocates nothing. A named definition is worked
out once per facts: its outcome is kept in a memo the caller makes for each set
of facts (a definition shared by several rules is then evaluated once).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from itertools import chain
from typing import Any

from eligibility.logic import Truth, rule_condition
from eligibility.rulepack import AllOf, AnyOf, Condition, Definition, DefinitionRef, FieldTest, NotOf, Rule
from eligibility.vocabulary import FIELDS

Outcome = tuple[Truth, tuple[str, ...]]  # truth, and the facts that keep it unknown
Memo = dict[str, Outcome]  # definition name -> outcome, for one set of facts
Check = Callable[[Mapping[str, Any], Memo], Outcome]

HOLDS: Outcome = (True, ())
FAILS: Outcome = (False, ())
_ABSENT = object()


_RULE_CHECKS: dict[int, tuple[Rule, Check]] = {}
_PACK_DEFINITIONS: dict[int, tuple[Mapping[str, Definition], dict[str, Check]]] = {}


def rule_check(rule: Rule, definitions: Mapping[str, Definition]) -> Check:
    """The closure of a rule's whole condition (`logic.rule_condition`), compiled on first use.

    Kept by identity, the entries holding the rule and the definitions alive so an id
    cannot be reused (as `logic.rule_condition` does); the definitions of one pack
    share their closures, so the memo of one evaluation serves every rule of the pack.
    """
    cached = _RULE_CHECKS.get(id(rule))
    if cached is None or cached[0] is not rule:
        pack_entry = _PACK_DEFINITIONS.get(id(definitions))
        if pack_entry is None or pack_entry[0] is not definitions:
            pack_entry = (definitions, {})
            _PACK_DEFINITIONS[id(definitions)] = pack_entry
        cached = (rule, compile_condition(rule_condition(rule), definitions, pack_entry[1]))
        _RULE_CHECKS[id(rule)] = cached
    return cached[1]


def compile_condition(
    condition: Condition, definitions: Mapping[str, Definition], compiled_definitions: dict[str, Check] | None = None
) -> Check:
    """The closure of a condition; `compiled_definitions` shares definitions' closures between rules of a pack."""
    shared = {} if compiled_definitions is None else compiled_definitions
    if isinstance(condition, FieldTest):
        return _field_check(condition)
    if isinstance(condition, DefinitionRef):
        return _definition_check(condition.definition, definitions, shared)
    if isinstance(condition, NotOf):
        return _not_check(compile_condition(condition.not_, definitions, shared))
    if isinstance(condition, AllOf):
        return _group_check([compile_condition(part, definitions, shared) for part in condition.all], decisive=False)
    if isinstance(condition, AnyOf):
        return _group_check([compile_condition(part, definitions, shared) for part in condition.any], decisive=True)
    raise AssertionError(f"unreachable condition {condition!r}")


def _field_check(test: FieldTest) -> Check:
    """One field test (`logic.test_truth`), with its operand and ranks worked out here, once."""
    field, operator, operand = test.field, test.operator, test.operand
    unknown: Outcome = (None, (field,))
    if operator == "at_least":
        ranks = {value: rank for rank, value in enumerate(FIELDS[field].canonical_values)}
        bound = ranks[operand]

        def at_least(facts: Mapping[str, Any], memo: Memo) -> Outcome:
            value = facts.get(field, _ABSENT)
            if value is _ABSENT:
                return unknown
            return HOLDS if ranks[value] >= bound else FAILS

        return at_least
    if operator == "has":
        wanted = operand if isinstance(operand, tuple) else (operand,)

        def has(facts: Mapping[str, Any], memo: Memo) -> Outcome:
            value = facts.get(field, _ABSENT)
            if value is _ABSENT:
                return unknown
            return HOLDS if any(item in wanted for item in value) else FAILS

        return has
    compare: Callable[[Any], bool] = {
        "eq": lambda value: bool(value == operand),
        "in": lambda value: value in operand,
        "gte": lambda value: bool(value >= operand),
        "lte": lambda value: bool(value <= operand),
    }[operator]

    def compared(facts: Mapping[str, Any], memo: Memo) -> Outcome:
        value = facts.get(field, _ABSENT)
        if value is _ABSENT:
            return unknown
        return HOLDS if compare(value) else FAILS

    return compared


def _definition_check(name: str, definitions: Mapping[str, Definition], shared: dict[str, Check]) -> Check:
    inner = shared.get(name)
    if inner is None:
        inner = compile_condition(definitions[name].when, definitions, shared)
        shared[name] = inner
    compiled = inner

    def definition(facts: Mapping[str, Any], memo: Memo) -> Outcome:
        outcome = memo.get(name)
        if outcome is None:
            outcome = memo[name] = compiled(facts, memo)
        return outcome

    return definition


def _not_check(inner: Check) -> Check:
    def negation(facts: Mapping[str, Any], memo: Memo) -> Outcome:
        outcome = inner(facts, memo)
        if outcome[0] is None:
            return outcome  # unknown stays unknown, for the same facts
        return FAILS if outcome[0] else HOLDS

    return negation


def _group_check(parts: list[Check], *, decisive: bool) -> Check:
    """`all` (False decides it) or `any` (True decides it): Kleene's rules, stopping at a decisive part."""
    decided = HOLDS if decisive else FAILS
    undecided = FAILS if decisive else HOLDS

    def group(facts: Mapping[str, Any], memo: Memo) -> Outcome:
        first: tuple[str, ...] | None = None  # most groups have at most one unknown part: no list for them
        more: list[tuple[str, ...]] | None = None
        for part in parts:
            truth, missing = part(facts, memo)
            if truth is None:
                if first is None:
                    first = missing
                elif more is None:
                    more = [first, missing]
                else:
                    more.append(missing)
            elif truth is decisive:
                return decided
        if first is None:
            return undecided
        if more is None:
            return None, first
        return None, tuple(dict.fromkeys(chain.from_iterable(more)))  # first mention wins, in rule order

    return group
