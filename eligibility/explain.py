"""Why, why not, and when: explanations and near misses, read off logic.py's tree.

Every outcome here comes from `logic.truth` and `logic.missing_facts`; this
module only walks the condition tree, names what it finds in Chinese and
English, and asks one counterfactual question per failing field test.

A near miss is a rule in force that fails today, where meeting one failing field
test alone (setting that fact to the least value that meets it, all else as
given) would make the rule hold, or leave it needing only unknown facts. Its
`status_if_satisfied` says which, and `missing_facts` lists the facts still to
ask for. When that test is service time and the start date is known,
`eligible_from` is the anniversary on which it is met. Not offered as changes:
tests under a negation, who the applicant is (`applicant_kind`), what others
confer (`programmes`, `awards`), and anything
that would lower a degree, title, skill level or years served (they only grow:
a doctorate is not "one step from" the master's tier).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date
from typing import Any

from eligibility.compiled_conditions import rule_check
from eligibility.logic import Facts, Truth, rule_condition, test_truth, truth
from eligibility.profile import ApplicantProfile, anniversary
from eligibility.report import (
    ConditionExplanation,
    Entitlement,
    Explanation,
    FactValue,
    Outcome,
    RuleExplanation,
)
from eligibility.rulepack import (
    AllOf,
    AnyOf,
    Condition,
    Definition,
    DefinitionRef,
    FieldTest,
    Names,
    NotOf,
    Rule,
    RulePack,
)
from eligibility.vocabulary import AWARD_LEVELS, FIELDS, ZONES, FieldKind

# Facts that say who the applicant is, or that others confer (programme
# membership and status, awards): not a change an applicant can make, so never a
# near miss ("join the Tuofeng programme", "become an aid-Xinjiang cadre").
UNCHANGEABLE_FACTS = frozenset({"applicant_kind", "programmes", "awards"})

_FIELD_NAMES_EN = {"years_served": "years served", "bought_home_in_region": "home bought in the region"}
_SPECIAL_VALUES: dict[tuple[str, Any], Names] = {
    ("zone", "none"): Names(zh="不在园区", en="outside any zone"),
    ("zone", "aksu_alar_hitech_zone"): Names(zh=ZONES["aksu_alar_hitech_zone"][1], en="Aksu–Alar high-tech zone"),
}
_GROUP_TEXT = {
    "all": Names(zh="同时满足以下全部条件", en="all of"),
    "any": Names(zh="满足以下任一条件", en="any of"),
    "not": Names(zh="不满足以下条件", en="not"),
}


def outcome_of(value: Truth) -> Outcome:
    return "unknown" if value is None else "true" if value else "false"


def field_name(field: str) -> Names:
    """A fact's name: its Chinese column name, and its key in words."""
    spec = FIELDS[field]
    return Names(zh=spec.zh_names[0], en=_FIELD_NAMES_EN.get(field, field.replace("_", " ")))


def value_name(field: str, value: Any) -> Names:
    """A fact's value in words: the vocabulary's Chinese alias, the canonical value in English."""
    if value is None:
        return Names(zh="未知", en="unknown")
    if isinstance(value, bool):
        return Names(zh="是", en="yes") if value else Names(zh="否", en="no")
    if isinstance(value, float | int):
        text = f"{value:g}"
        return Names(zh=text, en=text)
    if isinstance(value, tuple | list):
        if not value:
            return Names(zh="无", en="none")
        names = [value_name(field, item) for item in value]
        return Names(zh="、".join(name.zh for name in names), en=", ".join(name.en for name in names))
    special = _SPECIAL_VALUES.get((field, value))
    if special is not None:
        return special
    known = AWARD_LEVELS if field == "awards" else FIELDS[field].values  # awards are tested by level
    aliases = known.get(str(value), ())
    return Names(zh=aliases[0] if aliases else str(value), en=str(value).replace("_", " "))


