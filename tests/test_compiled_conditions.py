"""Conditions compiled into closures give the reference logic's answers: truth and missing facts."""

from __future__ import annotations

import random
from datetime import date

from eligibility.catalogue import Catalogue
from eligibility.compiled_conditions import Memo, rule_check
from eligibility.logic import applicant_facts, missing_facts, rule_condition, truth
from eligibility.profile import parse_profile
from eligibility.rulepack import RulePack
from tests.test_engine import random_profile, synthetic_pack


def assert_agrees_with_reference(pack: RulePack, rng: random.Random, count: int) -> set[object]:
    outcomes: set[object] = set()
    for _ in range(count):
        facts = applicant_facts(parse_profile(random_profile(rng, pack.region)), date(2025, 6, 1))
        memo: Memo = {}  # one memo for every rule of the applicant, as the calculator shares it
        for rule in pack.rules:
            condition = rule_condition(rule)
            expected = truth(condition, facts, pack.definitions)
            unknown = tuple(missing_facts(condition, facts, pack.definitions)) if expected is None else ()
            assert rule_check(rule, pack.definitions)(facts, memo) == (expected, unknown), (rule.id, facts)
            outcomes.add(expected)
    return outcomes


def test_compiled_rules_agree_with_reference_logic_on_every_operator_negation_and_definition() -> None:
    outcomes = assert_agrees_with_reference(synthetic_pack(), random.Random(20261122), 3000)
    assert outcomes == {True, False, None}


def test_compiled_rules_agree_with_reference_logic_on_every_shipped_pack() -> None:
    rng = random.Random(11)
    for pack in Catalogue.from_directory().packs:
        assert assert_agrees_with_reference(pack, rng, 300)


def test_a_shared_definition_is_evaluated_once_per_memo_and_reused_by_the_next_rule() -> None:
    pack = synthetic_pack()
    users = [rule for rule in pack.rules if "definition" in rule.when.model_dump_json()]
    facts = applicant_facts(parse_profile({"region": "aksu", "title": "senior"}), date(2025, 6, 1))
    memo: Memo = {}
    rule_check(users[0], pack.definitions)(facts, memo)
    assert memo == {"senior": (True, ())}
    memo["senior"] = (False, ())  # a planted outcome proves the memo, not the facts, answers the second time
    assert rule_check(users[0], pack.definitions)(facts, memo) == (None, ("scarce_skill", "degree"))
