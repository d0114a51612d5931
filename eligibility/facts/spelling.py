"""How facts may be spelled: the one parser of keys and values for every surface.

The profile model, the batch reader (on each column's distinct cells), the
command line, what-if and compare all read keys and values here, so a spelling
accepted in one place is accepted everywhere, and refused with the same message.

- A key is its canonical name, its Chinese name or another declared spelling
  (surrounding spaces ignored; English keys in any case).
- Text is trimmed; an empty text is an unknown fact.
- A value of a closed set: its code, its Chinese spellings or its English name, in any case.
- Yes/no: the words of BOOLEAN_WORDS (是/否, true/false, yes/no, y/n, 1/0, on/off, t/f).
- A date: 2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日, a day that exists.
- A number: a plain decimal (5, 4.5), within the fact's bounds.
- Codes (programmes): a list, or one text with the codes separated by ; ； , or ，.
- Awards: a list of {level, name, amount_yuan} (级别, 名称, 金额), or one text of
  items `level:amount[:name]` separated by `;` (`national:200000:国家科技进步奖;district:5000`);
  an empty amount (`national::某奖`) is an award whose amount is unknown.
- For codes and awards, 无 or none says "known to be none"; an empty text says "unknown".
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any, Final

from eligibility.facts.vocabulary import FIELDS, KEY_SPELLINGS, FieldKind, FieldSpec


class Misspelt(ValueError):
    """A value that no accepted spelling matches; the message says what is allowed."""


BOOLEAN_WORDS: Final[dict[str, bool]] = {
    "true": True,
    "false": False,
    "yes": True,
    "no": False,
    "y": True,
    "n": False,
    "1": True,
    "0": False,
    "是": True,
    "否": False,
    "on": True,
    "off": False,
    "t": True,
    "f": False,
}
YES_NO_ALLOWED: Final = "true/false, yes/no, 1/0, Y/N, 是/否"
EXPLICIT_NONE: Final = frozenset({"无", "none"})
CODE_SEPARATORS: Final = re.compile(r"[;；,，]")
AWARD_SEPARATORS: Final = re.compile(r"[;；]")
AWARD_FORM: Final = "level:amount[:name];..."
AWARD_KEYS: Final[dict[str, str]] = {"级别": "level", "名称": "name", "金额": "amount_yuan"}
DATE_PATTERN: Final = re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$")
DATES_ALLOWED: Final = "2020-03-01, 2020/3/1 or 2020年3月1日 (a day that exists)"
_DECIMAL: Final = re.compile(r"^\+?(\d+(\.\d*)?|\.\d+)$")
_WHOLE: Final = re.compile(r"^\d+$")


def fact_key(raw: object) -> str | None:
    """The canonical key of a key as given (canonical, Chinese, any case, spaces around); None when unknown."""
    text = str(raw).strip()
    return KEY_SPELLINGS.get(text) or KEY_SPELLINGS.get(text.lower())


def closest_key(raw: object) -> str | None:
    """`'学历' (degree)` for a key that looks like a misspelt fact ('学 历', 'degre'); None otherwise."""
    squeezed = "".join(str(raw).split())
    key = fact_key(squeezed)
    if key is not None:
        return f"{squeezed!r} ({key})"
    found = difflib.get_close_matches(squeezed.lower(), list(KEY_SPELLINGS), n=1, cutoff=0.75)
    if not found:
        return None
    key = KEY_SPELLINGS[found[0]]
    return f"{found[0]!r}" + ("" if found[0] == key else f" ({key})")


def fact_value(spec: FieldSpec, raw: object) -> Any:
    """One fact's value as given -> its canonical value, or None when unknown; Misspelt when not allowed."""
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
    return _PARSERS[spec.kind](spec, raw)


def choice(spec: FieldSpec, raw: object) -> str:
    """A value of a closed set, by code, Chinese spelling or English name, in any case."""
    code = spec.spelling_table.get(raw.strip().lower()) if isinstance(raw, str) else None
    if code is None:
        raise Misspelt(f"not an allowed value; allowed: {spec.allowed}")
    return code


