"""The columnar evaluator and the durable-rules path agree, profile by profile and benefit by benefit.

Seeded random profiles (unknown facts, every enum value and its Chinese spellings,
start dates around anniversaries and 29 February, as-of dates around every
effective date, flat-form programmes and awards, some bad cells) go through
`Calculator.evaluate` one at a time and through `run_batch` as one roster. Any
disagreement is a bug in one of them.
"""

from __future__ import annotations

import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from eligibility.batch import BatchOptions, ColumnarEvaluator, run_batch
from eligibility.batch.columns import validate
from eligibility.errors import InputError
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.outcome import STATUS_NAMES, amount_column, status_column
from eligibility.evaluation.report import Report
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.catalogue import Catalogue, default_rules_directory
from tests.support.batch_profiles import Profile, boundary_dates, random_profiles

PROFILES = 12_000

SYNTHETIC_PACK = """
region: xiangqiao
name: {zh: 测试, en: Every operator}
version: "test"
sources:
  - {document: test.txt, title: test, publisher: test, date: 2024-01-01}
programmes:
  tuofeng: {name: {zh: 托峰英才, en: Tuofeng talent}, meaning: {zh: t, en: t}}
  unrelated_code: {name: {zh: 无关, en: unrelated}, meaning: {zh: u, en: u}}
definitions:
  senior:
    name: {zh: 高级, en: senior}
    when:
      any:
        - {field: title, at_least: associate_senior}
        - {field: skill_level, in: [technician, chief_technician]}
rules:
  - id: xiangqiao.t.fixed_a
    name: {zh: a, en: a}
    kind: cash
    amount: {yuan: 1000}
    exclusivity_group: g
    when: {all: [{definition: senior}, {field: years_served, lte: 4}]}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.matching_half
    name: {zh: b, en: b}
    kind: cash
    amount: {matching_award_levels: [national, district], ratio: 0.5}
    exclusivity_group: g
    when: {any: [{field: awards, has: [national, district]}, {not: {field: degree, eq: none}}]}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.unpublished
    name: {zh: c, en: c}
    kind: cash
    amount: {published: false, note: not published}
    exclusivity_group: g
    when: {field: bought_home_in_region, eq: true}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.fixed_tie
    name: {zh: d, en: d}
    kind: cash
    amount: {yuan: 1000}
    exclusivity_group: g
    when: {field: introduction, in: [full_time, flexible]}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.proposed
    name: {zh: e, en: e}
    kind: cash
    amount: {yuan: 300}
    status: proposed
    when: {field: scarce_skill, eq: true}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.ended
    name: {zh: f, en: f}
    kind: service
    effective: {from: 2023-01-01, until: 2025-03-01}
    when: {all: [{field: years_served, gte: 3}, {field: programmes, has: [tuofeng, unrelated_code]}]}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.employer
    name: {zh: g, en: g}
    kind: cash
    applicant: organisation
    amount: {yuan: 50000}
    when: {field: certified_high_level_talent, eq: false}
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.always
    name: {zh: h, en: h}
    kind: honour
    source: {document: test.txt, quote: q}
  - id: xiangqiao.t.not_zone
    name: {zh: i, en: i}
    kind: in_kind
    when: {not: {field: zone, eq: aksu_alar_hitech_zone}}
    source: {document: test.txt, quote: q}
"""


def synthetic_rules(directory: Path) -> Path:
    """The shipped Aksu pack plus a pack that uses every operator, amount form and status."""
    directory.mkdir()
    shutil.copy(default_rules_directory() / "aksu.yaml", directory / "aksu.yaml")
    (directory / "xiangqiao.yaml").write_text(SYNTHETIC_PACK, encoding="utf-8")
    return directory


def report_of(calculator: Calculator, profile: Profile, as_of: date) -> Report | None:
    try:
        return calculator.evaluate(profile.mapping, as_of=as_of)
    except InputError:
        return None


def reference(report: Report | None) -> dict[str, object] | None:
    """What the durable-rules path says: None for a rejected profile."""
    if report is None:
        return None
    lists = {name: ";".join(item.benefit_id for item in report.by_status(name)) for name in STATUS_NAMES.values()}  # type: ignore[arg-type]
    amounts = {item.benefit_id: item.amount_yuan for item in report.entitlements}
    return {"total_cash_yuan": report.total_cash_yuan, **lists, "amounts": amounts}


