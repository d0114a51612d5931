"""The durable-rules engine agrees with the three-valued reference logic, rule by rule."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from eligibility.calculator import Calculator
from eligibility.catalogue import Catalogue
from eligibility.engine import CompiledRule, DurableEngine
from eligibility.logic import applicant_facts, rule_condition, truth
from eligibility.profile import parse_profile
from eligibility.rulepack import RulePack

# Conditions exercising every operator, negation, nesting and definitions.
CONDITIONS: list[Any] = [
    {"field": "degree", "eq": "master"},
    {"field": "degree", "in": ["bachelor", "doctorate"]},
    {"field": "title", "at_least": "intermediate"},
    {"field": "years_served", "gte": 3},
    {"field": "years_served", "lte": 2.5},
    {"field": "scarce_skill", "eq": False},
    {"field": "programmes", "has": "tuofeng"},
    {"field": "programmes", "has": ["a", "b"]},
    {"field": "awards", "has": ["national", "municipal"]},
    {"field": "zone", "eq": "aksu_alar_hitech_zone"},
    {"not": {"field": "introduction", "eq": "flexible"}},
    {"not": {"field": "programmes", "has": "tuofeng"}},
    {"not": {"any": [{"field": "degree", "at_least": "master"}, {"field": "bought_home_in_region", "eq": True}]}},
    {
        "not": {
            "all": [{"field": "skill_level", "at_least": "technician"}, {"not": {"field": "years_served", "lte": 1}}]
        }
    },
    {
        "any": [
            {"definition": "senior"},
            {"all": [{"field": "scarce_skill", "eq": True}, {"field": "degree", "eq": "none"}]},
        ]
    },
    {"all": []},
    {"not": {"all": []}},
    {"any": []},
]

VALUES: dict[str, list[Any]] = {
    "degree": ["none", "associate", "bachelor", "master", "doctorate"],
    "title": ["none", "junior", "intermediate", "associate_senior", "senior"],
    "skill_level": ["none", "senior_worker", "technician", "senior_technician", "chief_technician"],
    "introduction": ["none", "full_time", "flexible"],
    "zone": ["aksu_alar_hitech_zone"],
    "years_served": [0, 1, 2.5, 3, 4.99, 5],
    "scarce_skill": [True, False],
    "bought_home_in_region": [True, False],
    "programmes": [[], ["tuofeng"], ["a"], ["b", "c"], ["c"]],
    "awards": [[], [{"level": "national", "amount_yuan": 1}], [{"level": "district", "amount_yuan": 2}]],
    "applicant_kind": ["person", "organisation"],
}


def synthetic_pack() -> RulePack:
    rules = [
        {
            "id": f"aksu.synthetic.r{index}",
            "name": {"zh": "测", "en": "t"},
            "kind": "service",
            "applicant": "organisation" if index % 7 == 3 else "person",
            "when": condition,
            "source": {"document": "s.txt", "quote": "q"},
        }
        for index, condition in enumerate(CONDITIONS)
    ]
    return RulePack.model_validate(
        {
            "region": "aksu",
            "name": {"zh": "测", "en": "t"},
            "version": "1",
            "sources": [{"document": "s.txt", "title": "t", "publisher": "p", "date": "2024-01-01"}],
            "definitions": {
                "senior": {"name": {"zh": "高", "en": "s"}, "when": {"field": "title", "at_least": "senior"}}
            },
            "rules": rules,
        }
    )


def random_profile(rng: random.Random, region: str = "aksu") -> dict[str, Any]:
    profile: dict[str, Any] = {"region": region}
    for key, values in VALUES.items():
        if rng.random() < 0.7:  # the rest stay unknown
            profile[key] = rng.choice(values)
    return profile


def test_durable_engine_agrees_with_reference_logic_on_every_operator_and_unknowns() -> None:
    pack = synthetic_pack()
    engine = DurableEngine([CompiledRule(rule, pack.definitions) for rule in pack.rules])
    rng = random.Random(20261122)
    seen: set[Any] = set()
    for _ in range(3000):
        facts = applicant_facts(parse_profile(random_profile(rng)), date(2025, 6, 1))
        expected = [truth(rule_condition(rule), facts, pack.definitions) for rule in pack.rules]
        assert engine.evaluate(facts) == expected, facts
        seen.update(enumerate(expected))
    # the sample reached every outcome each condition can take (zone is never unknown;
    # the last three conditions are constant)
    never_unknown = {CONDITIONS.index({"field": "zone", "eq": "aksu_alar_hitech_zone"})}
    missed = [
        (index, outcome)
        for index in range(len(CONDITIONS) - 3)
        for outcome in (True, False, None)
        if (index, outcome) not in seen and not (outcome is None and index in never_unknown)
    ]
    assert missed == []


def test_shipped_packs_agree_with_reference_logic_in_every_region() -> None:
    catalogue = Catalogue.from_directory()
    rng = random.Random(7)
    for pack in catalogue.packs:
        engine = DurableEngine([CompiledRule(rule, pack.definitions) for rule in pack.rules])
        for _ in range(500):
            facts = applicant_facts(parse_profile(random_profile(rng, pack.region)), date(2025, 6, 1))
            expected = [truth(rule_condition(rule), facts, pack.definitions) for rule in pack.rules]
            assert engine.evaluate(facts) == expected, (pack.region, facts)


def test_one_evaluation_never_leaks_into_the_next(calculator: Calculator) -> None:
    granted = {"region": "aksu", "degree": "doctorate", "introduction": "full_time", "years_served": 5}
    granted["bought_home_in_region"] = True
    nothing = {"region": "aksu", "degree": "none", "title": "none", "skill_level": "none"}
    first = calculator.evaluate(granted, as_of=date(2025, 6, 1))
    for _ in range(50):
        assert calculator.evaluate(nothing, as_of=date(2025, 6, 1)).total_cash_yuan == 0
        assert calculator.evaluate(granted, as_of=date(2025, 6, 1)) == first


def test_two_calculators_in_one_process_do_not_share_rules(tmp_path: Path) -> None:
    pack = yaml.safe_load((Path(__file__).parent.parent / "rules" / "aksu.yaml").read_text(encoding="utf-8"))
    pack["rules"] = pack["rules"][:1]
    (tmp_path / "aksu.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    small, full = Calculator.from_directory(tmp_path), Calculator.default()
    profile = {"region": "aksu", "degree": "master", "introduction": "full_time", "years_served": 5}
    profile["bought_home_in_region"] = True
    assert small.evaluate(profile).total_cash_yuan == 0
    assert full.evaluate(profile).total_cash_yuan == 400000


@pytest.mark.parametrize("region", ["tongchuan", "xiangqiao"])
def test_a_region_without_a_pack_or_rules_gives_an_empty_report_not_an_error(region: str, tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text(
        (Path(__file__).parent.parent / "rules" / "aksu.yaml").read_text("utf-8"), "utf-8"
    )
    report = Calculator.from_directory(tmp_path).evaluate({"region": region})
    assert report.entitlements == () and report.total_cash_yuan == 0
