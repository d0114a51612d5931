"""How facts may be spelled: the one parser of keys and values for every surface.

The profile model, the batch reader (on each column's distinct cells), the
command line, what-if and compare all read keys and values here, so a spelling
accepted in one place is accepted everywhere, and refused with the same message.

- A key is its canonical name, its Chinese name or another declared spelling
  (surrounding spaces ignored; English keys in any case).
- Text is trimmed; an empty text (or null) is an unknown fact: the fact's default if it has one, as if left out.
- A value of a closed set: its code, its Chinese spellings or its English name, in any case.
- Yes/no: the words of BOOLEAN_WORDS (是/否, true/false, yes/no, y/n, 1/0, on/off, t/f).
- A date: 2020-03-01, 2020/3/1, 2020.3.1 or 2020年3月1日, a day that exists,
  from 1900 to 2200 (with a midnight time, 00:00:00, as a workbook's date cell reads).
- A number: a plain decimal (5, 4.5), within the fact's bounds and decimal places.
- An amount: whole yuan from 0 to MAX_YUAN, as a number or the text of one (5000, 5000.0, -0).
- A list (codes, awards) holds at most MAX_ITEMS items; a text at most MAX_TEXT characters.
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
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

from eligibility.errors import shown
from eligibility.facts.vocabulary import FIELDS, KEY_SPELLINGS, FieldKind, FieldSpec


class Misspelt(ValueError):
    """A value that no accepted spelling matches; the message says what is allowed, in English and Chinese."""

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.zh = zh or message


EARLIEST: Final = date(1900, 1, 1)
LATEST: Final = date(2200, 12, 31)
MAX_YUAN: Final = 1_000_000_000  # 10亿元: no single award or amount comes near it
MAX_ITEMS: Final = 100  # programmes or awards of one applicant
MAX_TEXT: Final = 200  # an identifier or an award's name


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
AWARD_FORM_ZH: Final = "级别:金额[:名称];..."
AWARD_KEYS: Final[dict[str, str]] = {"级别": "level", "名称": "name", "金额": "amount_yuan"}
# A date cell of a workbook reads as text with a midnight time: 2019-03-01 00:00:00.
DATE_PATTERN: Final = re.compile(
    r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00(?:\.0+)?)?)?$"
)
DATES_ALLOWED: Final = "2020-03-01, 2020/3/1 or 2020年3月1日 (a day that exists, from 1900 to 2200)"
DATES_ALLOWED_ZH: Final = "2020-03-01、2020/3/1 或 2020年3月1日（须为实际存在的日期，1900至2200年）"
_DECIMAL: Final = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_AMOUNT: Final = re.compile(r"^[+-]?\d+(\.\d*)?$")  # read as the number it writes: 5000, 5000.0, -0
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
# What str.strip() strips, for trimming a column of cells the same way (polars strips Unicode White_Space,
# which leaves out the separators \x1c-\x1f that Python counts as space).
WHITESPACE: Final = "".join(character for character in map(chr, range(0x3001)) if character.isspace())


def fact_key(raw: object) -> str | None:
    """The canonical key of a key as given (canonical, Chinese, any case, spaces around); None when unknown."""
    text = key_text(raw).strip()
    return KEY_SPELLINGS.get(text) or KEY_SPELLINGS.get(text.lower())


def key_text(raw: object) -> str:
    """A key as text: a key that is no text (from Python or YAML) as shown in messages, never too long to print."""
    return raw if isinstance(raw, str) else shown(raw)


def closest_key(raw: object) -> str | None:
    """`'学历' (degree)` for a key that looks like a misspelt fact ('学 历', 'degre'); None otherwise."""
    squeezed = "".join(key_text(raw).split())
    key = fact_key(squeezed)
    if key is not None:
        return f"{squeezed!r} ({key})"
    found = difflib.get_close_matches(squeezed.lower(), list(KEY_SPELLINGS), n=1, cutoff=0.75)
    if not found:
        return None
    key = KEY_SPELLINGS[found[0]]
    return f"{found[0]!r}" + ("" if found[0] == key else f" ({key})")


def fact_value(spec: FieldSpec, raw: object) -> Any:
    """One fact's value as given -> its canonical value; Misspelt when not allowed.

    Nothing (None, an empty text) is unknown: None, or the fact's default when it
    has one (an applicant is a person unless said otherwise), as when left out.
    """
    if raw is None:
        return spec.default
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return spec.default
    return _PARSERS[spec.kind](spec, raw)


def choice(spec: FieldSpec, raw: object) -> str:
    """A value of a closed set, by code, Chinese spelling or English name, in any case."""
    code = spec.spelling_table.get(raw.strip().lower()) if isinstance(raw, str) else None
    if code is None:
        raise Misspelt(f"not an allowed value; allowed: {spec.allowed}", f"不是可选的值；可选：{spec.allowed}")
    return code


def yes_no(spec: FieldSpec, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int) and raw in (0, 1):
        return bool(raw)
    meaning = BOOLEAN_WORDS.get(raw.strip().lower()) if isinstance(raw, str) else None
    if meaning is None:
        raise Misspelt(f"not a yes/no value; allowed: {YES_NO_ALLOWED}", f"不是“是/否”；可填：{YES_NO_ALLOWED}")
    return meaning


def number(spec: FieldSpec, raw: object) -> float:
    """A plain decimal number within the fact's bounds and decimal places (exponents, infinities, NaN refused)."""
    value: float | None = None
    places_written = False  # more decimal places written than the fact has
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            value = float(raw)
        except OverflowError:  # an integer too large for a float
            value = None
    elif isinstance(raw, str) and _DECIMAL.match(raw.strip()) and len(raw.strip()) <= 20:
        written = Decimal(raw.strip())  # its decimal places as written: 4.999999999999999999 is no float's 5.0
        value = float(written)
        places_written = written != round(written, spec.decimals)
    minimum = spec.minimum if spec.minimum is not None else 0
    maximum = spec.maximum if spec.maximum is not None else math.inf
    if value is None or not math.isfinite(value):
        what, what_zh = "not a number", "不是数字"
    elif not minimum <= value <= maximum:
        what, what_zh = "out of range", "超出范围"
    elif places_written or round(value, spec.decimals) != value:
        what, what_zh = "too many decimal places", "小数位数过多"
    else:
        return value
    bounds = f"greater than or equal to {minimum:g}" + (f" and at most {maximum:g}" if maximum < math.inf else "")
    places = f", with at most {spec.decimals} decimal places" if spec.decimals else ", a whole number"
    bounds_zh = f"不小于{minimum:g}" + (f"且不大于{maximum:g}" if maximum < math.inf else "")
    places_zh = f"，最多{spec.decimals}位小数" if spec.decimals else "，须为整数"
    raise Misspelt(f"{what}; allowed: a number {bounds}{places}", f"{what_zh}；应为{bounds_zh}的数{places_zh}")


