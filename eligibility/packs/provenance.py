"""Provenance: every rule's quote must occur verbatim in its seed document.

"Verbatim" is judged after one written-down normalisation, applied alike to the
quote and to the source, so that a quote typed from a clean copy of a policy
still matches the web page it was scraped from:

1. Unicode NFKC: full-width letters, digits and punctuation become ASCII
   (，→ ,  ：→ :  （）→ ()  ；→ ;), the ideographic space becomes a space,
   … becomes ... .
2. Bracketed pinyin readings are removed: the Linhe source (002) prints a
   reading after many traditional characters, 來(lái) 臨河區(qū); a bracket holding
   only lower-case Latin letters (with tone marks) is such a reading. Brackets
   holding anything else, such as 入学(入托), are text and stay.
3. All whitespace is removed (Chinese text has no word spaces; the scraped pages
   break lines and indent at random).
4. The punctuation NFKC leaves alone is unified: curly and corner quotation
   marks become " or ', the ideographic full stop becomes '.', dashes become
   '-', middle dots become '·', lenticular and tortoise-shell brackets become
   '[' and ']'.

Nothing else is done: traditional characters are not converted to simplified
(a Linhe quote is written in traditional characters, as the source stands), and
an ellipsis in a quote is not a wildcard (a quote is one contiguous passage).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

_PINYIN_LETTERS: Final = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê"
# A reading: a bracket holding only lower-case (tone-marked) Latin letters.
PINYIN_READING: Final = re.compile(rf"\([{_PINYIN_LETTERS}]+\)")
_WHITESPACE: Final = re.compile(r"\s+")

PUNCTUATION: Final[dict[str, str]] = {
    **dict.fromkeys("“”„‟〝〞〟「」『』", '"'),
    **dict.fromkeys("‘’‚‛", "'"),
    **dict.fromkeys("。｡", "."),
    **dict.fromkeys("‐‑‒–—―─", "-"),
    **dict.fromkeys("・•‧∙", "·"),
    **dict.fromkeys("【〔〖", "["),
    **dict.fromkeys("】〕〗", "]"),
}
_PUNCTUATION_TABLE: Final = str.maketrans(PUNCTUATION)


def normalise(text: str) -> str:
    """The text in the form quotes are compared in (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    text = PINYIN_READING.sub("", text)
    text = _WHITESPACE.sub("", text)
    return text.translate(_PUNCTUATION_TABLE)


def quote_occurs(quote: str, source_text: str) -> bool:
    """Whether `quote` occurs in `source_text`, both normalised; an empty quote never does."""
    wanted = normalise(quote)
    return bool(wanted) and wanted in normalise(source_text)


def longest_matching_prefix(quote: str, source_text: str) -> str:
    """The longest start of the normalised quote that occurs in the normalised source.

    Shown next to a failing quote, it points at the first character that differs.
    """
    return _longest_prefix_in(normalise(quote), normalise(source_text))


def _longest_prefix_in(wanted: str, haystack: str) -> str:
    low, high = 0, len(wanted)  # wanted[:low] occurs; find the largest such low
    while low < high:
        middle = (low + high + 1) // 2
        if wanted[:middle] in haystack:
            low = middle
        else:
            high = middle - 1
    return wanted[:low]


@dataclass
class SourceLibrary:
    """The seed documents of one directory, each read and normalised once."""

    directory: Path
    _normalised: dict[str, str | None] = field(default_factory=dict, repr=False)

    def normalised_text(self, document: str) -> str | None:
        """The normalised text of `document`; None when it is not a file of the directory."""
        if document not in self._normalised:
            path = self.directory / document
            # A document is a plain file name: nothing outside the directory is read.
            if Path(document).name != document or not path.is_file():
                self._normalised[document] = None
            else:
                self._normalised[document] = normalise(path.read_text(encoding="utf-8"))
        return self._normalised[document]

    def quote_problem(self, document: str, quote: str) -> str | None:
        """None when `quote` occurs in `document`; otherwise what is wrong, for a person."""
        source = self.normalised_text(document)
        if source is None:
            return f"source document {document} not found in {self.directory}"
        wanted = normalise(quote)
        if not wanted:
            return "the quote is empty after normalisation"
        if wanted in source:
            return None
        prefix = _longest_prefix_in(wanted, source)
        return (
            f"quote does not occur in {document} after normalisation: "
            f"it matches up to character {len(prefix)} of {len(wanted)} "
            f"(then {wanted[len(prefix) : len(prefix) + 12]!r})"
        )
