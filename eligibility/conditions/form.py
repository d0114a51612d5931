"""The normalised condition form, and its three-valued meaning: the reference every backend is held to.

A pack's condition is lowered once, when the pack loads, into a tree of four
kinds of node: `Test` (one fact against one operator, its primitive worked out),
`Group` (all / any, nested groups of the same kind flattened), `Not`, and
`Named` (a definition of the pack, resolved, keeping its name). A rule's whole
condition starts with its implicit test of who may claim (applicant_kind).

`Node.outcome(facts, memo)` is Kleene's three-valued logic: True, False, or
None when unknown facts decide it, together with those facts in rule order
(only branches still undecided are followed, so a fact that cannot change the
result is never asked for). A named definition is worked out once per `memo`:
the caller makes one per applicant, shared by every rule of the pack.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cached_property
from itertools import chain
from typing import Any, Final

from eligibility.conditions import wording
from eligibility.conditions.operators import OPERATORS, Operand, Operator, Primitive
from eligibility.facts.names import Names
from eligibility.facts.vocabulary import FACTS

Truth = bool | None
Outcome = tuple[Truth, tuple[str, ...]]  # the truth, and the facts that keep it unknown
Memo = dict[str, Outcome]  # definition name -> its outcome, for one applicant

HOLDS: Final[Outcome] = (True, ())
FAILS: Final[Outcome] = (False, ())
_ABSENT: Final = object()


class Node(ABC):
    """One node of a normalised condition."""

    @abstractmethod
    def outcome(self, facts: Mapping[str, Any], memo: Memo) -> Outcome:
        """The node's truth for these facts, and the unknown facts that keep it undecided."""

    def truth(self, facts: Mapping[str, Any]) -> Truth:
        return self.outcome(facts, {})[0]

    @property
    def parts(self) -> tuple[Node, ...]:
        return ()


@dataclass(frozen=True, eq=False)
class Test(Node):
    """One fact tested by one operator, as the pack wrote it, with the primitive it lowers to."""

    field: str
    operator: Operator
    operand: Operand
    primitive: Primitive
    value_names: Mapping[str, Names] = dataclass_field(default_factory=lambda: wording.NO_NAMES)  # a pack's code names
    _unknown: Outcome = dataclass_field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_unknown", (None, (self.field,)))

    def outcome(self, facts: Mapping[str, Any], memo: Memo) -> Outcome:
        value = facts.get(self.field, _ABSENT)
        if value is _ABSENT:
            return self._unknown
        return HOLDS if self.primitive.holds(value) else FAILS

    @property
    def key(self) -> tuple[str, str, str]:
        """What the test says, whatever rule it sits in (two equal tests have equal keys)."""
        return self.field, self.operator.name, repr(self.operand)

    @cached_property
    def sentence(self) -> Names:
        """The test in words: 学历为博士 / degree is doctorate (worked out once, when first shown)."""
        return wording.sentence(self.field, self.operator, self.operand, self.value_names)

    @cached_property
    def requirement(self) -> Names:
        """What the test requires, without the fact's name: 副高级及以上 / associate senior or higher."""
        return wording.requirement(self.field, self.operator, self.operand, self.value_names)


@dataclass(frozen=True, eq=False)
class Group(Node):
    """All of the parts (`conjunction`) or any of them; an empty `all` holds, an empty `any` fails."""

    conjunction: bool
    members: tuple[Node, ...]

    @property
    def parts(self) -> tuple[Node, ...]:
        return self.members

    def outcome(self, facts: Mapping[str, Any], memo: Memo) -> Outcome:
        decisive = not self.conjunction  # False decides an all, True an any
        first: tuple[str, ...] | None = None  # most groups have at most one unknown part: no list for them
        more: list[tuple[str, ...]] | None = None
        for part in self.members:
            truth, missing = part.outcome(facts, memo)
            if truth is None:
                if first is None:
                    first = missing
                elif more is None:
                    more = [first, missing]
                else:
                    more.append(missing)
            elif truth is decisive:
                return HOLDS if decisive else FAILS
        if first is None:
            return FAILS if decisive else HOLDS
        if more is None:
            return None, first
        return None, tuple(dict.fromkeys(chain.from_iterable(more)))  # first mention wins, in rule order


@dataclass(frozen=True, eq=False)
class Not(Node):
    """True when the part is false; unknown stays unknown, for the same facts."""

    part: Node

    @property
    def parts(self) -> tuple[Node, ...]:
        return (self.part,)

    def outcome(self, facts: Mapping[str, Any], memo: Memo) -> Outcome:
        outcome = self.part.outcome(facts, memo)
        if outcome[0] is None:
            return outcome
        return FAILS if outcome[0] else HOLDS


@dataclass(frozen=True, eq=False)
class Named(Node):
    """A named definition of the pack, resolved; its outcome is worked out once per memo."""

    name: str
    names: Names
    part: Node

    @property
    def parts(self) -> tuple[Node, ...]:
        return (self.part,)

    def outcome(self, facts: Mapping[str, Any], memo: Memo) -> Outcome:
        outcome = memo.get(self.name)
        if outcome is None:
            outcome = memo[self.name] = self.part.outcome(facts, memo)
        return outcome


def test(
    field_key: str, operator_name: str, operand: Operand, value_names: Mapping[str, Names] = wording.NO_NAMES
) -> Test:
    """A test as a pack writes it (the field, operator and operand already checked), with its codes' names."""
    operator = OPERATORS[operator_name]
    return Test(field_key, operator, operand, operator.lower(FACTS[field_key], operand), value_names)


def group(conjunction: bool, parts: Sequence[Node]) -> Group:
    """all (`conjunction`) or any of `parts`; a part of the same kind is flattened into it (a named one is kept)."""
    flat: list[Node] = []
    for part in parts:
        if isinstance(part, Group) and part.conjunction == conjunction:
            flat.extend(part.members)
        else:
            flat.append(part)
    return Group(conjunction, tuple(flat))


def rule_condition(applicant_kind: str, when: Node) -> Group:
    """A rule's whole condition: who may claim it first, then what the pack wrote."""
    return group(True, [test("applicant_kind", "eq", applicant_kind), when])


def walk(node: Node) -> Iterator[Node]:
    """Every node, depth first, in rule order (through named definitions)."""
    yield node
    for part in node.parts:
        yield from walk(part)


def tests(node: Node) -> Iterator[Test]:
    return (item for item in walk(node) if isinstance(item, Test))