def requirement(test: FieldTest) -> Names:
    """What a field test requires, without the field's name."""
    operand = test.operand
    shown = value_name(test.field, operand)
    if test.operator == "has" and isinstance(operand, tuple) and len(operand) > 1:
        options = [value_name(test.field, item) for item in operand]
        shown = Names(zh="或".join(item.zh for item in options), en=" or ".join(item.en for item in options))
    if test.operator == "eq":
        return shown
    if test.operator == "in":
        return Names(zh=f"{shown.zh}之一", en=f"one of {shown.en}")
    if test.operator == "at_least":
        return Names(zh=f"{shown.zh}及以上", en=f"{shown.en} or higher")
    if test.operator == "gte":
        return Names(zh=f"不少于{shown.zh}", en=f"at least {shown.en}")
    if test.operator == "lte":
        return Names(zh=f"不超过{shown.zh}", en=f"at most {shown.en}")
    return Names(zh=f"包含{shown.zh}", en=f"includes {shown.en}")  # has (one of them, when several)


def test_text(test: FieldTest) -> Names:
    """A field test as a sentence: 学历为博士 / degree is doctorate."""
    name, required = field_name(test.field), requirement(test)
    is_value = test.operator in ("eq", "in")
    if test.operator == "has":  # lists are plural: programmes include tuofeng
        return Names(zh=f"{name.zh}{required.zh}", en=f"{name.en} include {required.en.removeprefix('includes ')}")
    return Names(
        zh=f"{name.zh}{'为' if is_value else ''}{required.zh}",
        en=f"{name.en} {'is ' if is_value or test.operator == 'at_least' else ''}{required.en}",
    )


def _fact_value(value: Any) -> FactValue:
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    if value is None or isinstance(value, str | bool | int | float):
        return value
    return str(value)


_TEST_WORDS: dict[int, tuple[FieldTest, dict[str, Any]]] = {}


def _test_words(test: FieldTest) -> dict[str, Any]:
    """What does not depend on the applicant, worked out once per test (keyed by identity)."""
    cached = _TEST_WORDS.get(id(test))
    if cached is None or cached[0] is not test:
        words = {
            "text": test_text(test),
            "field": test.field,
            "operator": test.operator,
            "required": _fact_value(test.operand),
            "required_text": requirement(test),
        }
        cached = (test, words)
        _TEST_WORDS[id(test)] = cached
    return cached[1]


def explain_condition(
    condition: Condition, facts: Mapping[str, Any], definitions: Mapping[str, Definition]
) -> ConditionExplanation:
    """The condition tree with each node's three-valued outcome; definitions expanded and named."""
    if isinstance(condition, DefinitionRef):
        definition = definitions[condition.definition]
        inner = explain_condition(definition.when, facts, definitions)
        return inner.model_copy(update={"definition": condition.definition, "definition_name": definition.name})
    outcome = outcome_of(truth(condition, facts, definitions))
    if isinstance(condition, FieldTest):
        value = facts.get(condition.field)
        return ConditionExplanation(
            kind="test",
            outcome=outcome,
            value=_fact_value(value),
            value_text=value_name(condition.field, value),
            **_test_words(condition),
        )
    if isinstance(condition, NotOf):
        inner = explain_condition(condition.not_, facts, definitions)
        return ConditionExplanation(kind="not", outcome=outcome, text=_GROUP_TEXT["not"], parts=(inner,))
    kind = "all" if isinstance(condition, AllOf) else "any"
    parts: list[ConditionExplanation] = []
    for part in condition.all if isinstance(condition, AllOf) else condition.any:
        explained = explain_condition(part, facts, definitions)
        # all(all(a, b), c) reads better as all(a, b, c); a named definition keeps its own node.
        if explained.kind == kind and explained.definition is None:
            parts.extend(explained.parts)
        else:
            parts.append(explained)
    return ConditionExplanation(kind=kind, outcome=outcome, text=_GROUP_TEXT[kind], parts=tuple(parts))


def failed_conditions(node: ConditionExplanation) -> list[ConditionExplanation]:
    """The field tests (or whole negations) a false condition fails on, following only false parts."""
    if node.outcome != "false":
        return []
    if node.kind in ("test", "not"):
        return [node]
    found: list[ConditionExplanation] = []
    for part in node.parts:
        found.extend(failed_conditions(part))
    return found


def explain_rule(
    rule: Rule, entitlement: Entitlement | None, facts: Mapping[str, Any], pack: RulePack, as_of: date
) -> RuleExplanation:
    condition = explain_condition(rule_condition(rule), facts, pack.definitions)
    if entitlement is not None:
        status: Any = entitlement.status
    else:
        status = "not_granted" if rule.effective.covers(as_of) else "not_in_force"
    return RuleExplanation(
        benefit_id=rule.id,
        name=rule.name,
        status=status,
        outcome=condition.outcome,
        effective_from=rule.effective.from_,
        effective_until=rule.effective.until,
        condition=condition,
        failed=tuple(failed_conditions(condition)) if entitlement is None else (),
    )


