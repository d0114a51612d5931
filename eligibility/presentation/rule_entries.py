"""The rule catalogue as people and programs read it: one `RuleEntry` per rule.

Region, benefit, kind, who applies, amount (or why there is none), status,
dates, source and quote, assumptions, and the condition as the pack writes it:
the data of `eligibility rules list` and `show` (presentation/terminal.py prints it).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from eligibility.facts.names import Names
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.schema import (
    AllOf,
    AnyOf,
    Condition,
    DefinitionRef,
    FixedAmount,
    Frequency,
    MatchingAmount,
    NotOf,
    Rule,
    RuleKind,
    RulePack,
    RuleStatus,
    UnpublishedAmount,
)
from eligibility.presentation.labels import label
from eligibility.presentation.money import money


class SourceEntry(BaseModel):
    """The seed document a rule quotes, and the quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    document: str
    title: str
    publisher: str
    date: date | None
    quote: str


class DefinitionEntry(BaseModel):
    """A named condition of the pack that the rule uses."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Names
    when: dict[str, Any]


class RuleEntry(BaseModel):
    """One rule of the catalogue, everything a reader needs to judge it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    region: str
    region_name: Names
    name: Names
    kind: RuleKind
    applicant: str = Field(json_schema_extra={"enum": list(FIELDS["applicant_kind"].codes)})
    status: RuleStatus
    frequency: Frequency
    amount_yuan: int | None
    amount: dict[str, Any] | None
    amount_text: Names
    effective_from: date | None
    effective_until: date | None
    exclusivity_group: str | None
    when: dict[str, Any]
    definitions: dict[str, DefinitionEntry]
    source: SourceEntry
    assumptions: tuple[str, ...]  # English; the Chinese, in the same order, in assumptions_zh
    assumptions_zh: tuple[str, ...]


def amount_text(rule: Rule) -> Names:
    """The amount in words: yuan, 'amount not published', a matching formula, or a dash."""
    amount = rule.amount
    if isinstance(amount, FixedAmount):
        return Names(zh=money(amount.yuan, "zh"), en=money(amount.yuan, "en"))
    if isinstance(amount, UnpublishedAmount):
        return Names(zh=label("amount_not_published", "zh"), en=label("amount_not_published", "en"))
    if isinstance(amount, MatchingAmount):
        levels = [FIELDS["awards"].value(level) for level in amount.matching_award_levels]
        zh_levels = "、".join(level.names.zh for level in levels if level is not None)
        en_levels = ", ".join(level.names.en for level in levels if level is not None)
        return Names(
            zh=f"按{zh_levels}奖励金额 {amount.ratio:g}:1 配套",
            en=f"{amount.ratio:g}:1 match of the {en_levels} award amounts",
        )
    return Names(zh=label("no_amount", "zh"), en=label("no_amount", "en"))


def _definitions_used(condition: Condition, pack: RulePack, found: dict[str, DefinitionEntry]) -> None:
    if isinstance(condition, DefinitionRef):
        if condition.definition not in found and condition.definition in pack.definitions:
            definition = pack.definitions[condition.definition]
            found[condition.definition] = DefinitionEntry(name=definition.name, when=_condition_data(definition.when))
            _definitions_used(definition.when, pack, found)
    elif isinstance(condition, AllOf | AnyOf):
        for part in condition.all if isinstance(condition, AllOf) else condition.any:
            _definitions_used(part, pack, found)
    elif isinstance(condition, NotOf):
        _definitions_used(condition.not_, pack, found)


def _condition_data(condition: Condition) -> dict[str, Any]:
    """A condition as the pack writes it (in, not, from: the YAML spellings)."""
    return condition.model_dump(mode="json", by_alias=True, exclude_none=True)


def rule_entry(pack: RulePack, rule: Rule) -> RuleEntry:
    """The catalogue entry of one rule of `pack`."""
    document = next(source for source in pack.sources if source.document == rule.source.document)
    definitions: dict[str, DefinitionEntry] = {}
    _definitions_used(rule.when, pack, definitions)
    return RuleEntry(
        id=rule.id,
        region=pack.region,
        region_name=pack.name,
        name=rule.name,
        kind=rule.kind,
        applicant=rule.applicant,
        status=rule.status,
        frequency=rule.frequency,
        amount_yuan=rule.amount.yuan if isinstance(rule.amount, FixedAmount) else None,
        amount=rule.amount.model_dump(mode="json") if rule.amount is not None else None,
        amount_text=amount_text(rule),
        effective_from=rule.effective.from_,
        effective_until=rule.effective.until,
        exclusivity_group=rule.exclusivity_group,
        when=_condition_data(rule.when),
        definitions=definitions,
        source=SourceEntry(
            document=document.document,
            title=document.title,
            publisher=document.publisher,
            date=document.date,
            quote=rule.source.quote,
        ),
        assumptions=tuple(assumption.en for assumption in rule.assumptions),
        assumptions_zh=tuple(assumption.zh for assumption in rule.assumptions),
    )


def rule_entries(catalogue: Catalogue, region: str | None = None) -> list[RuleEntry]:
    """Every rule of the catalogue (or of one region), regions in name order, rules in pack order."""
    packs = sorted(catalogue.packs, key=lambda pack: pack.region)
    return [rule_entry(pack, rule) for pack in packs if region is None or pack.region == region for rule in pack.rules]
