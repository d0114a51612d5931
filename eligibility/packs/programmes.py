"""Programme codes: a closed vocabulary, declared by the loaded packs.

A programme code names a membership or status a source makes a condition but
whose criteria it does not publish (托峰英才, 援疆干部人才, holding a talent
service card …): the profile states it, the rules test it. Each pack declares
the codes its rules test, with a name, a one-line meaning and the aliases a
user may type; a code several packs declare (public_institution) is one code of
several regions. A profile's codes are read here: a code, its name or an alias
(any case) gives the code; anything else is an input error naming what is
allowed and the closest code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from eligibility.errors import RuleProblem
from eligibility.facts.names import Names
from eligibility.packs.codes import Code, Codes

if TYPE_CHECKING:
    from eligibility.packs.loader import LoadedPack


@dataclass(frozen=True)
class Programme:
    """One programme code: its names, what it means in each region that declares it, its aliases."""

    code: str
    name: Names
    meanings: tuple[tuple[str, Names], ...]  # (region, meaning), in the order the packs were loaded
    aliases: tuple[str, ...]

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(region for region, _ in self.meanings)


class Programmes:
    """The programme codes of the loaded packs, and how a profile's spellings of them are read."""

    def __init__(self, programmes: Iterable[Programme]) -> None:
        self.by_code: dict[str, Programme] = {programme.code: programme for programme in programmes}
        self.codes = Codes(
            (Code(item.code, item.name, item.aliases) for item in self.by_code.values()),
            refusal="not a programme code of the loaded rule packs",
            refusal_zh="不是已加载规则包中的人才计划代码",
            listed="{code} ({name})",
        )

    @classmethod
    def of(cls, loaded: Iterable[LoadedPack]) -> Programmes:
        """The codes the packs declare (check them first with `programme_problems`)."""
        merged: dict[str, Programme] = {}
        for item in loaded:
            region = item.pack.region
            for code, declared in item.pack.programmes.items():
                known = merged.get(code)
                meanings = (*(known.meanings if known else ()), (region, declared.meaning))
                aliases = tuple(dict.fromkeys((*(known.aliases if known else ()), *declared.aliases)))
                merged[code] = Programme(code, known.name if known else declared.name, meanings, aliases)
        return cls(merged.values())

    def in_region(self, region: str | None = None) -> list[Programme]:
        """The codes of one region's pack (all when None), in declaration order."""
        return [item for item in self.by_code.values() if region is None or region in item.regions]

    def resolve(self, spelling: str) -> str:
        """The code a spelling names: the code, its Chinese or English name, or an alias, in any case."""
        return self.codes.resolve(spelling)

    @property
    def allowed(self) -> str:
        return self.codes.allowed


def programme_problems(loaded: Iterable[LoadedPack]) -> list[RuleProblem]:
    """Declarations that disagree across packs: one code with two names, one spelling for two codes."""
    problems: list[RuleProblem] = []
    names: dict[str, tuple[Names, LoadedPack]] = {}
    owners: dict[str, tuple[str, LoadedPack]] = {}
    for item in loaded:
        for code, declared in item.pack.programmes.items():
            first = names.setdefault(code, (declared.name, item))
            if first[0] != declared.name:
                problems.append(
                    RuleProblem(
                        str(item.path),
                        1,
                        f"programme {code} is named {declared.name.zh} / {declared.name.en} here "
                        f"but {first[0].zh} / {first[0].en} in {first[1].path}: one code, one name",
                    )
                )
            for spelling in (code, declared.name.zh, declared.name.en, *declared.aliases):
                key = spelling.strip().lower()
                owner = owners.setdefault(key, (code, item))
                if owner[0] != code:
                    problems.append(
                        RuleProblem(
                            str(item.path),
                            1,
                            f"programme {code}: {spelling!r} already names programme {owner[0]} in {owner[1].path}",
                        )
                    )
    return problems
