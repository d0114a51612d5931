"""The summary of a batch run: rows, errors, and per benefit who is eligible and for how much."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eligibility.batch.reading import Notice
from eligibility.presentation.labels import Language, label
from eligibility.presentation.money import money


@dataclass
class BenefitTally:
    benefit_id: str
    name_zh: str
    name_en: str
    region: str = ""
    cash: bool = True  # a cash benefit (its known amounts summed); else a service, in kind or an honour
    granted: int = 0
    cash_yuan: int = 0  # granted cash with a known amount
    needs_info: int = 0


@dataclass
class RegionTally:
    region: str
    rows: int = 0  # rows scored in the region (error rows are not)
    cash_yuan: int = 0


@dataclass
class BatchSummary:
    """What a run produced; `total_cash_yuan` sums granted cash with known amounts only."""

    input: str
    output: str
    as_of: str
    rules_version: str
    rows: int = 0
    errors: int = 0
    benefits: dict[str, BenefitTally] = field(default_factory=dict)
    regions: dict[str, RegionTally] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)  # about the input's columns, e.g. one not used for scoring

    @property
    def total_cash_yuan(self) -> int:
        return sum(tally.cash_yuan for tally in self.benefits.values())

    def add(self, tallies: dict[str, tuple[int, int, int]]) -> None:
        for benefit_id, (granted, cash, needs_info) in tallies.items():
            tally = self.benefits[benefit_id]
            tally.granted += granted
            tally.cash_yuan += cash
            tally.needs_info += needs_info

    def add_region(self, region: str, rows: int, cash_yuan: int) -> None:
        tally = self.regions.setdefault(region, RegionTally(region))
        tally.rows += rows
        tally.cash_yuan += cash_yuan

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "as_of": self.as_of,
            "rules_version": self.rules_version,
            "rows": self.rows,
            "errors": self.errors,
            "notices": [notice.en for notice in self.notices],
            "notices_zh": [notice.zh for notice in self.notices],
            "benefits": [
                {
                    "benefit_id": tally.benefit_id,
                    "name": {"zh": tally.name_zh, "en": tally.name_en},
                    "granted": tally.granted,
                    "cash_yuan": tally.cash_yuan if tally.cash else None,
                    "needs_info": tally.needs_info,
                }
                for tally in self.benefits.values()
            ],
            "regions": [
                {"region": tally.region, "rows": tally.rows, "cash_yuan": tally.cash_yuan}
                for tally in self.regions.values()
            ],
            "total_cash_yuan": self.total_cash_yuan,
        }

    def lines(self, language: Language) -> list[str]:
        """The summary as plain lines in Chinese or English: benefits by name, amounts as people write them."""

        def say(key: str) -> str:
            return label(key, language)

        lines = [
            f"{say('rows')}: {self.rows:,}    {say('rows_with_errors')}: {self.errors:,}",
            f"{say('as_of')}: {self.as_of}    {say('rules_version')}: {self.rules_version}",
        ]
        shown = [tally for tally in self.benefits.values() if tally.granted or tally.needs_info]
        if shown:
            lines.append("  ".join(say(key) for key in ("benefit", "granted_count", "needs_info_count", "cash_total")))
        for tally in shown:
            name = tally.name_zh if language == "zh" else tally.name_en
            cash = money(tally.cash_yuan, language) if tally.cash else "—"
            lines.append(f"{name} ({tally.benefit_id})  {tally.granted:,}  {tally.needs_info:,}  {cash}")
        lines.append(f"{say('total')}: {money(self.total_cash_yuan, language)}")
        return lines
