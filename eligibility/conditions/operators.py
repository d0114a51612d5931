"""The one operator table: what each test of a rule pack means, and how every backend says it.

A pack writes six operators (eq, in, at_least, gte, lte, has). Each is lowered,
once, to one of three primitives:

- `OneOf`: the fact's value is one of a set (eq, in, and at_least: the ranks from the bound up);
- `Bound`: a number at least or at most a bound (gte, lte);
- `Includes`: a list fact holds one of a set (has).

Each primitive says, side by side, when it holds for a known value (the Python
reference), and how polars and durable-rules express it. A backend never
restates an operator: it asks the primitive. What an operator means to a
person (its words) and which change would meet it (near misses) are declared
with the operator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from eligibility.facts.vocabulary import FieldKind, FieldSpec

if TYPE_CHECKING:
    import polars as pl

Scalar = str | bool | int | float
Operand = Scalar | tuple[str, ...]
DurableExpression = dict[str, Any]


def membership_flag(field: str, code: str) -> str:
    """The flag by which durable-rules sees whether a list fact holds a code (it has no list test that fits)."""
    return f"{field}__has__{code}"


@dataclass(frozen=True)
class OneOf:
    """The fact's value is one of `values`."""

    values: tuple[Scalar, ...]
    _set: frozenset[Scalar] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_set", frozenset(self.values))

    def holds(self, value: Any) -> bool:
        return value in self._set

    def polars(self, column: pl.Expr) -> pl.Expr:
        if len(self.values) == 1:
            return column == self.values[0]
        return column.is_in(list(self.values))

    def durable(self, field: str, negated: bool) -> DurableExpression:
        if negated:
            return durable_all([{"$neq": {field: value}} for value in self.values])
        return durable_any([{field: value} for value in self.values])


@dataclass(frozen=True)
class Bound:
    """A number at least (`lower`) or at most (not `lower`) `bound`."""

    bound: float
    lower: bool

    def holds(self, value: Any) -> bool:
        return bool(value >= self.bound) if self.lower else bool(value <= self.bound)

    def polars(self, column: pl.Expr) -> pl.Expr:
        return column >= self.bound if self.lower else column <= self.bound

    def durable(self, field: str, negated: bool) -> DurableExpression:
        operator = {(True, False): "$gte", (True, True): "$lt", (False, False): "$lte", (False, True): "$gt"}
        return {operator[(self.lower, negated)]: {field: self.bound}}


@dataclass(frozen=True)
class Includes:
    """A list fact holds at least one of `values`."""

    values: tuple[str, ...]

    def holds(self, value: Any) -> bool:
        return any(item in self.values for item in value)

    def polars(self, column: pl.Expr) -> pl.Expr:
        import polars as pl

        return pl.any_horizontal([column.list.contains(code) for code in self.values])

    def durable(self, field: str, negated: bool) -> DurableExpression:
        # A flag per (field, code) on the fact: durable's $iall is false on an empty
        # list, so "holds none of" cannot be said with its list operators.
        flags = [{membership_flag(field, code): not negated} for code in self.values]
        return durable_all(flags) if negated else durable_any(flags)


Primitive = OneOf | Bound | Includes

# A durable expression true for every fact, and one true for none (applicant_kind is always known).
DURABLE_ALWAYS: Final[DurableExpression] = {"applicant_kind__known": True}
DURABLE_NEVER: Final[DurableExpression] = {"applicant_kind__known": False}


def durable_all(parts: Sequence[DurableExpression]) -> DurableExpression:
    if not parts:
        return DURABLE_ALWAYS
    return parts[0] if len(parts) == 1 else {"$and": list(parts)}


def durable_any(parts: Sequence[DurableExpression]) -> DurableExpression:
    if not parts:
        return DURABLE_NEVER
    return parts[0] if len(parts) == 1 else {"$or": list(parts)}


def _as_tuple(operand: Operand) -> tuple[Any, ...]:
    return operand if isinstance(operand, tuple) else (operand,)


def _lowest_above(spec: FieldSpec, operand: Operand, current: Any) -> Any:
    """`in` on a ranked fact is met by the lowest listed rank above the applicant's (ranks only grow)."""
    listed = _as_tuple(operand)
    if spec.kind is FieldKind.ordered and current is not None:
        higher = [value for value in listed if spec.rank(value) > spec.rank(current)]
        if higher:
            return min(higher, key=spec.rank)
    return listed[0]


@dataclass(frozen=True, repr=False)
class Operator:
    """One operator a pack may write: where it applies, what it lowers to, its words, the change that meets it.

    `requirement` phrases what a test demands (`{value}`: the value's name) and
    `sentence` the whole test (`{field}`: the fact's name), in Chinese and
    English; several values are named joined by `joiner`.
    """

    name: str
    kinds: frozenset[FieldKind]
    lower: Callable[[FieldSpec, Operand], Primitive]
    requirement: tuple[str, str]
    sentence: tuple[str, str]
    joiner: tuple[str, str] = ("、", ", ")
    meets: Callable[[FieldSpec, Operand, Any], Any] = lambda spec, operand, current: operand

    def __repr__(self) -> str:
        return self.name


OPERATORS: Final[dict[str, Operator]] = {
    operator.name: operator
    for operator in (
        Operator(
            "eq",
            frozenset({FieldKind.ordered, FieldKind.choice, FieldKind.boolean}),
            lambda spec, operand: OneOf(_as_tuple(operand)),
            requirement=("{value}", "{value}"),
            sentence=("{field}为{value}", "{field} is {value}"),
        ),
        Operator(
            "in",
            frozenset({FieldKind.ordered, FieldKind.choice}),
            lambda spec, operand: OneOf(_as_tuple(operand)),
            requirement=("{value}之一", "one of {value}"),
            sentence=("{field}为{value}之一", "{field} is one of {value}"),
            meets=_lowest_above,
        ),
        Operator(
            "at_least",
            frozenset({FieldKind.ordered}),
            lambda spec, operand: OneOf(spec.codes[spec.rank(str(operand)) :]),
            requirement=("{value}及以上", "{value} or higher"),
            sentence=("{field}{value}及以上", "{field} is {value} or higher"),
        ),
        Operator(
            "gte",
            frozenset({FieldKind.number}),
            lambda spec, operand: Bound(float(operand), lower=True),  # type: ignore[arg-type]
            requirement=("不少于{value}", "at least {value}"),
            sentence=("{field}不少于{value}", "{field} at least {value}"),
        ),
        Operator(
            "lte",
            frozenset({FieldKind.number}),
            lambda spec, operand: Bound(float(operand), lower=False),  # type: ignore[arg-type]
            requirement=("不超过{value}", "at most {value}"),
            sentence=("{field}不超过{value}", "{field} at most {value}"),
        ),
        Operator(
            "has",
            frozenset({FieldKind.codes, FieldKind.awards}),
            lambda spec, operand: Includes(tuple(str(code) for code in _as_tuple(operand))),
            requirement=("包含{value}", "includes {value}"),
            sentence=("{field}包含{value}", "{field} include {value}"),
            joiner=("或", " or "),
            meets=lambda spec, operand, current: (*(current or ()), _as_tuple(operand)[0]),
        ),
    )
}
