"""Validating raw text columns into typed fact columns, with one message per bad cell.

Every cell is read by the same spelling rules as a profile (facts/spelling.py):
rosters repeat a few spellings over and over, so each column's distinct cells
are parsed once, in Python, and every row looks its value and problem up in that
small table (`CheckedSpellings` keeps the tables from chunk to chunk). A bad cell
never stops anything: it becomes a message in the row's `error` column, worded
as the profile words it: `header (key): 'value': what is allowed`.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import Any, Final

import polars as pl

from eligibility.facts import spelling
from eligibility.facts.consistency import contradiction_columns
from eligibility.facts.profile import Registries
from eligibility.facts.vocabulary import FIELDS, FieldKind, FieldSpec

ERROR = "error"
ERROR_ZH = "error_zh"  # the same problems, worded in Chinese
RECORD_PROBLEM = "__record_problem"  # a line that is no row (blank, wrong field count): see reading.py
RECORD_PROBLEM_ZH = "__record_problem_zh"
ROW_NUMBER = "__row_number"  # the row as a spreadsheet shows it (a text file's line, a sheet's row)
REGION = "__region"  # in a scored chunk: the region of the row (null for an error row)

AWARD_LEVEL: Final = pl.Enum(list(FIELDS["awards"].codes))
AWARD: Final = pl.Struct({"level": AWARD_LEVEL, "amount_yuan": pl.Int64})

Checked = tuple[Any, str | None, str | None]  # a cell's value (None: unknown or bad) and its problem, en and zh


def column_key(header: str) -> str | None:
    """The canonical key of a column header (English key in any case, or Chinese name); None when unknown."""
    return spelling.fact_key(header)


def dtype_of(spec: FieldSpec) -> pl.DataType:
    """The dtype of a fact's column after validation (text where the loaded packs may add values)."""
    if spec.kind in (FieldKind.ordered, FieldKind.choice):
        return pl.String() if spec.extensible else pl.Enum(list(spec.codes))
    return {
        FieldKind.boolean: pl.Boolean(),
        FieldKind.number: pl.Float64(),
        FieldKind.date: pl.Date(),
        FieldKind.codes: pl.List(pl.String),
        FieldKind.awards: pl.List(AWARD),
        FieldKind.text: pl.String(),
    }[spec.kind]


def parse_cell(spec: FieldSpec, cell: str, registries: Registries) -> Any:
    """A cell read as a profile's value is (facts/profile.py): codes of the loaded packs through their registries."""
    registry = registries.get(spec.key)
    if registry is not None and spec.extensible and cell.strip():
        return registry.resolve(cell)
    value = spelling.fact_value(spec, cell)
    if registry is None or spec.kind is not FieldKind.codes or not value:
        return value
    codes = []
    for code in value:
        try:
            codes.append(registry.resolve(code))
        except spelling.Misspelt as error:
            if len(value) == 1:
                raise
            raise spelling.Misspelt(f"{code!r}: {error}", f"{code!r}：{error.zh}") from None
    return tuple(codes)


def check_cell(spec: FieldSpec, cell: str, registries: Registries) -> Checked:
    """One distinct cell: its value in the column's dtype, or the problem (without the column's name)."""
    try:
        value = parse_cell(spec, cell, registries)
    except spelling.Misspelt as error:
        return None, f"'{cell.strip()}': {error}", f"'{cell.strip()}'：{error.zh}"
    if spec.kind is FieldKind.awards and value is not None:
        value = [{"level": award["level"], "amount_yuan": award["amount_yuan"]} for award in value]
    elif spec.kind is FieldKind.codes and value is not None:
        value = list(value)
    return value, None, None


