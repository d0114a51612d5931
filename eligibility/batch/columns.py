"""Validating raw text columns into typed fact columns, with one message per bad cell.

Every rule of the profile (eligibility/profile.py) is restated here on whole
columns: trimmed text, an empty cell is unknown, Chinese and English aliases,
yes/no words, three date spellings, list fields in a flat form. A bad cell
never stops anything: it becomes a message in the row's `error` column.

Flat forms of the list fields (one cell each):
- programmes (人才计划): codes separated by `;` (also `；`, `,`, `，`), e.g. `tuofeng;tianshan`.
- awards (奖项): items `level:amount[:name]` separated by `;` (also `；`), e.g.
  `national:200000:国家科技进步奖;district:5000`; an empty amount (`national::name`)
  is an award whose amount is unknown.
In both, `无` or `none` says "known to be none"; an empty cell is unknown.
"""

from __future__ import annotations

import functools
import threading
from typing import Final

import polars as pl

from eligibility.vocabulary import AWARD_LEVELS, BOOLEAN_WORDS, FIELDS, ZH_KEY_TO_KEY, FieldKind

ERROR = "error"
RECORD_PROBLEM = "__record_problem"  # a line that is no row (blank, wrong field count): see reading.py
EXPLICIT_NONE: Final = ("无", "none")
# pydantic's lax booleans, accepted by the profile beyond the vocabulary's words
_PYDANTIC_BOOLEAN_WORDS: Final = {"on": True, "off": False, "t": True, "f": False}
_DATE_PATTERN: Final = r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$"
_DEFAULTS: Final = {"applicant_kind": "person"}


