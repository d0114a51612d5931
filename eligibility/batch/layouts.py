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
from eligibility.batch.summary import BatchSummary
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
    region: str | None = None  # only rows of this region can fill it (a benefit's column)


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
        columns.append(_benefit_column(region, rule, name, language))
    problems = ERROR_ZH if language == "zh" else ERROR
    columns.append(Column(say("error_heading"), pl.col(problems), width=40))
    return columns


def _benefit_column(region: str, rule: Rule, heading: str, language: Language) -> Column:
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
    return Column(heading, text, number, "amount" if number is not None else "text", 14, True, region)


def rendered(frame: pl.DataFrame, columns: Sequence[Column]) -> pl.DataFrame:
    """The readable cells of a scored chunk, as text (a number's text where the cell is a number)."""
    return frame.select(
        (pl.coalesce(column.number, column.text) if column.number is not None else column.text).alias(f"c{index}")
        for index, column in enumerate(columns)
    )


@dataclass(frozen=True)
class SummarySheet:
    """A sheet of a workbook's summary: its name, columns and rows (a small frame)."""

    name: str
    columns: list[Column]
    rows: pl.DataFrame
    filtered: bool = True


def summary_sheets(
    summary: BatchSummary, catalogue: Catalogue, regions: Sequence[str], language: Language
) -> list[SummarySheet]:
    """The sheets after the results: per benefit (people granted, needing information, known cash), per region
    (rows, known cash) in `regions` order, and what the run was (date, rules, input, counts)."""

    def say(key: str) -> str:
        return label(key, language)

    region_name = {code.code: words(code.name, language) for code in catalogue.region_codes}
    benefits = [tally for tally in summary.benefits.values() if tally.granted or tally.needs_info]
    per_benefit = pl.DataFrame(
        {
            "region": [region_name.get(tally.region, tally.region) for tally in benefits],
            "benefit": [tally.name_zh if language == "zh" else tally.name_en for tally in benefits],
            "granted": [tally.granted for tally in benefits],
            "needs_info": [tally.needs_info for tally in benefits],
            "cash": [tally.cash_yuan if tally.cash else None for tally in benefits],
        },
        schema={
            "region": pl.String,
            "benefit": pl.String,
            "granted": pl.Int64,
            "needs_info": pl.Int64,
            "cash": pl.Int64,
        },
    )
    tallies = [summary.regions[code] for code in regions]
    per_region = pl.DataFrame(
        {
            "region": [region_name.get(tally.region, tally.region) for tally in tallies],
            "rows": [tally.rows for tally in tallies],
            "cash": [tally.cash_yuan for tally in tallies],
        },
        schema={"region": pl.String, "rows": pl.Int64, "cash": pl.Int64},
    )
    about = pl.DataFrame(
        {
            "what": [say("as_of"), say("rules_version"), say("input_file"), say("rows"), say("rows_with_errors")],
            "value": [summary.as_of, summary.rules_version, summary.input, str(summary.rows), str(summary.errors)],
        }
    )
    region = Column(say("region"), pl.col("region"), width=14)
    return [
        SummarySheet(
            say("sheet_summary"),
            [
                region,
                Column(say("benefit"), pl.col("benefit"), width=36),
                _count(say("granted_count"), "granted"),
                _count(say("needs_info_count"), "needs_info"),
                _cash(language),
            ],
            per_benefit,
        ),
        SummarySheet(say("sheet_regions"), [region, _count(say("rows"), "rows"), _cash(language)], per_region),
        SummarySheet(
            say("sheet_about"),
            [Column(say("item"), pl.col("what"), width=16), Column(say("value"), pl.col("value"), width=40)],
            about,
            filtered=False,
        ),
    ]


def error_columns(language: Language) -> list[Column]:
    """The errors sheet: each bad row's number, id and every problem."""
    problems = ERROR_ZH if language == "zh" else ERROR
    return [
        Column(
            label("row_heading", language), pl.col(ROW).cast(pl.String), pl.col(ROW).cast(pl.String), "integer", 8, True
        ),
        Column(label("id", language), pl.col("id"), width=14),
        Column(label("error_heading", language), pl.col(problems), width=100),
    ]


def _count(heading: str, name: str) -> Column:
    return Column(heading, pl.lit(None, pl.String), pl.col(name).cast(pl.String), "integer", 12, True)


def _cash(language: Language) -> Column:
    heading = label("cash_total", language) + ("（万元）" if language == "zh" else " (yuan)")
    return Column(heading, pl.lit(None, pl.String), amount_in(language, pl.col("cash")), "amount", 16, True)
