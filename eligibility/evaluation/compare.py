"""Compare regions: the same person as if working in each region (and zone) of the loaded packs.

Every fact is carried over as given, including those that are about a place
(service years, a home bought in the region, the scarce-skills list): the
comparison answers "if I worked there with the same record", not "what I have
there today". The zones tried for a region are those its rules test, plus no
zone. Ranked by total known cash, best first; ties by region name, then no
zone before a zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from eligibility.conditions.form import Test, walk
from eligibility.evaluation.calculator import Calculator, evaluation_date
from eligibility.evaluation.report import Entitlement
from eligibility.facts.names import Names
from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.spelling import fact_key
from eligibility.packs.loader import LoadedPack


class RegionOption(BaseModel):
    """One place the person could work, and what they would be entitled to there."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    region: str
    region_name: Names
    zone: str | None
    total_cash_yuan: int
    entitlements: tuple[Entitlement, ...]
    unpriced_benefits: tuple[str, ...] = ()


def zones_of(loaded: LoadedPack) -> list[str]:
    """The zones a pack's rules test, in the order they first appear."""
    found: list[str] = []
    for condition in loaded.conditions:
        for node in walk(condition):
            if isinstance(node, Test) and node.field == "zone":
                for zone in node.operand if isinstance(node.operand, tuple) else (str(node.operand),):
                    if zone not in found:
                        found.append(zone)
    return found


def compare_regions(
    calculator: Calculator, profile: ApplicantProfile | Mapping[str, Any], as_of: date | str | None = None
) -> list[RegionOption]:
    """Every region (and zone) of the loaded packs for this person, best first."""
    as_of = evaluation_date(as_of)
    if not isinstance(profile, ApplicantProfile):
        data = dict(profile)
        if calculator.catalogue.packs and not any(fact_key(key) == "region" for key in data):
            data["region"] = calculator.catalogue.packs[0].region  # any region: each is tried in turn
        profile = calculator.parse(data)
    options: list[RegionOption] = []
    for loaded in calculator.catalogue.loaded:
        pack = loaded.pack
        for zone in [None, *zones_of(loaded)]:
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
    return sorted(options, key=_rank)


def _rank(option: RegionOption) -> tuple[int, int, str, str]:
    """Known cash first; on a tie, more granted benefits (services, amounts not published) rank higher."""
    granted = sum(item.status == "granted" for item in option.entitlements)
    return (-option.total_cash_yuan, -granted, option.region, option.zone or "")
