"""What a scored roster looks like: stable ids for programs, names and words for people.

The ids layout (JSONL, Parquet, `--format ids`) keeps the columns programs rely
on: row, id, status, total_cash_yuan, the benefit ids of each status, error and
error_zh, then the roster's own columns. The readable layout (CSV and .xlsx) is
for the officer who hands the result on, in Chinese or English: the row, the
id and the roster's own columns (姓名, 部门 ...) beside it, the status in words,
the total, one column per benefit of the regions in the roster (its name as
heading; its amount, or 可享受 / 需补充信息 / 拟设立 / 被更高档替代), and the
problems of a bad row. Amounts are in 万元 in Chinese, in yuan in English.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import polars as pl

from eligibility.batch.columns import ERROR, ERROR_ZH
from eligibility.batch.evaluator import benefit_amount, benefit_minimum, benefit_status
from eligibility.evaluation.outcome import GRANTED, NEEDS_INFO, PROPOSED, STATUS_NAMES, SUPERSEDED
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.schema import Rule
from eligibility.presentation.labels import Language, label, words

ROW: Final = "row"
IDS_COLUMNS: Final = ("row", "id", "status", "total_cash_yuan", *STATUS_NAMES.values(), ERROR, ERROR_ZH)
Style = Literal["text", "integer", "amount"]


@dataclass(frozen=True)
class Column:
    """One column of the readable layout: its heading, and each row's number (when a number) or text."""

    heading: str
    text: pl.Expr  # String; null for an empty cell
    number: pl.Expr | None = None  # String of a decimal number; where not null, the cell is this number
    style: Style = "text"
    width: int = 12
    trusted: bool = False  # the text is the layout's own words or digits: nothing in it to escape


def ids_frame(scored: pl.DataFrame, carried: Sequence[str]) -> pl.DataFrame:
    """The ids layout of a scored chunk (the roster's own columns last)."""
    return scored.select(*IDS_COLUMNS, *carried)


def amount_in(language: Language, yuan: pl.Expr) -> pl.Expr:
    """An amount as the number a reader of `language` counts in: yuan in English, 万元 (exact decimals) in Chinese."""
    if language == "en":
        return yuan.cast(pl.String)
    whole = (yuan // 10_000).cast(pl.String)
    rest = (yuan % 10_000).cast(pl.String).str.zfill(4).str.strip_chars_end("0")
    return pl.when(rest == "").then(whole).otherwise(whole + pl.lit(".") + rest)


def readable_columns(
    catalogue: Catalogue, benefits: Sequence[tuple[str, Rule]], carried: Sequence[str], language: Language
) -> list[Column]:
    """The readable layout's columns for a roster whose regions hold `benefits` (region, rule), in pack order."""

    def say(key: str) -> str:
        return label(key, language)

    unit = "（万元）" if language == "zh" else " (yuan)"
    columns = [
        Column(say("row_heading"), pl.col(ROW).cast(pl.String), pl.col(ROW).cast(pl.String), "integer", 8, True),
        Column(say("id"), pl.col("id"), width=12),
        *(Column(name, pl.col(name), width=12) for name in carried),
        Column(
            say("status"),
            pl.when(pl.col("status") == "ok").then(pl.lit(say("row_ok"))).otherwise(pl.lit(say("row_error"))),
            width=8,
            trusted=True,
        ),
        Column(
            say("total") + unit,
            pl.lit(None, pl.String),
            amount_in(language, pl.col("total_cash_yuan")),
            "amount",
            16,
            True,
        ),
    ]
    names = Counter(words(rule.name, language) for _, rule in benefits)
    for region, rule in benefits:
        name = words(rule.name, language)
        if names[name] > 1:  # the same name in two regions: say whose
            name += f"（{words(catalogue.region_codes.by_code[region].name, language)}）"
        columns.append(_benefit_column(rule, name, language))
    problems = ERROR_ZH if language == "zh" else ERROR
    columns.append(Column(say("error_heading"), pl.col(problems), width=40))
    return columns


def _benefit_column(rule: Rule, heading: str, language: Language) -> Column:
    """A benefit's column: its amount where granted with a known amount, else its status in words."""
    status, yuan = pl.col(benefit_status(rule.id)), pl.col(benefit_amount(rule.id))
    minimum = pl.col(benefit_minimum(rule.id)) if rule.amount is not None else pl.lit(False)
    exact = (status == GRANTED) & yuan.is_not_null()
    at_least = exact & minimum.fill_null(False)
    unit = "万元" if language == "zh" else " yuan"
    text = (
        pl.when(at_least)
        .then(pl.lit(label("at_least", language)) + amount_in(language, yuan) + pl.lit(unit))
        .when(status == GRANTED)
        .then(pl.lit(label("benefit_granted", language)))
        .when(status == NEEDS_INFO)
        .then(pl.lit(label("benefit_needs_info", language)))
        .when(status == PROPOSED)
        .then(pl.lit(label("benefit_proposed", language)))
        .when(status == SUPERSEDED)
        .then(pl.lit(label("benefit_superseded", language)))
    )
    number = pl.when(exact & ~at_least).then(amount_in(language, yuan)) if rule.kind == "cash" else None
    return Column(heading, text, number, "amount" if number is not None else "text", 14, trusted=True)


def rendered(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """The readable cells of a scored chunk, as text (a number's text where the cell is a number)."""
    return frame.select(
        (pl.coalesce(column.number, column.text) if column.number is not None else column.text).alias(f"c{index}")
        for index, column in enumerate(columns)
    )
