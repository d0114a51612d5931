"""The rule catalogue as the rules page shows it: every region and rule, searchable by a word in Chinese or English.

Each rule is its catalogue entry (presentation/rule_entries.py), its condition in
the normalised form (worded by conditions/wording.py), and the text a search
looks in: every name, quote, assumption and condition sentence in both languages.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from eligibility.conditions.form import Group, Named, Node, Test, walk
from eligibility.facts.names import Names
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.programmes import Programme
from eligibility.packs.schema import SourceDocument
from eligibility.presentation.labels import LABELS
from eligibility.presentation.money import money
from eligibility.presentation.rule_entries import RuleEntry, rule_entry

MAX_SEARCH_WORDS: Final = 10


@dataclass(frozen=True)
class RuleCard:
    """One rule on the page: its entry, its amount in words, the conditions besides who may claim, its search text."""

    entry: RuleEntry
    amount: Names
    conditions: tuple[Node, ...]
    search_text: str


@dataclass(frozen=True)
class RegionCatalogue:
    """One region's pack: its name, version, sources, programme codes and rules."""

    region: str
    name: Names
    version: str
    sources: tuple[SourceDocument, ...]
    programmes: tuple[tuple[Programme, Names], ...]  # each code with its meaning in this region
    cards: tuple[RuleCard, ...]


def fold(text: str) -> str:
    """Text as a search compares it: NFKC (full-width to ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).casefold()


def _words(*names: Names | str) -> Iterator[str]:
    for name in names:
        if isinstance(name, Names):
            yield name.zh
            yield name.en
        else:
            yield name


def _label(key: str) -> Names:
    return Names(zh=LABELS[key]["zh"], en=LABELS[key]["en"])


def condition_parts(condition: Node) -> tuple[Node, ...]:
    """A rule's condition without its first test, who may claim (shown apart as the rule's applicant)."""
    if isinstance(condition, Group) and condition.conjunction and condition.members:
        first = condition.members[0]
        if isinstance(first, Test) and first.field == "applicant_kind":
            return condition.members[1:]
    return (condition,)


def region_catalogues(catalogue: Catalogue) -> tuple[RegionCatalogue, ...]:
    """Every loaded pack, regions in name order, rules in pack order."""
    regions = []
    for loaded in sorted(catalogue.loaded, key=lambda item: item.pack.region):
        pack = loaded.pack
        cards = []
        for rule, condition in zip(pack.rules, loaded.conditions, strict=True):
            entry = rule_entry(pack, rule)
            amount = (
                Names(zh=money(entry.amount_yuan, "zh"), en=money(entry.amount_yuan, "en"))
                if entry.amount_yuan is not None
                else entry.amount_text
            )
            parts = condition_parts(condition)
            sentences = [
                node.sentence if isinstance(node, Test) else node.names
                for part in parts
                for node in walk(part)
                if isinstance(node, Test | Named)
            ]
            text = _words(
                entry.id,
                entry.name,
                entry.region_name,
                amount,
                _label(entry.kind),
                _label(entry.status),
                entry.source.quote,
                entry.source.title,
                *entry.assumptions,
                *entry.assumptions_zh,
                *sentences,
            )
            cards.append(RuleCard(entry, amount, parts, fold("\n".join(text))))
        programmes = tuple(
            (programme, dict(programme.meanings)[pack.region])
            for programme in catalogue.programmes.in_region(pack.region)
        )
        regions.append(
            RegionCatalogue(pack.region, pack.name, pack.version, tuple(pack.sources), programmes, tuple(cards))
        )
    return tuple(regions)


def search(regions: tuple[RegionCatalogue, ...], words: str, region: str | None) -> list[RegionCatalogue]:
    """The regions (one, or all when None) with only the rules holding every word of `words`, in either language."""
    wanted = fold(words).split()[:MAX_SEARCH_WORDS]
    found = []
    for item in regions:
        if region is not None and item.region != region:
            continue
        cards = tuple(card for card in item.cards if all(word in card.search_text for word in wanted))
        if cards or not wanted:
            found.append(RegionCatalogue(item.region, item.name, item.version, item.sources, item.programmes, cards))
    return found