def day(spec: FieldSpec, raw: object) -> date:
    """A date fact in one of the documented spellings (or a date a YAML or Excel reader gave)."""
    return as_date(raw)


def as_date(raw: object) -> date:
    """A date in one of the documented spellings, from 1900 to 2200 (a date or midnight datetime too)."""
    found: date | None = None
    if isinstance(raw, datetime):
        if raw.time() == datetime.min.time():
            found = raw.date()
    elif isinstance(raw, date):
        found = raw
    elif isinstance(raw, str):
        match = DATE_PATTERN.match(raw.strip())
        if match:
            year, month, day_of_month = (int(part) for part in match.groups())
            try:
                found = date(year, month, day_of_month)
            except ValueError:
                found = None
    if found is None or not EARLIEST <= found <= LATEST:
        raise Misspelt(f"not a date; allowed: {DATES_ALLOWED}", f"不是日期；可填：{DATES_ALLOWED_ZH}")
    return found


def text(spec: FieldSpec, raw: object) -> str:
    """Text of at most MAX_TEXT characters, or a whole number (an identifier a spreadsheet made a number)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw.bit_length() > 4 * MAX_TEXT:  # more than MAX_TEXT digits, maybe more than Python will write
            raise too_long(f"more than {MAX_TEXT}", f"超过{MAX_TEXT}")
        raw = str(raw)
    if not isinstance(raw, str):
        raise Misspelt("not text", "不是文字")
    if len(raw) > MAX_TEXT:
        raise too_long(str(len(raw)))
    if _SURROGATE.search(raw):  # no UTF-8 (a file, a roster, a JSON body) can hold it: not text
        raise Misspelt(
            "not text: holds an unpaired UTF-16 surrogate (\\ud800-\\udfff)", "不是文字：含有不成对的 UTF-16 代理码元"
        )
    return raw


def too_long(length: str, length_zh: str | None = None) -> Misspelt:
    """The refusal of a text of `length` characters, longer than MAX_TEXT."""
    return Misspelt(
        f"too long: {length} characters; allowed: at most {MAX_TEXT}",
        f"太长：{length_zh or length}个字符；最多{MAX_TEXT}个",
    )


def yuan(raw: object) -> int | None:
    """An amount in whole yuan, 0 to MAX_YUAN; None (unknown) for nothing or an empty text."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and _AMOUNT.match(raw.strip()) and len(raw.strip()) <= 20:
        written = Decimal(raw.strip())  # exact: 999999999.99999999 is no float's 1e9
        raw = int(written) if written == written.to_integral_value() else None
    if isinstance(raw, float) and raw.is_integer() and abs(raw) <= MAX_YUAN:
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_YUAN:
        return raw
    raise Misspelt(
        f"not an amount; allowed: whole yuan from 0 to {MAX_YUAN:,}", f"不是金额；应为0至{MAX_YUAN:,}的整数元"
    )


