"""A pack's conditions, as YAML writes them, lowered once into the normalised form (conditions/form.py).

Definitions are resolved into named nodes, each built once and shared by every
rule that uses it; a definition that uses itself, directly or through others,
is a problem of the pack (it could never be evaluated).
"""

from __future__ import annotations

from collections.abc import Iterator

from eligibility.conditions.form import Group, Named, Node, Not, group, rule_condition, test
from eligibility.conditions.wording import NO_NAMES
from eligibility.packs.schema import AllOf, AnyOf, Condition, DefinitionRef, FieldTest, NotOf, Path, RulePack


class DefinitionCycle(Exception):
    """A definition that uses itself; `path` is where, `chain` the names around the cycle."""

    def __init__(self, path: Path, chain: list[str]) -> None:
        super().__init__(f"definition cycle: {' → '.join(chain)}; a definition cannot use itself")
        self.path = path


def rule_conditions(pack: RulePack) -> tuple[Group, ...]:
    """The whole normalised condition of every rule of a checked pack, in pack order."""
    named: dict[str, Named] = {}
    return tuple(rule_condition(rule.applicant, _lower(rule.when, pack, named, [])) for rule in pack.rules)


def cycle_problems(pack: RulePack) -> Iterator[tuple[Path, str]]:
    """Each definition cycle of a pack, once, at the first definition found on it."""
    named: dict[str, Named] = {}
    for name in pack.definitions:
        try:
            _definition(name, pack, named, [])
        except DefinitionCycle as cycle:
            yield cycle.path, str(cycle)
            return  # the others are on the same cycle or wait for it to be mended


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
    definition = pack.definitions[name]
    node = Named(name, definition.name, _lower(definition.when, pack, named, [*using, name]))
    named[name] = node
    return node
