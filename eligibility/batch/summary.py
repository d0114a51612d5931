"""The summary of a batch run: rows, errors, and per benefit who is eligible and for how much."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eligibility.presentation.labels import Language, label


@dataclass
class BenefitTally:
    benefit_id: str
    name_zh: str
    name_en: str
    granted: int = 0
    cash_yuan: int = 0  # granted cash with a known amount
    needs_info: int = 0


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
    notices: list[str] = field(default_factory=list)  # about the input's columns, e.g. one not used for scoring

    @property
    def total_cash_yuan(self) -> int:
        return sum(tally.cash_yuan for tally in self.benefits.values())

    def add(self, tallies: dict[str, tuple[int, int, int]]) -> None:
        for benefit_id, (granted, cash, needs_info) in tallies.items():
            tally = self.benefits[benefit_id]
            tally.granted += granted
            tally.cash_yuan += cash
            tally.needs_info += needs_info

    def as_json(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "output": self.output,
            "as_of": self.as_of,
            "rules_version": self.rules_version,
            "rows": self.rows,
            "errors": self.errors,
            "notices": self.notices,
            "benefits": [
                {
                    "benefit_id": tally.benefit_id,
                    "name": {"zh": tally.name_zh, "en": tally.name_en},
                    "granted": tally.granted,
                    "cash_yuan": tally.cash_yuan,
                    "needs_info": tally.needs_info,
                }
                for tally in self.benefits.values()
            ],
            "total_cash_yuan": self.total_cash_yuan,
        }

    def lines(self, language: Language) -> list[str]:
        """The summary as plain lines in Chinese or English."""

        def say(key: str) -> str:
            return label(key, language)

        lines = [
            f"{say('rows')}: {self.rows:,}    {say('rows_with_errors')}: {self.errors:,}",
            f"{say('as_of')}: {self.as_of}    {say('rules_version')}: {self.rules_version}",
            "  ".join(say(key) for key in ("benefit", "granted_count", "cash_yuan", "needs_info_count")),
        ]
        for tally in self.benefits.values():
            if tally.granted == 0 and tally.needs_info == 0:
                continue
            name = tally.name_zh if language == "zh" else tally.name_en
            lines.append(f"{tally.benefit_id} ({name})  {tally.granted:,}  {tally.cash_yuan:,}  {tally.needs_info:,}")
        lines.append(f"{say('total')}: {self.total_cash_yuan:,} {say('yuan')}")
        return lines