def explain(
    pack: RulePack | None, facts: Mapping[str, Any], as_of: date, entitlements: Sequence[Entitlement]
) -> Explanation:
    """Each entitlement's conditions, and for every other rule of the region what failed (or that it is not in force)."""
    if pack is None:
        return Explanation(entitlements=(), not_granted=())
    by_id = {item.benefit_id: item for item in entitlements}
    listed: list[RuleExplanation] = []
    others: list[RuleExplanation] = []
    for rule in pack.rules:
        entitlement = by_id.get(rule.id)
        explained = explain_rule(rule, entitlement, facts, pack, as_of)
        (listed if entitlement is not None else others).append(explained)
    return Explanation(entitlements=tuple(listed), not_granted=tuple(others))


def _tests_outside_negation(condition: Condition, definitions: Mapping[str, Definition]) -> Iterator[FieldTest]:
    """Field tests whose truth the condition follows directly (not through a `not`)."""
    if isinstance(condition, FieldTest):
        yield condition
    elif isinstance(condition, DefinitionRef):
        yield from _tests_outside_negation(definitions[condition.definition].when, definitions)
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _tests_outside_negation(part, definitions)


def least_satisfying_value(test: FieldTest, facts: Mapping[str, Any]) -> Any:
    """The smallest change of the fact that meets the test: the bound, or a listed value.

    For `in` on a ranked fact, the lowest listed rank above the current one (ranks only grow).
    """
    operand = test.operand
    if test.operator == "in":
        spec = FIELDS[test.field]
        if spec.kind is FieldKind.ordered and test.field in facts:
            higher = [value for value in operand if spec.rank(value) > spec.rank(facts[test.field])]
            return min(higher, key=spec.rank) if higher else operand[0]
        return operand[0]
    if test.operator == "has":
        wanted = operand[0] if isinstance(operand, tuple) else operand
        return (*facts.get(test.field, ()), wanted)
    return operand  # eq, at_least (the lowest rank that meets it), gte and lte (the bound)


def only_grows(field: str, before: Any, after: Any) -> bool:
    """False for a change that lowers a fact that only grows: ranks and years served."""
    spec = FIELDS[field]
    if spec.kind is FieldKind.ordered:
        return spec.rank(after) > spec.rank(before)
    if field == "years_served":
        return bool(after > before)
    return True


def service_anniversary(profile: ApplicantProfile, test: FieldTest) -> date | None:
    """The day a years-served lower bound is met, when the start date is known."""
    if test.field != "years_served" or test.operator != "gte" or profile.service_start_date is None:
        return None
    return anniversary(profile.service_start_date, math.ceil(float(test.operand)))


_CHANGEABLE: dict[int, tuple[Rule, tuple[FieldTest, ...]]] = {}


def changeable_tests(rule: Rule, definitions: Mapping[str, Definition]) -> tuple[FieldTest, ...]:
    """The distinct field tests of a rule a near miss may offer to meet, in rule order.

    Built once per rule object (keyed by identity, the entry keeping the rule
    alive, as logic.rule_condition does): near misses are computed on every evaluation.
    """
    cached = _CHANGEABLE.get(id(rule))
    if cached is None or cached[0] is not rule:
        tests: dict[tuple[str, str, str], FieldTest] = {}
        for test in _tests_outside_negation(rule_condition(rule), definitions):
            if test.field not in UNCHANGEABLE_FACTS:
                tests.setdefault((test.field, test.operator, repr(test.operand)), test)
        cached = (rule, tuple(tests.values()))
        _CHANGEABLE[id(rule)] = cached
    return cached[1]


_REQUIRED: dict[int, tuple[Rule, tuple[FieldTest, ...]]] = {}