class CheckedSpellings:
    """The distinct cells checked so far in a run, per column, shared by its chunks (and threads).

    A column with very many distinct cells stops being remembered, so memory stays flat.
    """

    LIMIT: Final = 200_000

    def __init__(self, registries: Registries | None = None) -> None:
        self.registries: Registries = registries or {}
        self._tables: dict[str, dict[str, Checked]] = {}
        self._lock = threading.Lock()

    def allowed(self, spec: FieldSpec) -> str:
        """The allowed values of a fact, those of the loaded packs included."""
        registry = self.registries.get(spec.key)
        return registry.allowed if spec.extensible and registry is not None else spec.allowed

    def checked(self, key: str, cells: list[str]) -> dict[str, Checked]:
        """The check of each of `cells` (and of others seen before)."""
        spec = FIELDS[key]
        with self._lock:
            known = self._tables.get(key, {})
        fresh = {cell: check_cell(spec, cell, self.registries) for cell in cells if cell not in known}
        if not fresh:
            return known
        table = {**known, **fresh}
        with self._lock:
            if len(table) <= self.LIMIT:
                self._tables[key] = table
        return table


def validate(
    raw: pl.DataFrame, headers: dict[str, str], as_of: date, remembered: CheckedSpellings | None = None
) -> pl.DataFrame:
    """Raw text columns (named by canonical key) -> typed fact columns and an `error` column.

    `headers` maps each canonical key present to the header the file used, so
    messages name the column as the user sees it. Absent columns are unknown.
    Facts that contradict each other at `as_of` (facts/consistency.py) are errors too.
    """
    remembered = remembered or CheckedSpellings()
    raw = raw.with_columns(pl.col(key).cast(pl.String) for key in raw.columns if key in FIELDS)
    parsed = [key for key in FIELDS if key in raw.columns and FIELDS[key].kind is not FieldKind.text]
    distinct = raw.select(pl.col(key).drop_nulls().unique(maintain_order=True).implode() for key in parsed)
    positions: list[pl.Expr] = []
    values: list[pl.Expr] = []
    problems: list[tuple[pl.Expr, pl.Expr]] = []  # (English, Chinese)
    for key, spec in FIELDS.items():
        header = headers.get(key, key)
        dtype = dtype_of(spec)
        if key not in raw.columns:
            values.append(pl.lit(spec.default, dtype=dtype).alias(key))
            if key == "region":
                allowed = remembered.allowed(spec)
                problems.append(
                    (
                        pl.lit(f"region: required (no region/地区 column); allowed: {allowed}"),
                        pl.lit(f"地区：必填（没有“地区”列）；可选：{allowed}"),
                    )
                )
            continue
        problem: tuple[pl.Expr, pl.Expr] | None = None
        value: pl.Expr
        if spec.kind is FieldKind.text:  # every cell differs (an id): checked over the column, as spelling.text
            text = pl.col(key).str.strip_chars(spelling.WHITESPACE)
            value = pl.when(text != "").then(text)
            longest = raw.get_column(key).str.len_bytes().max()
            if isinstance(longest, int) and longest > spelling.MAX_TEXT:  # bytes >= characters: else none is too long
                long = text.str.len_chars() > spelling.MAX_TEXT
                value = pl.when((text != "") & ~long).then(text)
                problem = _too_long(text, long, header, key)
        else:
            cells = distinct.get_column(key)[0].to_list()
            table = remembered.checked(key, cells)
            value, problem = _looked_up(key, cells, table, dtype, header, positions)
        if key == "region":
            missing = value.is_null() & pl.col(key).str.strip_chars(spelling.WHITESPACE).fill_null("").eq("")
            allowed = remembered.allowed(spec)
            found = problem or (pl.lit(None, pl.String), pl.lit(None, pl.String))
            where, where_zh = (header, header) if header == key else (f"{header} ({key})", f"{header}（{key}）")
            problem = (
                pl.when(missing).then(pl.lit(f"{where}: required; allowed: {allowed}")).otherwise(found[0]),
                pl.when(missing).then(pl.lit(f"{where_zh}：必填；可选：{allowed}")).otherwise(found[1]),
            )
        if spec.default is not None:
            value = value.fill_null(pl.lit(spec.default, dtype=dtype))
        values.append(value.cast(dtype).alias(key))
        if problem is not None:
            problems.append(problem)
    error = _joined([english for english, _ in problems], "; ")
    error_zh = _joined([chinese for _, chinese in problems], "；")
    if RECORD_PROBLEM in raw.columns:  # its cells are not where the header says: only the line's problem
        error = pl.coalesce(pl.col(RECORD_PROBLEM), error)
        error_zh = pl.coalesce(pl.col(RECORD_PROBLEM_ZH), error_zh)
    staged = raw.with_columns(positions) if positions else raw
    numbered = [ROW_NUMBER] if ROW_NUMBER in raw.columns else []
    typed = staged.with_columns(*values, error.alias(ERROR), error_zh.alias(ERROR_ZH)).select(
        *numbered, *FIELDS, ERROR, ERROR_ZH
    )
    contradicting = contradiction_columns(as_of, headers)  # over the typed facts: codes, dates and numbers
    return typed.with_columns(
        _joined([pl.col(ERROR), *(pair[0] for pair in contradicting)], "; ").alias(ERROR),
        _joined([pl.col(ERROR_ZH), *(pair[1] for pair in contradicting)], "；").alias(ERROR_ZH),
    )