def codes(spec: FieldSpec, raw: object) -> tuple[str, ...]:
    """A list of codes, or one text of codes separated by ; ； , ，; 无 or none: known to be none."""
    if isinstance(raw, str):
        if raw.strip().lower() in EXPLICIT_NONE:
            return ()
        items: Sequence[object] = CODE_SEPARATORS.split(raw)
    elif isinstance(raw, list | tuple):
        items = raw
    else:
        raise Misspelt(
            "not a list of codes; allowed: a list, or codes separated by ';'",
            "不是代码列表；可填列表，或以“;”分隔的代码",
        )
    if len(items) > MAX_ITEMS:
        raise Misspelt(
            f"too many codes: {len(items)}; allowed: at most {MAX_ITEMS}",
            f"代码太多：{len(items)}个；最多{MAX_ITEMS}个",
        )
    found: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise Misspelt(f"not a list of codes: {shown(item)} is not a code", f"不是代码列表：{shown(item)}不是代码")
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
        if len(raw) > MAX_ITEMS:
            raise Misspelt(
                f"too many awards: {len(raw)}; allowed: at most {MAX_ITEMS}",
                f"奖项太多：{len(raw)}项；最多{MAX_ITEMS}项",
            )
        return tuple(_award_record(spec, item) for item in raw)
    raise Misspelt(
        f"not a list of awards; allowed: a list of {{level, name, amount_yuan}}, or {AWARD_FORM}",
        f"不是奖项列表；可填{{级别, 名称, 金额}}的列表，或 {AWARD_FORM_ZH}",
    )


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
    problems: list[tuple[str, str]] = []
    items = [part.strip() for part in AWARD_SEPARATORS.split(raw) if part.strip()]
    if len(items) > MAX_ITEMS:
        raise Misspelt(
            f"too many awards: {len(items)}; allowed: at most {MAX_ITEMS}",
            f"奖项太多：{len(items)}项；最多{MAX_ITEMS}项",
        )
    for item in items:
        level_text, colon, rest = item.replace("：", ":").partition(":")
        amount_text, _, name = rest.partition(":")
        level = spec.spelling_table.get(level_text.strip().lower())
        amount_text = amount_text.strip()
        if not colon:
            problems.append(
                (
                    f"{item!r}: use level:amount[:name] (an unknown amount: level::name)",
                    f"{item!r}：请按 级别:金额[:名称] 填写（金额未知：级别::名称）",
                )
            )
        elif level is None:
            problems.append(
                (
                    f"{item!r}: level not allowed; allowed: {spec.allowed}",
                    f"{item!r}：级别不在可选范围；可选：{spec.allowed}",
                )
            )
        elif len(name) > MAX_TEXT:  # as the Award model refuses a record's name
            problems.append(
                (
                    f"{item[:20]!r}…: name too long: {len(name)} characters; allowed: at most {MAX_TEXT}",
                    f"{item[:20]!r}…：名称太长：{len(name)}个字符；最多{MAX_TEXT}个",
                )
            )
        else:
            try:
                found.append({"level": level, "amount_yuan": yuan(amount_text), "name": name})
            except Misspelt:
                problems.append(
                    (
                        f"{item!r}: amount not whole yuan from 0 to {MAX_YUAN:,}",
                        f"{item!r}：金额须为0至{MAX_YUAN:,}的整数元",
                    )
                )
    if problems:
        raise Misspelt(
            ", ".join(en for en, _ in problems) + f" (form: {AWARD_FORM})",
            "，".join(zh for _, zh in problems) + f"（格式：{AWARD_FORM_ZH}）",
        )
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