def required_tests(rule: Rule, definitions: Mapping[str, Definition]) -> tuple[FieldTest, ...]:
    """The field tests a rule holds only if they hold: reached from its root through `all` and definitions.

    Built once per rule object (keyed by identity, as changeable_tests).
    """
    cached = _REQUIRED.get(id(rule))
    if cached is None or cached[0] is not rule:
        found: list[FieldTest] = []
        pending: list[Condition] = [rule_condition(rule)]
        while pending:
            node = pending.pop()
            if isinstance(node, FieldTest):
                found.append(node)
            elif isinstance(node, DefinitionRef):
                pending.append(definitions[node.definition].when)
            elif isinstance(node, AllOf):
                pending.extend(node.all)
        cached = (rule, tuple(found))
        _REQUIRED[id(rule)] = cached
    return cached[1]


def cannot_be_near_miss(rule: Rule, definitions: Mapping[str, Definition], facts: Facts) -> bool:
    """True when no single change can lift the rule, so its near-miss counterfactuals are not worth asking.

    A failing required test stays false unless its own fact changes: if required tests
    on two different facts fail, or one on a fact that is never offered as a change
    (who the applicant is), the rule fails whatever one fact is changed.
    """
    failing = {test.field for test in required_tests(rule, definitions) if test_truth(test, facts) is False}
    return len(failing) > 1 or not failing.isdisjoint(UNCHANGEABLE_FACTS)


def near_miss_ways(
    rule: Rule, pack: RulePack, profile: ApplicantProfile, facts: Facts, as_of: date
) -> list[dict[str, Any]]:
    """Each single failing field test that, met alone, lifts the rule out of failure (a NearMissWay's fields)."""
    check = rule_check(rule, pack.definitions)  # the rule compiled once: the same answers as truth/missing_facts
    ways: list[dict[str, Any]] = []
    for test in changeable_tests(rule, pack.definitions):
        if test_truth(test, facts) is not False:
            continue
        changed = {**facts, test.field: least_satisfying_value(test, facts)}
        if not only_grows(test.field, facts[test.field], changed[test.field]):
            continue
        outcome, still_missing = check(changed, {})
        if outcome is False:
            continue
        eligible_from = service_anniversary(profile, test)
        if eligible_from is not None and not rule.effective.covers(eligible_from):
            continue  # the rule ends before the service time is reached
        explained = explain_condition(test, facts, pack.definitions)
        ways.append(
            {
                "failing_condition": explained,
                "satisfied_by": {test.field: _fact_value(changed[test.field])},
                "status_if_satisfied": "granted" if outcome else "needs_info",
                "missing_facts": () if outcome else still_missing,
                "eligible_from": eligible_from,
            }
        )
    return ways


def near_misses(
    pack: RulePack | None,
    profile: ApplicantProfile,
    facts: Facts,
    as_of: date,
    entitlements: Sequence[Mapping[str, Any]],
    amount_of: Callable[[Rule], int | None],
    holds: Sequence[Truth] | None = None,
) -> tuple[dict[str, Any], ...]:
    """The rules of the region in force at `as_of`, failing today, that one condition would lift.

    Like the entitlements they are given, they are the fields of NearMiss models,
    validated once with the whole report. `holds`, when given, is each rule's truth as the engine
    found it (in pack order), spared from being worked out again; the reference
    logic otherwise.

    Exclusivity: a near miss is left out when its group already has a granted
    benefit of equal or higher amount (an unknown amount ranks lowest), since
    meeting it would change nothing.
    """
    if pack is None:
        return ()
    listed = {item["benefit_id"] for item in entitlements}
    granted_by_group: dict[str, int] = {}
    for item in entitlements:
        group = item["exclusivity_group"]
        if item["status"] == "granted" and group is not None:
            granted_by_group[group] = max(granted_by_group.get(group, -1), _rank(item["amount_yuan"]))
    found: list[dict[str, Any]] = []
    for index, rule in enumerate(pack.rules):
        if rule.id in listed or rule.status == "proposed" or not rule.effective.covers(as_of):
            continue
        holds_today = holds[index] if holds is not None else truth(rule_condition(rule), facts, pack.definitions)
        if holds_today is not False or cannot_be_near_miss(rule, pack.definitions, facts):
            continue
        amount = amount_of(rule)
        group = rule.exclusivity_group
        if group is not None and group in granted_by_group and _rank(amount) <= granted_by_group[group]:
            continue
        ways = near_miss_ways(rule, pack, profile, facts, as_of)
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


def _rank(amount: int | None) -> int:
    return -1 if amount is None else amount
