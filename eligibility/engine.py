"""The durable-rules engine: the only module that imports durable_rules.

Each rule is compiled into two durable rules over one fact (the applicant):
`certain` fires when the rule holds on the known facts, `possible` when it holds
or could hold once unknown facts are supplied (whether a fact is known is an
explicit flag on the fact). A rule that is possible but not certain needs
information; neither, it fails. Negation is pushed down to the
field tests, where an unknown fact keeps both readings open.

Pitfalls of durable-rules 2.0.28 this module works around (see
../shared/notes/engines-measured.md): a host of our own with no timer threads;
one fact at a time (assert, collect, retract) with a unique id; a fact matching
nothing raises MessageNotHandledException; booleans compared with == True; no
`in` operator (chains of ==); an OR fires once per true branch (we collect a set);
`$iall` is false on an empty list (list membership is encoded as flags instead).
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from durable import engine as durable

from eligibility.logic import Facts, Truth, rule_condition
from eligibility.rulepack import AllOf, Condition, Definition, DefinitionRef, FieldTest, NotOf, Rule
from eligibility.vocabulary import FIELDS, TESTABLE_FIELDS, FieldKind

_native = durable.durable_rules_engine  # the C engine behind durable's Python host
Expression = dict[str, Any]
KNOWN = "__known"  # suffix of the flag that says whether a fact is known
_ALWAYS: Expression = {"applicant_kind" + KNOWN: True}  # applicant_kind is always known
_NEVER: Expression = {"applicant_kind" + KNOWN: False}
_NAMES = itertools.count()


class _QuietHost(durable.Host):  # type: ignore[misc]
    """A durable host without the background dispatch timers (they race evaluation)."""

    def _run(self) -> None:
        return None


def membership_flag(field: str, code: str) -> str:
    return f"{field}__has__{code}"


def has_operands(test: FieldTest) -> tuple[str, ...]:
    operand = test.operand
    return operand if isinstance(operand, tuple) else (operand,)


def encode_facts(facts: Facts, memberships: frozenset[tuple[str, str]]) -> dict[str, Any]:
    """Facts as durable sees them: ranks for ordered values, a `<field>__known` flag per
    testable field (durable's `$nex` re-fires without end), and for list fields a flag
    per code the rules ask about."""
    encoded: dict[str, Any] = {key + KNOWN: key in facts for key in TESTABLE_FIELDS}
    for key, value in facts.items():
        spec = FIELDS[key]
        if spec.kind is FieldKind.ordered:
            encoded[key] = spec.rank(value)
        elif not isinstance(value, tuple):
            encoded[key] = value
    for field, code in memberships:
        if field in facts:
            encoded[membership_flag(field, code)] = code in facts[field]
    return encoded


def _memberships(condition: Condition, definitions: Mapping[str, Definition]) -> set[tuple[str, str]]:
    """Every (list field, code) a condition asks about."""
    if isinstance(condition, FieldTest):
        return {(condition.field, code) for code in has_operands(condition)} if condition.operator == "has" else set()
    if isinstance(condition, DefinitionRef):
        return _memberships(definitions[condition.definition].when, definitions)
    if isinstance(condition, NotOf):
        return _memberships(condition.not_, definitions)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    return set().union(*(_memberships(part, definitions) for part in parts))


def _literal(field: str, value: Any) -> Any:
    spec = FIELDS[field]
    return spec.rank(value) if spec.kind is FieldKind.ordered else value


def _test(test: FieldTest, negated: bool) -> Expression:
    """A field test (or its negation) on a fact known to be present."""
    field, operator, operand = test.field, test.operator, test.operand
    if operator in ("eq", "in"):
        values = operand if operator == "in" else (operand,)
        if negated:
            return _and([{"$neq": {field: _literal(field, value)}} for value in values])
        return _or([{field: _literal(field, value)} for value in values])
    if operator in ("at_least", "gte"):
        bound = _literal(field, operand)
        return {"$lt": {field: bound}} if negated else {"$gte": {field: bound}}
    if operator == "lte":
        return {"$gt": {field: operand}} if negated else {"$lte": {field: operand}}
    if operator == "has":
        # Membership is a flag per (field, code) on the fact: durable's $iall is false on
        # an empty list, so "has none of" cannot be said with list operators.
        flags = [{membership_flag(field, value): not negated} for value in has_operands(test)]
        return _and(flags) if negated else _or(flags)
    raise AssertionError(f"unreachable operator {operator}")


def _and(parts: Sequence[Expression]) -> Expression:
    if not parts:
        return _ALWAYS
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def _or(parts: Sequence[Expression]) -> Expression:
    if not parts:
        return _NEVER
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def compile_condition(
    condition: Condition, definitions: Mapping[str, Definition], *, certain: bool, negated: bool = False
) -> Expression:
    """A durable expression true when `condition` is certainly (or possibly) true.

    certainly(not X) = not possibly(X), so negation flips the reading as it
    descends; at a field test, `certain` demands the fact, `possible` admits its absence.
    """
    if isinstance(condition, FieldTest):
        presence = {condition.field + KNOWN: certain}
        test = _test(condition, negated)
        return _and([presence, test]) if certain else _or([presence, test])
    if isinstance(condition, DefinitionRef):
        return compile_condition(definitions[condition.definition].when, definitions, certain=certain, negated=negated)
    if isinstance(condition, NotOf):
        return compile_condition(condition.not_, definitions, certain=certain, negated=not negated)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    compiled = [compile_condition(part, definitions, certain=certain, negated=negated) for part in parts]
    conjunction = isinstance(condition, AllOf) != negated  # De Morgan
    return _and(compiled) if conjunction else _or(compiled)


@dataclass(frozen=True)
class CompiledRule:
    rule: Rule
    definitions: Mapping[str, Definition]


class DurableEngine:
    """Rules compiled once into a durable ruleset; evaluates any number of applicants.

    Each pack rule becomes two durable rules, `certain` and `possible`; a rule
    whose `certain` fired holds, one with only `possible` needs information.
    (Making them exclusive, possible-and-not-certain, exceeds durable's limits on
    expression size.) Thread-safe: durable's state is shared, so evaluations are
    serialised.
    """

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self._rules = list(rules)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._name = f"eligibility_{next(_NAMES)}"
        definition: dict[str, Any] = {}
        memberships: set[tuple[str, str]] = set()
        self._outcomes: dict[str, tuple[int, Truth]] = {}
        for index, compiled in enumerate(self._rules):
            condition = rule_condition(compiled.rule)
            definitions = compiled.definitions
            memberships |= _memberships(condition, definitions)
            for outcome in (True, None):
                expression = compile_condition(condition, definitions, certain=outcome is True)
                action = f"r{index}_{'certain' if outcome else 'possible'}"
                self._outcomes[action] = (index, outcome)
                definition[action] = {"all": [{"m": expression}], "run": _never_called}
        self._memberships = frozenset(memberships)
        self._host = _QuietHost()
        self._handle: Any = None
        if definition:
            self._host.register_rulesets({self._name: definition})
            self._handle = self._host.get_ruleset(self._name)._handle

    @property
    def rules(self) -> list[Rule]:
        return [compiled.rule for compiled in self._rules]

    def evaluate(self, facts: Facts) -> list[Truth]:
        """The truth of every rule, in order: True, False, or None (needs information)."""
        results: list[Truth] = [False] * len(self._rules)
        if not self._rules:
            return results
        fact = encode_facts(facts, self._memberships)
        with self._lock:
            fact["id"] = next(self._ids)
            text = json.dumps(fact, ensure_ascii=False)
            actions = self._assert_and_collect(text)
            _native.retract_fact(self._handle, text)  # the next evaluation starts clean
        for action in actions:
            index, outcome = self._outcomes[action]
            if results[index] is not True:  # certain wins over possible
                results[index] = outcome
        return results

    def _assert_and_collect(self, fact_text: str) -> list[str]:
        """Assert one fact and take every action it triggers, synchronously.

        This is durable's own action loop (Ruleset.do_actions / _flush_actions)
        without its per-action JSON round trips of state and message: our actions
        only need their names, which lead each message (`{"r3_certain": ...}`).
        """
        code, state_handle = _native.assert_fact(self._handle, fact_text)[:2]
        if code == 1:  # the fact matched no rule
            return []
        if code == 2:
            raise AssertionError("durable saw this fact id before")  # ids come from a counter
        actions: list[str] = []
        started = _native.start_action_for_state(self._handle, 0 if code == 3 else state_handle)
        message = started[1] if started else None
        while message:
            actions.append(message[2 : message.index('"', 2)])
            message = _native.complete_and_start_action(self._handle, 0 if code == 3 else state_handle)
        return actions


def _never_called(closure: Any) -> None:  # pragma: no cover - actions are taken by _assert_and_collect
    raise AssertionError("durable actions are collected by DurableEngine, not run")