def lowercase_aliases(values: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """Every spelling, lower-cased -> canonical (the profile looks up the value, then its lower case)."""
    table: dict[str, str] = {}
    for canonical, aliases in values.items():
        for spelling in (canonical, *aliases):
            table[spelling.lower()] = canonical
    return table


def allowed_values(values: dict[str, tuple[str, ...]]) -> str:
    return ", ".join(f"{value} ({'/'.join(aliases)})" if aliases else value for value, aliases in values.items())


def enum_of(key: str) -> pl.Enum:
    return pl.Enum(list(FIELDS[key].values))


AWARD_LEVEL: Final = pl.Enum(list(AWARD_LEVELS))
AWARD: Final = pl.Struct({"level": AWARD_LEVEL, "amount_yuan": pl.Int64})


def column_key(header: str) -> str | None:
    """The canonical key of a column header (English key or Chinese name); None when unknown."""
    name = header.strip()
    if name in FIELDS:
        return name
    if name.lower() in FIELDS:
        return name.lower()
    return ZH_KEY_TO_KEY.get(name)


def typed_schema() -> dict[str, pl.DataType]:
    """The dtype of every fact column after validation."""
    schema: dict[str, pl.DataType] = {}
    for key, spec in FIELDS.items():
        if spec.kind in (FieldKind.ordered, FieldKind.choice):
            schema[key] = enum_of(key)
        elif spec.kind is FieldKind.boolean:
            schema[key] = pl.Boolean()
        elif spec.kind is FieldKind.number:
            schema[key] = pl.Float64()
        elif spec.kind is FieldKind.date:
            schema[key] = pl.Date()
        elif spec.kind is FieldKind.codes:
            schema[key] = pl.List(pl.String)
        elif spec.kind is FieldKind.awards:
            schema[key] = pl.List(AWARD)
        else:
            schema[key] = pl.String()
    return schema


def _quoted(text: pl.Expr) -> pl.Expr:
    return pl.lit("'") + text + pl.lit("'")


def _problem(header: str, key: str, raw: pl.Expr, message: str) -> pl.Expr:
    """`header (key): 'value': what is allowed`, as the profile's messages read."""
    where = header if header == key else f"{header} ({key})"
    return pl.lit(f"{where}: ") + _quoted(raw) + pl.lit(f": {message}")


class CheckedSpellings:
    """The distinct spellings checked so far in a run, per column, shared by its chunks (and threads).

    Later chunks check only spellings not seen before. A column with very many
    distinct spellings stops being remembered, so memory stays flat.
    """

    LIMIT: Final = 200_000

    def __init__(self) -> None:
        self._tables: dict[str, tuple[pl.Series, pl.DataFrame]] = {}
        self._lock = threading.Lock()

    def checked(
        self, key: str, spellings: pl.Series, value: pl.Expr, checks: pl.Expr
    ) -> tuple[pl.Series, pl.DataFrame]:
        with self._lock:
            known = self._tables.get(key)
            if known is not None:
                spellings = spellings.filter(~spellings.is_in(known[0].implode()))
                if len(spellings) == 0:
                    return known
            fresh = _checked(key, spellings, value, checks)
            if known is not None:
                fresh = (pl.concat([known[0], fresh[0]]), pl.concat([known[1], fresh[1]]))
            if len(fresh[0]) <= self.LIMIT:
                self._tables[key] = fresh
            return fresh


def validate(raw: pl.DataFrame, headers: dict[str, str], remembered: CheckedSpellings | None = None) -> pl.DataFrame:
    """Raw text columns (named by canonical key) -> typed fact columns and an `error` column.

    `headers` maps each canonical key present to the header the file used, so
    messages name the column as the user sees it. Absent columns are unknown.

    Rosters repeat a few spellings over and over: the distinct cells of each
    column are checked once, in a small table, and every row looks its result
    up there (`remembered` keeps them from chunk to chunk). All columns go
    through one polars query, in parallel.
    """
    schema = typed_schema()
    raw = raw.with_columns(pl.col(key).cast(pl.String) for key in raw.columns if key in FIELDS)
    tabled = [key for key in FIELDS if key in raw.columns and FIELDS[key].kind is not FieldKind.text]
    distinct = raw.select(pl.col(key).drop_nulls().unique(maintain_order=True).implode() for key in tabled)
    positions: list[pl.Expr] = []
    values: list[pl.Expr] = []
    problems: list[pl.Expr] = []
    for key, spec in FIELDS.items():
        header = headers.get(key, key)
        if key not in raw.columns:
            values.append(pl.lit(_DEFAULTS.get(key), dtype=schema[key]).alias(key))
            if key == "region":
                problems.append(
                    pl.lit(f"region: required (no region/地区 column); allowed: {allowed_values(spec.values)}")
                )
            continue
        value, checks = _checks(key, header)
        problem: pl.Expr | None = checks
        spellings = distinct.get_column(key)[0] if key in tabled else None
        if spellings is not None and len(spellings) * 4 <= raw.height:  # else mostly distinct: no table
            if remembered is not None:
                spellings, checked = remembered.checked(key, spellings, value, checks)
            else:
                spellings, checked = _checked(key, spellings, value, checks)
            value, problem = _looked_up(key, spellings, checked, schema[key], positions)
        if key == "region":
            problem = (
                pl.when(pl.col(key).is_null())
                .then(pl.lit(f"{header}: required; allowed: {allowed_values(spec.values)}"))
                .otherwise(problem if problem is not None else pl.lit(None, pl.String))
            )
        if key in _DEFAULTS:
            value = value.fill_null(pl.lit(_DEFAULTS[key], dtype=schema[key]))
        values.append(value.cast(schema[key]).alias(key))
        if problem is not None:
            problems.append(problem)
    if len(problems) == 1:  # often only region can be wrong: its message, or null, as it is
        error = problems[0]
    else:
        joined = pl.concat_str(problems, separator="; ", ignore_nulls=True) if problems else pl.lit(None, pl.String)
        error = pl.when(joined != "").then(joined)
    if RECORD_PROBLEM in raw.columns:  # its cells are not where the header says: only the line's problem
        error = pl.coalesce(pl.col(RECORD_PROBLEM), error)
    staged = raw.with_columns(positions) if positions else raw
    return staged.with_columns(*values, error.alias(ERROR)).select(*FIELDS, ERROR)


def _checked(key: str, spellings: pl.Series, value: pl.Expr, checks: pl.Expr) -> tuple[pl.Series, pl.DataFrame]:
    """The distinct spellings of a column (reordered) and the value and problem of each.

    Dates are mostly written `2020-03-01`: those are parsed directly, and only the
    other spellings (and impossible days, for their message) go through the general
    pattern, which is many times slower.
    """
    frame = spellings.to_frame(key)
    if FIELDS[key].kind is not FieldKind.date:
        return spellings, frame.select(value.alias("value"), checks.alias("problem"))
    iso = pl.col(key).str.to_date("%Y-%m-%d", strict=False)
    plain = frame.with_columns((pl.col(key).str.contains(r"^\d{4}-\d{2}-\d{2}$") & iso.is_not_null()).alias("__plain"))
    simple = plain.filter(pl.col("__plain"))
    other = plain.filter(~pl.col("__plain"))
    checked = pl.concat(
        [
            simple.select(iso.alias("value"), pl.lit(None, pl.String).alias("problem")),
            other.select(value.alias("value"), checks.alias("problem")),
        ]
    )
    return pl.concat([simple.get_column(key), other.get_column(key)]), checked


def _looked_up(
    key: str, spellings: pl.Series, checked: pl.DataFrame, dtype: pl.DataType, positions: list[pl.Expr]
) -> tuple[pl.Expr, pl.Expr | None]:
    """The value and problem of each row, looked up from the checked distinct spellings.

    A column none of whose spellings is wrong has no problem expression at all.
    """
    if len(spellings) == 0:
        return pl.lit(None, dtype), None
    problems = checked.get_column("problem")
    if isinstance(dtype, pl.List):  # list values: look up a position, then gather
        position = f"__position_{key}"
        numbers = pl.int_range(0, len(spellings), dtype=pl.UInt32, eager=True)
        positions.append(pl.col(key).replace_strict(spellings, numbers, default=None).cast(pl.UInt32).alias(position))
        value = pl.lit(checked.get_column("value")).gather(pl.col(position))
        problem = pl.lit(problems).gather(pl.col(position))
    else:
        value = pl.col(key).replace_strict(spellings, checked.get_column("value"), default=None, return_dtype=dtype)
        problem = pl.col(key).replace_strict(spellings, problems, default=None, return_dtype=pl.String)
    return value, None if problems.null_count() == len(problems) else problem


@functools.cache
def _checks(key: str, header: str) -> tuple[pl.Expr, pl.Expr]:
    """The typing and checking expressions of one column, built once per run and reused for every chunk."""
    text = pl.col(key).str.strip_chars()
    value, problem = _field(key, FIELDS[key].kind, pl.when(text != "").then(text), header)
    return value, problem if problem is not None else pl.lit(None, pl.String)


def _field(key: str, kind: FieldKind, cell: pl.Expr, header: str) -> tuple[pl.Expr, pl.Expr | None]:
    """The typed column and its problem message (null when fine) for one field."""
    spec = FIELDS[key]
    if kind in (FieldKind.ordered, FieldKind.choice):
        value = cell.str.to_lowercase().replace_strict(
            lowercase_aliases(spec.values), default=None, return_dtype=enum_of(key)
        )
        message = f"not an allowed value; allowed: {allowed_values(spec.values)}"
        problem = pl.when(cell.is_not_null() & value.is_null()).then(_problem(header, key, cell, message))
        return value, problem
    if kind is FieldKind.boolean:
        words = {**BOOLEAN_WORDS, **_PYDANTIC_BOOLEAN_WORDS}
        value = cell.str.to_lowercase().replace_strict(words, default=None, return_dtype=pl.Boolean)
        message = "not a yes/no value; allowed: true/false, yes/no, 1/0, Y/N, 是/否"
        return value, pl.when(cell.is_not_null() & value.is_null()).then(_problem(header, key, cell, message))
    if kind is FieldKind.number:
        number = cell.cast(pl.Float64, strict=False)
        bad = cell.is_not_null() & (number.is_null() | number.is_nan() | (number < 0))
        message = "not a number of years; allowed: a number ≥ 0"
        return pl.when(~bad).then(number), pl.when(bad).then(_problem(header, key, cell, message))
    if kind is FieldKind.date:
        parts = cell.str.extract_groups(_DATE_PATTERN)
        iso = pl.format(
            "{}-{}-{}",
            parts.struct.field("1"),
            parts.struct.field("2").str.zfill(2),
            parts.struct.field("3").str.zfill(2),
        )
        day = iso.str.to_date("%Y-%m-%d", strict=False)
        message = "not a date; allowed: 2020-03-01, 2020/3/1 or 2020年3月1日 (a day that exists)"
        return day, pl.when(cell.is_not_null() & day.is_null()).then(_problem(header, key, cell, message))
    if kind is FieldKind.codes:
        codes = (
            cell.str.replace_all(r"[；,，]", ";")
            .str.split(";")
            .list.eval(pl.element().str.strip_chars())
            .list.filter(pl.element() != "")
        )
        return pl.when(cell.str.to_lowercase().is_in(EXPLICIT_NONE)).then(pl.lit([], pl.List(pl.String))).otherwise(
            codes
        ), None
    if kind is FieldKind.awards:
        return _awards(key, cell, header)
    return cell, None


def _awards(key: str, cell: pl.Expr, header: str) -> tuple[pl.Expr, pl.Expr]:
    """`level:amount[:name]` items separated by `;` -> a list of {level, amount_yuan}."""
    items = (
        cell.str.replace_all("；", ";")
        .str.replace_all("：", ":")
        .str.split(";")
        .list.eval(pl.element().str.strip_chars())
        .list.filter(pl.element() != "")
    )
    parts = pl.element().str.splitn(":", 3)
    level_text = parts.struct.field("field_0").str.strip_chars()
    amount_text = parts.struct.field("field_1").str.strip_chars()
    level = level_text.str.to_lowercase().replace_strict(
        lowercase_aliases(dict(AWARD_LEVELS)), default=None, return_dtype=AWARD_LEVEL
    )
    amount = pl.when(amount_text.str.contains(r"^\d+$")).then(amount_text.cast(pl.Int64, strict=False))
    bad_level = level.is_null()
    bad_amount = amount_text.is_not_null() & (amount_text != "") & amount.is_null()
    awards = items.list.eval(pl.struct(level.alias("level"), amount.alias("amount_yuan")))
    item_problem = (
        pl.when(bad_level)
        .then(_quoted(pl.element()) + pl.lit(f": level not allowed; allowed: {allowed_values(dict(AWARD_LEVELS))}"))
        .when(bad_amount)
        .then(_quoted(pl.element()) + pl.lit(": amount not a whole number of yuan ≥ 0"))
    )
    messages = items.list.eval(item_problem).list.drop_nulls()
    where = header if header == key else f"{header} ({key})"
    problem = pl.when(messages.list.len() > 0).then(
        pl.lit(f"{where}: ") + messages.list.join(", ") + pl.lit(" (form: level:amount[:name];...)")
    )
    explicit_none = cell.str.to_lowercase().is_in(EXPLICIT_NONE)
    return pl.when(explicit_none).then(pl.lit([], pl.List(AWARD))).otherwise(awards), pl.when(~explicit_none).then(
        problem
    )