def yes_no(spec: FieldSpec, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    meaning = BOOLEAN_WORDS.get(raw.strip().lower()) if isinstance(raw, str) else None
    if meaning is None:
        raise Misspelt(f"not a yes/no value; allowed: {YES_NO_ALLOWED}")
    return meaning


def number(spec: FieldSpec, raw: object) -> float:
    """A plain decimal number within the fact's bounds (exponents, infinities and NaN refused)."""
    value: float | None = None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except OverflowError:  # an integer too large for a float
            value = None
    elif isinstance(raw, str) and _DECIMAL.match(raw.strip()):
        value = float(raw.strip())
    minimum = spec.minimum if spec.minimum is not None else 0
    if value is None or not math.isfinite(value) or value < minimum:
        raise Misspelt(f"not a number; allowed: a number greater than or equal to {minimum:g}")
    return value


def day(spec: FieldSpec, raw: object) -> date:
    """A date in one of the documented spellings (or a date a YAML or Excel reader gave)."""
    if isinstance(raw, datetime):
        if raw.time() == datetime.min.time():
            return raw.date()
    elif isinstance(raw, date):
        return raw
    elif isinstance(raw, str):
        match = DATE_PATTERN.match(raw.strip())
        if match:
            year, month, day_of_month = (int(part) for part in match.groups())
            try:
                return date(year, month, day_of_month)
            except ValueError:
                pass
    raise Misspelt(f"not a date; allowed: {DATES_ALLOWED}")


def text(spec: FieldSpec, raw: object) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    raise Misspelt("not text")


def codes(spec: FieldSpec, raw: object) -> tuple[str, ...]:
    """A list of codes, or one text of codes separated by ; ； , ，; 无 or none: known to be none."""
    if isinstance(raw, str):
        if raw.strip().lower() in EXPLICIT_NONE:
            return ()
        items: Iterable[object] = CODE_SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise Misspelt("not a list of codes; allowed: a list, or codes separated by ';'")
    found: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Misspelt(f"not a list of codes: {item!r} is not a code")
        if item.strip():
            found.append(item.strip())
    return tuple(found)


def awards(spec: FieldSpec, raw: object) -> tuple[Any, ...]:
    """Awards as a list of records, or in the flat form; each level in any accepted spelling.

    Records (mappings) keep their amounts for the Award model to check; the flat
    form is checked here, every bad item named at once.
    """
    if isinstance(raw, str):
        if raw.strip().lower() in EXPLICIT_NONE:
            return ()
        return _flat_awards(spec, raw)
    if isinstance(raw, list | tuple):
        return tuple(_award_record(spec, item) for item in raw)
    raise Misspelt(f"not a list of awards; allowed: a list of {{level, name, amount_yuan}}, or {AWARD_FORM}")


def award_level(raw: object) -> str:
    """An award level in any accepted spelling (国家级, national, ...)."""
    return choice(FIELDS["awards"], raw)


def _award_record(spec: FieldSpec, item: object) -> object:
    if not isinstance(item, Mapping):
        return item  # the Award model says what is wrong with it
    record = {AWARD_KEYS.get(str(key), str(key)): value for key, value in item.items()}
    level = record.get("level")
    if isinstance(level, str):
        record["level"] = spec.spelling_table.get(level.strip().lower(), level.strip())
    return record


def _flat_awards(spec: FieldSpec, raw: str) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    problems: list[str] = []
    for item in (part.strip() for part in AWARD_SEPARATORS.split(raw)):
        if not item:
            continue
        level_text, colon, rest = item.replace("：", ":").partition(":")
        amount_text, _, name = rest.partition(":")
        level = spec.spelling_table.get(level_text.strip().lower())
        amount_text = amount_text.strip()
        if not colon:
            problems.append(f"{item!r}: use level:amount[:name] (an unknown amount: level::name)")
        elif level is None:
            problems.append(f"{item!r}: level not allowed; allowed: {spec.allowed}")
        elif amount_text and not _WHOLE.match(amount_text):
            problems.append(f"{item!r}: amount not a whole number of yuan ≥ 0")
        else:
            found.append({"level": level, "amount_yuan": int(amount_text) if amount_text else None, "name": name})
    if problems:
        raise Misspelt(", ".join(problems) + f" (form: {AWARD_FORM})")
    return tuple(found)


_PARSERS = {
    FieldKind.ordered: choice,
    FieldKind.choice: choice,
    FieldKind.boolean: yes_no,
    FieldKind.number: number,
    FieldKind.date: day,
    FieldKind.codes: codes,
    FieldKind.awards: awards,
    FieldKind.text: text,
}
