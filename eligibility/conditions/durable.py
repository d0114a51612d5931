"""The durable-rules backend: the decision for one applicant. The only module that imports durable_rules.

Each rule's normalised condition is compiled into two durable rules over one
fact (the applicant): `certain` fires when the condition holds on the known
facts, `possible` when it holds or could hold once unknown facts are supplied
(whether a fact is known is an explicit flag on the fact). A rule that is
possible but not certain needs information; neither, it fails. Negation is
pushed down to the tests, where an unknown fact keeps both readings open. How a
test is said to durable is its primitive's business (conditions/operators.py).

Pitfalls of durable-rules 2.0.28 worked around (../shared/notes/engines-measured.md):
its Python host and timer threads are not used (they race evaluation): the C
engine is driven directly, one fact at a time (assert, collect, retract) with a
unique id; booleans compared with == true; no `in` (chains of ==); an OR fires
once per true branch (outcomes are collected per rule); `$iall` is false on an
empty list (list membership is encoded as flags). A ruleset's network has fixed
fan-out limits (256 rules on one shared test; past them it corrupts memory or
refuses the ruleset: 64 pack rules sharing their first tests crashed): a pack's
rules are split over rulesets of RULES_PER_RULESET each. A ruleset's memory is
freed only by deleting its state and then the ruleset: each engine does so when
it is garbage-collected, so calculators come and go without leaking. Deleting
the state of a ruleset that no fact has ever matched crashes the process (a
segmentation fault): such a ruleset has no state to free, and only its ruleset
is deleted.
"""

from __future__ import annotations

import itertools
import json
import threading
import weakref
from collections.abc import Sequence
from typing import Any

import durable_rules_engine as native
from pydantic_core import to_json

from eligibility.conditions.form import Group, Named, Node, Not, Test, Truth, walk
from eligibility.conditions.operators import (
    DurableExpression,
    Includes,
    durable_all,
    durable_any,
    membership_flag,
)
from eligibility.facts.vocabulary import FACTS, TESTABLE_FIELDS

KNOWN = "__known"  # suffix of the flag that says whether a fact is known
_ABSENT = object()
RULES_PER_RULESET = 24  # pack rules (two durable rules each) per ruleset: far below durable's fan-out limits
_NAMES = itertools.count()


def compile_node(node: Node, *, certain: bool, negated: bool = False) -> DurableExpression:
    """A durable expression true when `node` is certainly (or possibly) true.

    certainly(not X) = not possibly(X), so negation flips the reading as it
    descends; at a test, `certain` demands the fact, `possible` admits its absence.
    """
    if isinstance(node, Test):
        presence = {node.field + KNOWN: certain}
        value = node.primitive.durable(node.field, negated)
        return durable_all([presence, value]) if certain else durable_any([presence, value])
    if isinstance(node, Named):
        return compile_node(node.part, certain=certain, negated=negated)
    if isinstance(node, Not):
        return compile_node(node.part, certain=certain, negated=not negated)
    assert isinstance(node, Group)
    compiled = [compile_node(part, certain=certain, negated=negated) for part in node.members]
    return durable_all(compiled) if node.conjunction != negated else durable_any(compiled)  # De Morgan


def encode_facts(
    facts: dict[str, Any], fields: Sequence[str], memberships: frozenset[tuple[str, str]]
) -> dict[str, Any]:
    """Facts as durable sees them: a `<field>__known` flag per tested field (durable's `$nex`
    re-fires without end), their scalar values, and a flag per code of a list fact that rules ask about.

    Only the `fields` some rule tests are sent: the others cannot change any rule's outcome,
    and every key is JSON that durable parses.
    """
    encoded: dict[str, Any] = {}
    for key in fields:
        value = facts.get(key, _ABSENT)
        if value is _ABSENT:
            encoded[key + KNOWN] = False
        else:
            encoded[key + KNOWN] = True
            if not isinstance(value, tuple):
                encoded[key] = value
    for field, code in memberships:
        if field in facts:
            encoded[membership_flag(field, code)] = code in facts[field]
    return encoded


