"""A pack's conditions, as YAML writes them, lowered once into the normalised form (conditions/form.py).

Definitions are resolved into named nodes, each built once and shared by every
rule that uses it. A pack's definitions are refused (problems of the pack) when
a definition uses itself, directly or through others (it could never be
evaluated); when they use each other more than MAX_DEFINITION_DEPTH deep; or
when a rule's condition, its definitions written out as the engines and
explanations walk it, has more than MAX_RULE_PARTS parts: a definition used
twice by the one above it doubles at each level, and 24 such levels are 16
million parts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from eligibility.conditions.form import Group, Named, Node, Not, group, rule_condition, test
from eligibility.conditions.wording import NO_NAMES
from eligibility.packs.schema import AllOf, AnyOf, Condition, DefinitionRef, FieldTest, NotOf, Path, RulePack

MAX_DEFINITION_DEPTH: Final = 8  # definitions using definitions (the shipped packs: 1)
MAX_RULE_PARTS: Final = 1_000  # a rule's condition with its definitions written out (the shipped packs: 12 at most)


class DefinitionCycle(Exception):
    """A definition that uses itself; `path` is where, `chain` the names around the cycle."""

    def __init__(self, path: Path, chain: list[str]) -> None:
        super().__init__(f"definition cycle: {' → '.join(chain)}; a definition cannot use itself")
        self.path = path


class DefinitionsTooDeep(DefinitionCycle):
    """Definitions that use each other more than MAX_DEFINITION_DEPTH deep; `chain` the names from the first."""

    def __init__(self, path: Path, chain: list[str]) -> None:
        Exception.__init__(
            self,
            f"definitions nested more than {MAX_DEFINITION_DEPTH} deep ({' → '.join(chain[:3])} → … → {chain[-1]}); "
            f"at most {MAX_DEFINITION_DEPTH}: write the innermost out",
        )
        self.path = path


def rule_conditions(pack: RulePack) -> tuple[Group, ...]:
    """The whole normalised condition of every rule of a checked pack, in pack order."""
    named: dict[str, Named] = {}
    return tuple(rule_condition(rule.applicant, _lower(rule.when, pack, named, [])) for rule in pack.rules)


def definition_problems(pack: RulePack) -> Iterator[tuple[Path, str]]:
    """A definition cycle or chain too deep (the first found), else each rule whose condition is too large."""
    named: dict[str, Named] = {}
    for name in pack.definitions:
        try:
            _definition(name, pack, named, [])
        except DefinitionCycle as cycle:
            yield cycle.path, str(cycle)
            return  # the others are on the same cycle or wait for it to be mended
    sizes: dict[str, int] = {}
    for index, rule in enumerate(pack.rules):
        size = _parts(rule.when, pack, sizes)
        if size > MAX_RULE_PARTS:
            yield (
                ("rules", index, "when"),
                f"rule {rule.id}: its condition, definitions written out, has {size:,} parts; at most "
                f"{MAX_RULE_PARTS:,} (each use of a definition counts its parts again)",
            )


def _parts(condition: Condition, pack: RulePack, sizes: dict[str, int]) -> int:
    """How many nodes `condition` has written out, each definition's size worked out once (no cycle is left)."""
    if isinstance(condition, FieldTest):
        return 1
    if isinstance(condition, DefinitionRef):
        name = condition.definition
        if name not in sizes:
            sizes[name] = 1 + _parts(pack.definitions[name].when, pack, sizes)
        return sizes[name]
    if isinstance(condition, NotOf):
        return 1 + _parts(condition.not_, pack, sizes)
    parts = condition.all if isinstance(condition, AllOf) else condition.any
    return 1 + sum(_parts(part, pack, sizes) for part in parts)


def _lower(condition: Condition, pack: RulePack, named: dict[str, Named], using: list[str]) -> Node:
    if isinstance(condition, FieldTest):
        codes = condition.field == "programmes"  # the pack declares their names (the vocabulary does not)
        names = {code: declared.name for code, declared in pack.programmes.items()} if codes else NO_NAMES
        return test(condition.field, condition.operator, condition.operand, names)
    if isinstance(condition, DefinitionRef):
        return _definition(condition.definition, pack, named, using)
    if isinstance(condition, NotOf):
        return Not(_lower(condition.not_, pack, named, using))
    if isinstance(condition, AllOf):
        return group(True, [_lower(part, pack, named, using) for part in condition.all])
    assert isinstance(condition, AnyOf)
    return group(False, [_lower(part, pack, named, using) for part in condition.any])


def _definition(name: str, pack: RulePack, named: dict[str, Named], using: list[str]) -> Named:
    if name in named:
        return named[name]
    if name in using:
        chain = [*using[using.index(name) :], name]
        raise DefinitionCycle(("definitions", chain[0], "when"), chain)
    if len(using) >= MAX_DEFINITION_DEPTH:  # before going deeper: a chain of thousands would exhaust the stack
        raise DefinitionsTooDeep(("definitions", using[0], "when"), [*using, name])
    definition = pack.definitions[name]
    node = Named(name, definition.name, _lower(definition.when, pack, named, [*using, name]))
    named[name] = node
    return node