def compare(rules: Path, tmp_path: Path, seed: int, count: int) -> Counter[str]:
    """Run both evaluators over `count` profiles spread over boundary as-of dates.

    Returns how often each outcome was seen, so a test can check that the random
    profiles reached every status (a comparison of empty results proves nothing).
    """
    catalogue = Catalogue.from_directory(rules)
    calculator = Calculator(catalogue)
    days = boundary_dates(catalogue)
    per_day = count // len(days) + 1
    seen: Counter[str] = Counter()
    for number, as_of in enumerate(days):
        profiles = list(random_profiles(catalogue, as_of, per_day, seed + number, bad_share=0.02))
        roster = tmp_path / f"roster-{number}.csv"
        pl.DataFrame([profile.cells for profile in profiles], schema=dict.fromkeys(FIELDS, pl.String)).write_csv(roster)
        scored_path = tmp_path / f"scored-{number}.parquet"
        summary = run_batch(BatchOptions(roster, scored_path, as_of), catalogue)
        scored = pl.read_parquet(scored_path)
        assert scored.height == len(profiles) == summary.rows
        expected_granted: Counter[str] = Counter()
        expected_cash: Counter[str] = Counter()
        reports = [report_of(calculator, profile, as_of) for profile in profiles]
        for profile, report, row in zip(profiles, reports, scored.iter_rows(named=True), strict=True):
            expected = reference(report)
            seen["rows"] += 1
            context = f"as of {as_of}, profile {profile.cells}"
            assert row["id"] == profile.cells["id"], context
            if expected is None:
                assert not profile.valid or row["status"] == "error", context
                assert row["status"] == "error" and row["error"], context
                seen["error"] += 1
                continue
            assert row["status"] == "ok", f"{context}: {row['error']}"
            for name in ("total_cash_yuan", *STATUS_NAMES.values()):
                assert row[name] == expected[name], f"{context}: {name}"
                seen[name] += bool(row[name])
            amounts = expected["amounts"]
            assert isinstance(amounts, dict)
            for benefit in str(expected["granted"]).split(";") if expected["granted"] else []:
                expected_granted[benefit] += 1
                expected_cash[benefit] += amounts[benefit] or 0 if _is_cash(catalogue, benefit) else 0
        for tally in summary.benefits.values():
            assert tally.granted == expected_granted[tally.benefit_id], tally.benefit_id
            assert tally.cash_yuan == expected_cash[tally.benefit_id], tally.benefit_id
        _compare_amounts(catalogue, profiles, reports, as_of)
    return seen


def _is_cash(catalogue: Catalogue, benefit: str) -> bool:
    return catalogue.rule(benefit)[1].kind == "cash"


def _compare_amounts(catalogue: Catalogue, profiles: list[Profile], reports: list[Report | None], as_of: date) -> None:
    """Per benefit: the amount of every listed entitlement is the same in both."""
    valid = [profile for profile in profiles if profile.valid]
    valid_reports = [report for profile, report in zip(profiles, reports, strict=True) if profile.valid]
    raw = pl.DataFrame([profile.cells for profile in valid], schema=dict.fromkeys(FIELDS, pl.String))
    facts = validate(raw, {}, as_of)
    evaluator = ColumnarEvaluator(catalogue.loaded, as_of)
    for region in catalogue.regions:
        rows = facts.with_row_index("position").filter(pl.col("region") == region)
        rule_frame = evaluator.rule_frame(rows, region)
        rules = evaluator.packs[region].rules
        for position, outcome in zip(rows["position"], rule_frame.iter_rows(named=True), strict=True):
            report = valid_reports[position]
            assert report is not None
            listed = {item.benefit_id: item.amount_yuan for item in report.entitlements}
            columnar = {
                rule.id: outcome[amount_column(index)]
                for index, rule in enumerate(rules)
                if outcome[status_column(index)] != 0
            }
            assert columnar == listed, f"as of {as_of}, {valid[position].cells}"


@pytest.mark.slow
def test_columnar_and_durable_rules_agree_on_every_profile_with_the_shipped_packs(tmp_path: Path) -> None:
    seen = compare(default_rules_directory(), tmp_path, seed=20240807, count=PROFILES)
    assert seen["rows"] >= PROFILES
    assert all(seen[outcome] > 0 for outcome in ("granted", "needs_info", "superseded", "total_cash_yuan", "error")), (
        seen
    )


@pytest.mark.slow
def test_columnar_and_durable_rules_agree_on_a_pack_using_every_operator(tmp_path: Path) -> None:
    seen = compare(synthetic_rules(tmp_path / "rules"), tmp_path, seed=17, count=PROFILES)
    assert seen["rows"] >= PROFILES
    statuses = ("granted", "needs_info", "proposed", "superseded", "total_cash_yuan", "error")
    assert all(seen[outcome] > 0 for outcome in statuses), seen
