"""Compare regions: the same person as if working in each region (and zone) of the loaded packs.

Every fact is carried over as given, including those that are about a place
(service years, a home bought in the region, the scarce-skills list): the
comparison answers "if I worked there with the same record", not "what I have
there today". The zones tried for a region are those its rules test, plus no
zone. Ranked by total known cash, best first; ties by region name, then no
zone before a zone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from eligibility.logic import OUTSIDE_ANY_ZONE
from eligibility.profile import ApplicantProfile, parse_profile
from eligibility.report import Entitlement
from eligibility.rulepack import AllOf, AnyOf, Condition, DefinitionRef, FieldTest, Names, NotOf, RulePack
from eligibility.vocabulary import ZH_KEY_TO_KEY

if TYPE_CHECKING:
    from eligibility.calculator import Calculator


class RegionOption(BaseModel):
    """One place the person could work, and what they would be entitled to there."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: str
    region_name: Names
    zone: str | None
    total_cash_yuan: int
    entitlements: tuple[Entitlement, ...]
    unpriced_benefits: tuple[str, ...] = ()


def _zones_in(condition: Condition, pack: RulePack) -> Iterator[str]:
    if isinstance(condition, FieldTest):
        if condition.field == "zone":
            operand = condition.operand
            yield from operand if isinstance(operand, tuple) else (str(operand),)
    elif isinstance(condition, DefinitionRef):
        yield from _zones_in(pack.definitions[condition.definition].when, pack)
    elif isinstance(condition, NotOf):
        yield from _zones_in(condition.not_, pack)
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.all if isinstance(condition, AllOf) else condition.any:
            yield from _zones_in(part, pack)


def zones_of(pack: RulePack) -> list[str]:
    """The zones a pack's rules test, in the order they first appear."""
    found: list[str] = []
    for rule in pack.rules:
        for zone in _zones_in(rule.when, pack):
            if zone != OUTSIDE_ANY_ZONE and zone not in found:
                found.append(zone)
    return found


def compare_regions(
    calculator: Calculator, profile: ApplicantProfile | Mapping[str, Any], as_of: date | None = None
) -> list[RegionOption]:
    """Every region (and zone) of the loaded packs for this person, best first."""
    as_of = as_of or date.today()
    if not isinstance(profile, ApplicantProfile):
        data = dict(profile)
        if calculator.catalogue.packs and not any(ZH_KEY_TO_KEY.get(str(key), key) == "region" for key in data):
            data["region"] = calculator.catalogue.packs[0].region  # any region: each is tried in turn
        profile = parse_profile(data)
    options: list[RegionOption] = []
    for pack in calculator.catalogue.packs:
        for zone in [None, *zones_of(pack)]:
            placed = profile.model_copy(update={"region": pack.region, "zone": zone})
            report = calculator.evaluate(placed, as_of=as_of)
            granted = [item for item in report.entitlements if item.status == "granted"]
            options.append(
                RegionOption(
                    region=pack.region,
                    region_name=pack.name,
                    zone=zone,
                    total_cash_yuan=report.total_cash_yuan,
                    entitlements=report.entitlements,
                    unpriced_benefits=tuple(item.benefit_id for item in granted if item.amount_yuan is None),
                )
            )
    return sorted(options, key=lambda option: (-option.total_cash_yuan, option.region, option.zone or ""))
