"""The loaded rule packs of every region, with a version that names them exactly."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from pathlib import Path

from eligibility.conditions.form import Group
from eligibility.errors import UnknownRuleError
from eligibility.facts.profile import Registries
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.codes import Code, Codes
from eligibility.packs.loader import LoadedPack, load_directory
from eligibility.packs.programmes import Programmes
from eligibility.packs.schema import Rule, RulePack


def default_rules_directory() -> Path:
    """The packs installed with the package, or the repository's rules/ in a checkout."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_rules"
    return installed if installed.is_dir() else package.parent / "rules"


class Catalogue:
    """Every rule of every loaded pack, looked up by region or id."""

    def __init__(self, loaded: Sequence[LoadedPack]) -> None:
        self.loaded = tuple(loaded)
        self._loaded: dict[str, LoadedPack] = {item.pack.region: item for item in self.loaded}
        self._packs: dict[str, RulePack] = {item.pack.region: item.pack for item in self.loaded}
        self._rules = {rule.id: (item.pack, rule) for item in self.loaded for rule in item.pack.rules}
        digest = hashlib.sha256("".join(sorted(item.digest for item in self.loaded)).encode()).hexdigest()
        # Any change to any pack file changes the version: reports are reproducible.
        self.rules_version = digest[:12]
        self.pack_versions = {item.pack.region: item.pack.version for item in self.loaded}
        self.programmes = Programmes.of(self.loaded)
        self.region_codes = known_regions(self.loaded)
        # what a profile's codes are read against, by fact (facts/profile.py)
        self.registries: Registries = {"region": self.region_codes, "programmes": self.programmes}

    @classmethod
    def from_directory(cls, directory: Path | str | None = None) -> Catalogue:
        return cls(load_directory(Path(directory) if directory is not None else default_rules_directory()))

    @property
    def regions(self) -> list[str]:
        return list(self._packs)

    @property
    def packs(self) -> list[RulePack]:
        return list(self._packs.values())

    def pack(self, region: str) -> RulePack | None:
        return self._packs.get(region)

    def loaded_pack(self, region: str) -> LoadedPack | None:
        """The region's pack with its normalised conditions; None when no pack is loaded for it."""
        return self._loaded.get(region)

    def rules(self) -> Iterator[tuple[RulePack, Rule]]:
        yield from self._rules.values()

    def rule(self, rule_id: str) -> tuple[RulePack, Rule]:
        try:
            return self._rules[rule_id]
        except KeyError:
            raise UnknownRuleError(rule_id) from None

    def condition(self, rule_id: str) -> Group:
        """A rule's whole condition in the normalised form (who may claim it first)."""
        pack, rule = self.rule(rule_id)
        loaded = self._loaded[pack.region]
        return loaded.conditions[pack.rules.index(rule)]


def known_regions(loaded: Sequence[LoadedPack]) -> Codes:
    """The regions a profile may name: the vocabulary's, and those of the loaded packs (with their aliases).

    A region of the vocabulary without a loaded pack is known: its report is empty.
    """
    aliases = {item.pack.region: item.pack.aliases for item in loaded}
    regions = [
        Code(value.code, value.names, tuple(dict.fromkeys((*value.spellings, *aliases.get(value.code, ())))))
        for value in FIELDS["region"].values
    ]
    known = {value.code for value in FIELDS["region"].values}
    regions += [
        Code(item.pack.region, item.pack.name, item.pack.aliases) for item in loaded if item.pack.region not in known
    ]
    return Codes(regions, refusal="not an allowed value", refusal_zh="不是可选的值")