def _too_long(text: pl.Expr, long: pl.Expr, header: str, key: str) -> tuple[pl.Expr, pl.Expr]:
    """The problem (English, Chinese) of a text cell longer than spelling.MAX_TEXT, worded as spelling.text's."""
    where, where_zh = (header, header) if header == key else (f"{header} ({key})", f"{header}（{key}）")
    length = text.str.len_chars().cast(pl.String)
    refused = spelling.too_long("{}")
    return (
        pl.when(long).then(pl.format(f"{where}: '{{}}': {refused}", text, length)),
        pl.when(long).then(pl.format(f"{where_zh}：'{{}}'：{refused.zh}", text, length)),
    )


def _joined(problems: list[pl.Expr], separator: str) -> pl.Expr:
    if len(problems) == 1:  # often only region can be wrong: its message, or null, as it is
        return problems[0]
    joined = pl.concat_str(problems, separator=separator, ignore_nulls=True) if problems else pl.lit(None, pl.String)
    return pl.when(joined != "").then(joined)


def _looked_up(
    key: str,
    cells: list[str],
    table: dict[str, Checked],
    dtype: pl.DataType,
    header: str,
    positions: list[pl.Expr],
) -> tuple[pl.Expr, tuple[pl.Expr, pl.Expr] | None]:
    """The value and problem (English, Chinese) of each row, looked up from the checks of the column's distinct cells.

    A column none of whose cells is wrong has no problem expression at all.
    """
    if not cells:
        return pl.lit(None, dtype), None
    checks = [table[cell] for cell in cells]
    found = pl.Series([value for value, _, _ in checks], dtype=dtype)
    where, where_zh = (header, header) if header == key else (f"{header} ({key})", f"{header}（{key}）")
    english = pl.Series([None if text is None else f"{where}: {text}" for _, text, _ in checks], dtype=pl.String)
    chinese = pl.Series([None if text is None else f"{where_zh}：{text}" for _, _, text in checks], dtype=pl.String)
    spellings = pl.Series(cells, dtype=pl.String)
    if isinstance(dtype, pl.List):  # list values: look up a position, then gather
        position = f"__position_{key}"
        numbers = pl.int_range(0, len(cells), dtype=pl.UInt32, eager=True)
        positions.append(pl.col(key).replace_strict(spellings, numbers, default=None).cast(pl.UInt32).alias(position))
        value = pl.lit(found).gather(pl.col(position))
        problem = (pl.lit(english).gather(pl.col(position)), pl.lit(chinese).gather(pl.col(position)))
    else:
        value = pl.col(key).replace_strict(spellings, found, default=None, return_dtype=dtype)
        problem = (
            pl.col(key).replace_strict(spellings, english, default=None, return_dtype=pl.String),
            pl.col(key).replace_strict(spellings, chinese, default=None, return_dtype=pl.String),
        )
    return value, None if english.null_count() == len(english) else problem
