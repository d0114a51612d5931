"""Closed sets of codes that the loaded packs extend: how a person's spelling of one is read.

A code may be written as itself, its Chinese or English name, or another
declared spelling, in any case; anything else is refused with what is allowed
and, when one is close, the code the person probably meant.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from eligibility.facts.names import Names
from eligibility.facts.spelling import Misspelt


@dataclass(frozen=True)
class Code:
    """One code, its names, and the other spellings shown next to it where codes are listed."""

    code: str
    name: Names
    spellings: tuple[str, ...] = ()

    def accepted(self) -> tuple[str, ...]:
        return (self.code, self.name.zh, self.name.en, *self.spellings)


class Codes:
    """The codes of one kind (regions, programme codes), in the order declared.

    `refusal` begins the message for a spelling that names none; `listed` says how
    a code is shown in the list of allowed ones.
    """

    def __init__(
        self, entries: Iterable[Code], refusal: str, listed: str = "{code} ({spellings})", refusal_zh: str = ""
    ) -> None:
        self.by_code: dict[str, Code] = {entry.code: entry for entry in entries}
        self.refusal = refusal
        self.refusal_zh = refusal_zh or refusal
        self.listed = listed
        self._spellings: dict[str, str] = {}
        for entry in self.by_code.values():
            for spelling in entry.accepted():
                self._spellings.setdefault(spelling.strip().lower(), entry.code)

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __iter__(self) -> Iterator[Code]:
        return iter(self.by_code.values())

    def resolve(self, spelling: str) -> str:
        """The code a spelling names; Misspelt, saying what is allowed and what is close, when none."""
        code = self._spellings.get(spelling.strip().lower())
        if code is None:
            raise Misspelt(*self._refused(spelling))
        return code

    @property
    def allowed(self) -> str:
        return ", ".join(
            self.listed.format(code=entry.code, name=entry.name.zh, spellings="/".join(entry.spellings))
            if entry.spellings or "{spellings}" not in self.listed
            else entry.code
            for entry in self.by_code.values()
        )

    def _refused(self, spelling: str) -> tuple[str, str]:
        """What to say of a spelling that names no code, in English and Chinese."""
        english, chinese = [self.refusal], [self.refusal_zh]
        close = difflib.get_close_matches(spelling.strip().lower(), list(self._spellings), n=1, cutoff=0.6)
        if close:
            entry = self.by_code[self._spellings[close[0]]]
            english.append(f"did you mean {entry.code} ({entry.name.zh})?")
            chinese.append(f"是否指 {entry.code}（{entry.name.zh}）？")
        english.append(f"allowed: {self.allowed or 'none'}")
        chinese.append(f"可选：{self.allowed or '无'}")
        return "; ".join(english), "；".join(chinese)
