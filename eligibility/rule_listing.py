"""The rule catalogue as people and programs read it: `eligibility rules list` and `show`.

One `RuleEntry` per rule: region, benefit, kind, who applies, amount (or why there
is none), status, dates, source and quote, assumptions, and the condition as the
pack writes it. Printing is in Chinese or English, with rich tables as in
eligibility.render.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from eligibility.i18n import Language, label
from eligibility.rulepack import (
    AllOf,
    AnyOf,
    Condition,
    DefinitionRef,
    FixedAmount,
    MatchingAmount,
    Names,
    NotOf,
    Rule,
    RulePack,
    UnpublishedAmount,
)

if TYPE_CHECKING:
    from rich.console import Console

    from eligibility.catalogue import Catalogue

# Words of the catalogue that reports do not use; the rest come from eligibility.i18n.
_LABELS: dict[str, dict[Language, str]] = {
    "in_force": {"zh": "现行", "en": "in force"},
    "person": {"zh": "个人", "en": "person"},
    "organisation": {"zh": "单位", "en": "organisation"},
    "id": {"zh": "编号", "en": "ID"},
    "applicant": {"zh": "申请主体", "en": "Applicant"},
    "amount": {"zh": "金额", "en": "Amount"},
    "frequency": {"zh": "频次", "en": "Frequency"},
    "effective": {"zh": "有效期", "en": "In force"},
    "open_start": {"zh": "（未注明起始日期）", "en": "(no start date)"},
    "open_end": {"zh": "至今", "en": "open"},
    "exclusivity_group": {"zh": "就高不重复组", "en": "Exclusivity group (highest only)"},
    "condition": {"zh": "条件", "en": "Condition"},
    "no_condition": {"zh": "（无其他条件）", "en": "(no further condition)"},
    "definition": {"zh": "定义", "en": "Definition"},
    "quote": {"zh": "原文", "en": "Quote"},
    "rules_count": {"zh": "条规则", "en": "rule(s)"},
    "no_rules": {"zh": "没有规则。", "en": "No rules."},
}
_LEVELS: dict[str, Names] = {
    "national": Names(zh="国家级", en="national"),
    "provincial": Names(zh="省级", en="provincial"),
    "municipal": Names(zh="市级", en="municipal"),
    "prefecture": Names(zh="地区级", en="prefecture"),
    "district": Names(zh="区县级", en="district"),
}


def word(key: str, language: Language) -> str:
    """A catalogue word, else a report word, in `language`."""
    return _LABELS[key][language] if key in _LABELS else label(key, language)


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
    kind: Literal["cash", "service", "in_kind", "honour"]
    applicant: Literal["person", "organisation"]
    status: Literal["in_force", "proposed"]
    frequency: str
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
        return Names(zh=f"{amount.yuan:,} 元", en=f"{amount.yuan:,} yuan")
    if isinstance(amount, UnpublishedAmount):
        return Names(zh=label("amount_not_published", "zh"), en=label("amount_not_published", "en"))
    if isinstance(amount, MatchingAmount):
        zh_levels = "、".join(_LEVELS[level].zh for level in amount.matching_award_levels)
        en_levels = ", ".join(_LEVELS[level].en for level in amount.matching_award_levels)
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


def _name(names: Names, language: Language) -> str:
    return names.zh if language == "zh" else names.en


def _effective(entry: RuleEntry, language: Language) -> str:
    start = str(entry.effective_from) if entry.effective_from else word("open_start", language)
    end = str(entry.effective_until) if entry.effective_until else word("open_end", language)
    return f"{start} – {end}"


def print_rule_table(entries: list[RuleEntry], console: Console, language: Language) -> None:
    """The catalogue as a table: one row per rule, with its source and quote."""
    from rich.table import Table

    if not entries:
        console.print(word("no_rules", language))
        return
    table = Table(show_lines=True, expand=True)
    # Short words keep their width; the rest share the room, the quote the most.
    for key, ratio in (
        ("region", None),
        ("benefit", 3),
        ("kind", None),
        ("applicant", None),
        ("amount", 2),
        ("status", None),
        ("source", 5),
    ):
        table.add_column(word(key, language), overflow="fold", ratio=ratio, no_wrap=ratio is None)
    for entry in entries:
        table.add_row(
            _name(entry.region_name, language),
            f"{_name(entry.name, language)}\n[dim]{entry.id}[/dim]",
            word(entry.kind, language),
            word(entry.applicant, language),
            _name(entry.amount_text, language),
            word(entry.status, language),
            f"{entry.source.document}\n“{entry.source.quote}”".replace("[", r"\["),
        )
    console.print(table)
    console.print(f"{len(entries)} {word('rules_count', language)}")


def print_rule_detail(entry: RuleEntry, console: Console, language: Language) -> None:
    """One rule in full: every field, the condition and definitions, the quote, the assumptions."""
    import json

    console.print(f"[bold]{entry.id}[/bold] — {_name(entry.name, language)}")
    rows = [
        ("region", _name(entry.region_name, language)),
        ("kind", word(entry.kind, language)),
        ("applicant", word(entry.applicant, language)),
        ("amount", _name(entry.amount_text, language)),
        ("status", word(entry.status, language)),
        ("frequency", word(entry.frequency, language)),
        ("effective", _effective(entry, language)),
    ]
    if entry.exclusivity_group:
        rows.append(("exclusivity_group", entry.exclusivity_group))
    if entry.amount and "note" in entry.amount:
        rows.append(("note", str(entry.amount["note"])))
    condition = (
        json.dumps(entry.when, ensure_ascii=False) if entry.when != {"all": []} else word("no_condition", language)
    )
    rows.append(("condition", condition))
    for name, definition in entry.definitions.items():
        rows.append(
            (
                "definition",
                f"{name} ({_name(definition.name, language)}): {json.dumps(definition.when, ensure_ascii=False)}",
            )
        )
    source = entry.source
    published = f", {source.date}" if source.date else ""
    rows.append(("source", f"{source.document} — {source.title} ({source.publisher}{published})"))
    rows.append(("quote", f"“{source.quote}”"))
    assumptions = entry.assumptions_zh if language == "zh" else entry.assumptions
    rows.extend(("assumptions", assumption) for assumption in assumptions)
    for key, value in rows:
        console.print(f"  {word(key, language)}: {value}", markup=False)
