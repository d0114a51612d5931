"""Rules skipped as never-near-misses are exactly ones the full counterfactual search finds nothing for."""

from __future__ import annotations

import random
from datetime import date

from eligibility.evaluation.near_misses import RegionNearMisses
from eligibility.facts.derive import applicant_facts
from eligibility.facts.profile import parse_profile
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.schema import RulePack
from tests.support.conditions import normalised, random_profile, synthetic_pack


def count_pruned(pack: RulePack, rng: random.Random, count: int) -> int:
    pruned = 0
    as_of = date(2025, 6, 1)
    region = RegionNearMisses.of(pack.rules, normalised(pack))
    for _ in range(count):
        profile = parse_profile(random_profile(rng, pack.region))
        facts = applicant_facts(profile, as_of)
        failing = region.failing(facts)
        for search in region.searches:
            if search.cannot_be_lifted(failing):
                pruned += 1
                assert search.ways(facts, failing, profile.service_start_date) == [], (search.rule.id, facts)
    return pruned


def test_a_rule_skipped_for_near_misses_has_no_single_change_that_lifts_it() -> None:
    assert count_pruned(synthetic_pack(), random.Random(3), 1500) > 0
    rng = random.Random(5)
    assert sum(count_pruned(pack, rng, 200) for pack in Catalogue.from_directory().packs) > 0