def tested_fields(conditions: Sequence[Node]) -> tuple[str, ...]:
    """The fields some test of these conditions reads, in vocabulary order."""
    tested = {node.field for condition in conditions for node in walk(condition) if isinstance(node, Test)}
    return tuple(key for key in FACTS if key in tested and key in TESTABLE_FIELDS)


class DurableEngine:
    """Rules compiled once into a durable ruleset; evaluates any number of applicants.

    Thread-safe: durable's state is shared, so evaluations are serialised.
    """

    def __init__(self, conditions: Sequence[Node]) -> None:
        self._count = len(conditions)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._outcomes: dict[str, tuple[int, Truth]] = {}
        memberships: set[tuple[str, str]] = set()
        rulesets: list[dict[str, Any]] = []
        for index, condition in enumerate(conditions):
            for node in walk(condition):
                if isinstance(node, Test) and isinstance(node.primitive, Includes):
                    memberships.update((node.field, code) for code in node.primitive.values)
            if index % RULES_PER_RULESET == 0:
                rulesets.append({})
            for outcome in (True, None):
                action = f"r{index}_{'certain' if outcome else 'possible'}"
                self._outcomes[action] = (index, outcome)
                rulesets[-1][action] = {"all": [{"m": compile_node(condition, certain=outcome is True)}]}
        self._memberships = frozenset(memberships)
        self._fields = tested_fields(conditions)
        self._handles = [native.create_ruleset(f"eligibility_{next(_NAMES)}", json.dumps(rules)) for rules in rulesets]
        self._matched: set[int] = set()  # the rulesets some fact has matched: only they have a state to delete
        for handle in self._handles:
            weakref.finalize(self, _release, handle, self._matched)

    def evaluate(self, facts: dict[str, Any]) -> list[Truth]:
        """The truth of every rule, in order: True, False, or None (needs information)."""
        results: list[Truth] = [False] * self._count
        if not self._handles:
            return results
        fact = encode_facts(facts, self._fields, self._memberships)
        actions: list[str] = []
        with self._lock:
            fact["id"] = next(self._ids)
            text = to_json(fact).decode()  # pydantic-core's serialiser: a fifth of json.dumps' time
            for handle in self._handles:
                actions += self._assert_and_collect(handle, text, self._matched)
                native.retract_fact(handle, text)  # the next evaluation starts clean
        for action in actions:
            index, outcome = self._outcomes[action]
            if results[index] is not True:  # certain wins over possible
                results[index] = outcome
        return results

    @staticmethod
    def _assert_and_collect(handle: int, fact_text: str, matched: set[int]) -> list[str]:
        """Assert one fact and take every action it triggers, synchronously.

        This is durable's own action loop (Ruleset.do_actions / _flush_actions)
        without its per-action JSON round trips of state and message: only the
        actions' names are needed, which lead each message (`{"r3_certain": ...}`).
        """
        code, state_handle = native.assert_fact(handle, fact_text)[:2]
        if code == 1:  # the fact matched no rule
            return []
        if code == 2:
            raise AssertionError("durable saw this fact id before")  # ids come from a counter
        matched.add(handle)
        actions: list[str] = []
        started = native.start_action_for_state(handle, 0 if code == 3 else state_handle)
        message = started[1] if started else None
        while message:
            actions.append(message[2 : message.index('"', 2)])
            message = native.complete_and_start_action(handle, 0 if code == 3 else state_handle)
        return actions


def _release(handle: int, matched: set[int]) -> None:
    """Free a ruleset and, when a fact ever matched it, its state (durable frees neither with the other)."""
    if handle in matched:
        try:
            native.delete_state(handle, "0")
        except Exception:
            pass
    native.delete_ruleset(handle)
