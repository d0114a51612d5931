"""The durable-rules engine agrees with the three-valued reference (the normalised form), rule by rule."""

from __future__ import annotations

import copy
import gc
import random
import resource
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from eligibility.conditions.durable import DurableEngine
from eligibility.evaluation.calculator import Calculator
from eligibility.facts.derive import applicant_facts
from eligibility.facts.profile import parse_profile
from eligibility.packs.catalogue import Catalogue
from tests.support import REPO
from tests.support.conditions import CONDITIONS, normalised, random_profile, synthetic_pack

DOCTOR = {"region": "aksu", "degree": "doctorate", "introduction": "full_time", "years_served": 5}


@pytest.mark.slow
def test_durable_engine_agrees_with_reference_logic_on_every_operator_and_unknowns() -> None:
    conditions = normalised(synthetic_pack())
    engine = DurableEngine(conditions)
    rng = random.Random(20261122)
    seen: set[Any] = set()
    for _ in range(3000):
        facts = applicant_facts(parse_profile(random_profile(rng)), date(2025, 6, 1))
        expected = [condition.truth(facts) for condition in conditions]
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


@pytest.mark.slow
def test_shipped_packs_agree_with_reference_logic_in_every_region() -> None:
    catalogue = Catalogue.from_directory()
    rng = random.Random(7)
    for loaded in catalogue.loaded:
        engine = DurableEngine(loaded.conditions)
        for _ in range(500):
            facts = applicant_facts(parse_profile(random_profile(rng, loaded.pack.region)), date(2025, 6, 1))
            expected = [condition.truth(facts) for condition in loaded.conditions]
            assert engine.evaluate(facts) == expected, (loaded.pack.region, facts)


def test_one_evaluation_never_leaks_into_the_next(calculator: Calculator) -> None:
    granted = {**DOCTOR, "bought_home_in_region": True}
    nothing = {"region": "aksu", "degree": "none", "title": "none", "skill_level": "none"}
    first = calculator.evaluate(granted, as_of=date(2025, 6, 1))
    for _ in range(50):
        assert calculator.evaluate(nothing, as_of=date(2025, 6, 1)).total_cash_yuan == 0
        assert calculator.evaluate(granted, as_of=date(2025, 6, 1)) == first


def test_two_calculators_in_one_process_do_not_share_rules(tmp_path: Path) -> None:
    pack = yaml.safe_load((REPO / "rules" / "aksu.yaml").read_text(encoding="utf-8"))
    pack["rules"] = pack["rules"][:1]
    (tmp_path / "aksu.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    small, full = Calculator.from_directory(tmp_path), Calculator.default()
    profile = {"region": "aksu", "degree": "master", "introduction": "full_time", "years_served": 5}
    profile["bought_home_in_region"] = True
    assert small.evaluate(profile).total_cash_yuan == 0
    assert full.evaluate(profile).total_cash_yuan == 400000


@pytest.mark.parametrize("region", ["tongchuan", "xiangqiao"])
def test_a_region_without_a_pack_or_rules_gives_an_empty_report_not_an_error(region: str, tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text((REPO / "rules" / "aksu.yaml").read_text("utf-8"), "utf-8")
    report = Calculator.from_directory(tmp_path).evaluate({"region": region})
    assert report.entitlements == () and report.total_cash_yuan == 0


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.slow
def test_a_thousand_calculators_created_used_and_dropped_leave_memory_flat() -> None:
    catalogue = Catalogue.from_directory()  # loading YAML a thousand times would only measure PyYAML

    def use_and_drop(count: int) -> None:
        for _ in range(count):
            calculator = Calculator(catalogue)
            calculator.prepare()  # every region's durable ruleset built
            calculator.evaluate({**DOCTOR, "bought_home_in_region": True}, as_of=date(2025, 6, 1))
        gc.collect()

    use_and_drop(100)  # the process's own allocations settle
    settled = _peak_rss_mib()
    use_and_drop(1000)
    grown = _peak_rss_mib() - settled
    # Before engines freed their durable state, each calculator kept about 0.5 MiB (500 MiB here).
    assert grown < 40, f"peak memory grew by {grown:.0f} MiB over 1000 calculators"


def test_a_pack_of_500_rules_sharing_their_first_tests_agrees_with_the_reference(tmp_path: Path) -> None:
    # 64 such rules used to overflow durable's network (free(): invalid pointer); 200 were refused.
    conditions = [
        condition for condition in CONDITIONS if "definition" not in str(condition) and "tuofeng" not in str(condition)
    ]
    rules = [
        {
            "id": f"aksu.many.r{index}",
            "name": {"zh": "x", "en": "x"},
            "kind": "service",
            "when": {
                "all": [{"field": "years_served", "gte": index % 7}, copy.deepcopy(conditions[index % len(conditions)])]
            },
            "source": {"document": "s.txt", "quote": "q"},
        }
        for index in range(500)
    ]
    pack = {
        "region": "aksu",
        "name": {"zh": "x", "en": "x"},
        "version": "1",
        "sources": [{"document": "s.txt", "title": "t", "publisher": "p", "date": "2024-01-01"}],
        "programmes": {code: {"name": {"zh": code, "en": code}, "meaning": {"zh": code, "en": code}} for code in "ab"},
        "rules": rules,
    }
    (tmp_path / "aksu.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    loaded = Catalogue.from_directory(tmp_path).loaded[0]
    engine = DurableEngine(loaded.conditions)
    rng = random.Random(500)
    for _ in range(30):
        profile = random_profile(rng)
        facts = applicant_facts(parse_profile(profile), date(2025, 6, 1))
        assert engine.evaluate(facts) == [condition.truth(facts) for condition in loaded.conditions]


def test_a_calculator_whose_applicants_matched_no_rule_is_released_without_crashing_the_process(
    tmp_path: Path,
) -> None:
    # durable-rules crashed (segmentation fault) deleting the state of a ruleset no fact had matched:
    # `eligibility check` of an applicant no rule of the region could apply to exited with 139. In a
    # child process, since a crash would take the test run with it.
    import subprocess
    import sys

    (tmp_path / "aksu.yaml").write_text(
        "region: aksu\nname: {zh: 阿克苏地区, en: Aksu}\nversion: '1'\n"
        "sources: [{document: s.txt, title: t, publisher: p}]\n"
        "rules:\n  - {id: aksu.test.doctor, name: {zh: 博士, en: Doctor}, kind: service,"
        " when: {field: degree, eq: doctorate}, source: {document: s.txt, quote: q}}\n",
        encoding="utf-8",
    )
    program = (
        "import gc, sys; from datetime import date; from eligibility.evaluation.calculator import Calculator\n"
        "calculator = Calculator.from_directory(sys.argv[1])\n"
        "report = calculator.evaluate({'region': 'aksu', 'degree': 'master'}, as_of=date(2025, 6, 1))\n"
        "assert report.entitlements == (), report.entitlements\n"
        "del calculator, report; gc.collect(); print('released')\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", program, str(tmp_path)], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert (child.returncode, child.stdout) == (0, "released\n"), child.stderr[-2000:]
