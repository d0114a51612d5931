"""Rules skipped as never-near-misses are exactly ones the full counterfactual search finds nothing for."""

from __future__ import annotations

import random
from datetime import date

from eligibility.catalogue import Catalogue
from eligibility.explain import cannot_be_near_miss, near_miss_ways
from eligibility.logic import applicant_facts
from eligibility.profile import parse_profile
from eligibility.rulepack import RulePack
from tests.test_engine import random_profile, synthetic_pack


def count_pruned(pack: RulePack, rng: random.Random, count: int) -> int:
    pruned = 0
    as_of = date(2025, 6, 1)
    for _ in range(count):
        profile = parse_profile(random_profile(rng, pack.region))
        facts = applicant_facts(profile, as_of)
        for rule in pack.rules:
            if cannot_be_near_miss(rule, pack.definitions, facts):
                pruned += 1
                assert near_miss_ways(rule, pack, profile, facts, as_of) == [], (rule.id, facts)
    return pruned


def test_a_rule_skipped_for_near_misses_has_no_single_change_that_lifts_it() -> None:
    assert count_pruned(synthetic_pack(), random.Random(3), 1500) > 0
    rng = random.Random(5)
    assert sum(count_pruned(pack, rng, 200) for pack in Catalogue.from_directory().packs) > 0
