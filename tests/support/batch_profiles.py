"""Seeded random applicant profiles for the batch tests, in two forms.

Each profile is made once and given both ways: as the mapping the one-applicant
path takes (`Calculator.evaluate`), and as the text cells of a roster row (the
flat forms of eligibility/batch/columns.py). An unknown fact is a missing key
in the mapping and an empty cell in the row.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from eligibility.facts.consistency import ZONE_REGIONS
from eligibility.facts.service_time import anniversary, full_years_between
from eligibility.facts.spelling import BOOLEAN_WORDS
from eligibility.facts.vocabulary import AWARD_LEVELS, FIELDS, FieldKind
from eligibility.packs.catalogue import Catalogue


@dataclass(frozen=True)
class Profile:
    mapping: dict[str, Any]  # for Calculator.evaluate
    cells: dict[str, str]  # one roster row, every column present ("" = unknown)
    valid: bool


def boundary_dates(catalogue: Catalogue) -> list[date]:
    """As-of dates on and next to every effective date of the packs, and leap-year edges."""
    days = {date(2024, 2, 29), date(2025, 2, 28), date(2025, 3, 1), date(2025, 6, 1)}
    for pack in catalogue.packs:
        for rule in pack.rules:
            for edge in (rule.effective.from_, rule.effective.until):
                if edge is not None:
                    days.update({edge - timedelta(days=1), edge, edge + timedelta(days=1)})
    return sorted(days)


def _spelling(rng: random.Random, key: str) -> tuple[str, str]:
    """A canonical value and one way a roster may spell it (canonical, alias, other case)."""
    spec = FIELDS[key]
    declared = rng.choice(spec.values)
    spellings = [declared.code, declared.code.upper(), *declared.spellings]
    return declared.code, rng.choice(spellings)


def _start_date(rng: random.Random, as_of: date) -> date:
    """Around an anniversary of the as-of date, a 29 February, or a future hire."""
    choice = rng.random()
    if choice < 0.1:
        return date(rng.choice([2012, 2016, 2020]), 2, 29)
    if choice < 0.2:
        return as_of + timedelta(days=rng.choice([0, 1, 30, 400]))
    years = rng.randrange(0, 12)
    start = anniversary(as_of, -years) if years else as_of
    return start + timedelta(days=rng.choice([-1, 0, 0, 1]))


def _date_text(rng: random.Random, day: date) -> str:
    return rng.choice([day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"])


def random_profiles(
    catalogue: Catalogue, as_of: date, count: int, seed: int, bad_share: float = 0.0
) -> Iterator[Profile]:
    rng = random.Random(seed)
    codes = list(catalogue.programmes.by_code)  # a code of another region, too: no rule of this one tests it
    regions = catalogue.regions
    true_words = [word for word, meaning in BOOLEAN_WORDS.items() if meaning]
    false_words = [word for word, meaning in BOOLEAN_WORDS.items() if not meaning]
    for number in range(count):
        mapping: dict[str, Any] = {"id": f"P{number}"}
        cells: dict[str, str] = {key: "" for key in FIELDS}
        cells["id"] = f"P{number}"
        region = rng.choice(regions)
        mapping["region"] = region
        declared = FIELDS["region"].value(region)
        assert declared is not None
        cells["region"] = rng.choice([region, *declared.spellings])
        for key, spec in FIELDS.items():
            if key in ("id", "region") or rng.random() < 0.3:
                continue  # unknown
            if spec.kind in (FieldKind.ordered, FieldKind.choice):
                value, spelling = _spelling(rng, key)
                mapping[key], cells[key] = value, spelling
            elif spec.kind is FieldKind.boolean:
                meaning = rng.random() < 0.6
                word = rng.choice(true_words if meaning else false_words)
                mapping[key], cells[key] = meaning, word.upper() if rng.random() < 0.2 else word
            elif spec.kind is FieldKind.date:
                if rng.random() < 0.5:
                    start = _start_date(rng, as_of)
                    text = _date_text(rng, start)
                    mapping[key], cells[key] = text, text
            elif spec.kind is FieldKind.number:
                years = rng.choice([0, 1, 2, 3, 4, 4.5, 5, 5.0, 6, 8, 10, 20])
                mapping[key], cells[key] = float(years), str(years)
            elif spec.kind is FieldKind.codes:
                chosen = rng.sample(codes, rng.randrange(0, 3))
                mapping[key] = chosen
                cells[key] = ";".join(chosen) if chosen else "无"
            elif spec.kind is FieldKind.awards:
                awards = []
                items = []
                for _ in range(rng.randrange(0, 3)):
                    declared = rng.choice(AWARD_LEVELS)
                    level = declared.code
                    spelled = rng.choice([level, *declared.spellings])
                    amount = rng.choice([None, 0, 5000, 100000, 200001])
                    name = rng.choice(["", "某奖"])
                    award: dict[str, Any] = {"level": spelled, "amount_yuan": amount}
                    if name:
                        award["name"] = name
                    awards.append(award)
                    items.append(f"{spelled}:{'' if amount is None else amount}" + (f":{name}" if name else ""))
                mapping[key] = awards
                cells[key] = ";".join(items) if items else "none"
        # Facts that would contradict each other (facts/consistency.py) are made to agree: a zone of the
        # region, or none; service years given beside a start date are the full years it gives, or left out.
        if ZONE_REGIONS.get(mapping.get("zone", "")) not in (None, region):
            del mapping["zone"]
            cells["zone"] = ""
        if "years_served" in mapping and "service_start_date" in mapping:
            if rng.random() < 0.5:
                del mapping["years_served"]
                cells["years_served"] = ""
            else:
                years = full_years_between(start, as_of) + rng.choice([0, 0.5])
                mapping["years_served"], cells["years_served"] = float(years), str(years)
        valid = True
        if rng.random() < bad_share:
            key = rng.choice(
                ["degree", "title", "region", "bought_home_in_region", "service_start_date", "years_served"]
            )
            bad = {"service_start_date": "2021-02-30", "years_served": "-2"}.get(key, "不存在的值")
            mapping[key], cells[key] = bad, bad
            valid = False
        yield Profile(mapping, cells, valid)
