"""A synthetic pack using every operator, negation, nesting and definitions, and random profiles for it."""

from __future__ import annotations

import random
from typing import Any

from eligibility.conditions.form import Group
from eligibility.packs.normalise import rule_conditions
from eligibility.packs.schema import RulePack

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


def normalised(pack: RulePack) -> tuple[Group, ...]:
    """The whole normalised condition of each rule of a pack, as loading makes it."""
    return rule_conditions(pack)


def random_profile(rng: random.Random, region: str = "aksu") -> dict[str, Any]:
    profile: dict[str, Any] = {"region": region}
    for key, values in VALUES.items():
        if rng.random() < 0.7:  # the rest stay unknown
            profile[key] = rng.choice(values)
    return profile
