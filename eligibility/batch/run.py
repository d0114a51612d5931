"""One batch run: read in chunks, validate, evaluate, write; one output row per input row."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final, Protocol

import polars as pl

from eligibility.batch.columns import ERROR, ERROR_ZH, REGION, ROW_NUMBER, CheckedSpellings, validate
from eligibility.batch.evaluator import ColumnarEvaluator
from eligibility.batch.layouts import ids_frame
from eligibility.batch.reading import Roster, open_roster
from eligibility.batch.summary import BatchSummary, BenefitTally
from eligibility.batch.writing import RosterWriter, output_format
from eligibility.evaluation.outcome import STATUS_NAMES
from eligibility.packs.catalogue import Catalogue
from eligibility.presentation.labels import Language

CHUNK_BYTES: Final = 16 << 20  # about 180,000 rows of a typical roster: memory stays flat
CHUNK_ROWS: Final = 100_000  # .xlsx sheets, read whole, are cut into chunks of rows
ROW = "row"
SCORERS: Final = 2  # chunks validated and scored at once: the cores of a small machine
_GROUP = "__group"  # the region of a good row; null for a row with a bad cell
OUTPUT_SCHEMA: Final[dict[str, pl.DataType]] = {
    ROW: pl.Int64(),
    "id": pl.String(),
    "status": pl.String(),
    "total_cash_yuan": pl.Int64(),
    **{name: pl.String() for name in STATUS_NAMES.values()},
    ERROR: pl.String(),
    ERROR_ZH: pl.String(),
}


class RosterSource(Protocol):
    """Where a roster comes from when it is no file (a database): `str()` names it, never with a password."""

    def open(self, chunk_rows: int, reserved: Iterable[str]) -> AbstractContextManager[Roster]: ...


class ResultWriter(Protocol):
    """Takes the scored chunks in order (the ids layout); nothing is visible until `commit`, nothing left by `abort`."""

    def write(self, chunk: pl.DataFrame) -> None: ...

    def commit(self, columns: dict[str, pl.DataType]) -> None: ...

    def abort(self) -> None: ...


class ResultSink(Protocol):
    """Where results go when not to a file (a database table): `str()` names it, never with a password."""

    def writer(self) -> ResultWriter: ...


@dataclass(frozen=True)
class BatchOptions:
    input: Path | RosterSource
    output: Path | ResultSink
    as_of: date
    format: str | None = None
    encoding: str | None = None
    sheet: str | None = None  # a workbook's sheet, by name or number from 1 (default: the first with a header)
    header_row: int | None = None  # the header's row as a spreadsheet shows it (default: found)
    language: Language = "en"  # of the readable layouts (CSV, .xlsx)
    output_encoding: str | None = None  # of a CSV output (default: UTF-8 with a byte-order mark, for Excel)
    chunk_bytes: int = CHUNK_BYTES
    chunk_rows: int = CHUNK_ROWS


def score_chunk(
    evaluator: ColumnarEvaluator, facts: pl.DataFrame, first_row: int = 0
) -> tuple[pl.DataFrame, dict[str, tuple[int, int, int]]]:
    """Output rows of one validated chunk (input order kept) and its per-benefit tallies.

    Rows are split once by region (bad rows apart), each part scored with its
    region's rules, and the parts put back in input order. Besides the columns of
    OUTPUT_SCHEMA, a scored chunk holds ERROR_ZH and, named with a leading `__`,
    each row's region and each benefit's status, amount and minimum flag
    (batch/evaluator.py), from which the readable layouts are made.
    """
    group = pl.when(pl.col(ERROR).is_null()).then(pl.col("region").cast(pl.String)).alias(_GROUP)
    if ROW_NUMBER in facts.columns:  # the row as the reader numbered it (a text file's line, a sheet's row)
        facts = facts.rename({ROW_NUMBER: ROW}).with_columns(group)
    else:  # rows counted from `first_row`
        facts = facts.with_row_index(ROW, offset=first_row + 1).with_columns(pl.col(ROW).cast(pl.Int64), group)
    parts = []
    tallies: dict[str, tuple[int, int, int]] = {}
    for (region,), rows in facts.partition_by(_GROUP, as_dict=True, maintain_order=True).items():
        if region is None:  # rows with a bad cell
            parts.append(
                rows.select(
                    ROW,
                    "id",
                    pl.lit("error").alias("status"),
                    pl.lit(None, pl.Int64).alias("total_cash_yuan"),
                    *(pl.lit(None, pl.String).alias(name) for name in STATUS_NAMES.values()),
                    ERROR,
                    ERROR_ZH,
                    pl.lit(None, pl.String).alias(REGION),
                )
            )
            continue
        rule_frame = evaluator.rule_frame(rows, str(region))
        outcome = evaluator.outcome(rule_frame, str(region))
        parts.append(
            pl.concat(
                [
                    rows.select(ROW, "id", pl.lit("ok").alias("status")),
                    outcome,
                    rows.select(ERROR, ERROR_ZH, pl.lit(str(region)).alias(REGION)),
                    rule_frame.select(evaluator.benefit_columns(rule_frame, str(region))),
                ],
                how="horizontal",
            )
        )
        tallies.update(evaluator.tallies(rule_frame, str(region)))
    if not parts:
        return pl.DataFrame(schema={**OUTPUT_SCHEMA, REGION: pl.String()}), tallies
    schema = {**OUTPUT_SCHEMA, REGION: pl.String()}
    scored = pl.concat([part.cast(schema) for part in parts], how="diagonal_relaxed")  # type: ignore[arg-type]
    return (scored if len(parts) == 1 else scored.sort(ROW)), tallies


def read_ahead(chunks: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
    """The chunks, the next one read in a thread while the caller works on this one (polars releases the GIL)."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        upcoming = reader.submit(next, chunks, None)
        while (chunk := upcoming.result()) is not None:
            upcoming = reader.submit(next, chunks, None)
            yield chunk


def run_batch(
    options: BatchOptions, catalogue: Catalogue, progress: Callable[[int], None] | None = None
) -> BatchSummary:
    """Score every row of `options.input` into `options.output`; the summary of the run."""
    evaluator = ColumnarEvaluator(catalogue.loaded, options.as_of)
    summary = BatchSummary(
        input=str(options.input),
        output=str(options.output),
        as_of=options.as_of.isoformat(),
        rules_version=catalogue.rules_version,
        benefits={
            rule.id: BenefitTally(rule.id, rule.name.zh, rule.name.en, region, rule.kind == "cash")
            for region, pack in evaluator.packs.items()
            for rule in pack.rules
        },
    )
    format = output_format(options.output, options.format) if isinstance(options.output, Path) else None
    opened = (
        open_roster(
            options.input,
            options.chunk_bytes,
            options.chunk_rows,
            options.encoding,
            reserved=OUTPUT_SCHEMA,
            sheet=options.sheet,
            header_row=options.header_row,
        )
        if isinstance(options.input, Path)
        else options.input.open(options.chunk_rows, reserved=OUTPUT_SCHEMA)
    )
    with opened as roster:
        carried = roster.headers.carried
        summary.notices = [*roster.notices, *roster.headers.notices]
        writer: RosterWriter | _SinkWriter
        if isinstance(options.output, Path):
            assert format is not None
            writer = RosterWriter(
                options.output,
                format,
                list(carried.values()),
                options.language,
                catalogue,
                {region: pack.rules for region, pack in evaluator.packs.items()},
                options.output_encoding,
            )
        else:
            writer = _SinkWriter(options.output.writer(), list(carried.values()))
        # Chunks flow through threads (polars releases the GIL): the next chunk is read
        # while SCORERS chunks are validated and scored and the previous one is written.
        # Order is kept and only a few chunks are in flight, so memory stays flat.
        try:
            with ThreadPoolExecutor(max_workers=SCORERS) as scorers, ThreadPoolExecutor(max_workers=1) as background:
                scoring: deque[Future[tuple[pl.DataFrame, dict[str, tuple[int, int, int]]]]] = deque()
                pending: Future[None] | None = None
                first_row = 0
                remembered = CheckedSpellings(catalogue.registries)

                def score(raw: pl.DataFrame, first_row: int) -> tuple[pl.DataFrame, dict[str, tuple[int, int, int]]]:
                    scored, tallies = score_chunk(
                        evaluator, validate(raw, roster.headers.facts, options.as_of, remembered), first_row
                    )
                    if carried:  # copied unchanged after the scoring columns
                        scored = scored.hstack(
                            raw.select(pl.col(column).alias(name) for column, name in carried.items())
                        )
                    return scored, tallies

                def finish(done: Future[tuple[pl.DataFrame, dict[str, tuple[int, int, int]]]]) -> Future[None]:
                    scored, tallies = done.result()
                    if pending is not None:
                        pending.result()
                    summary.rows += scored.height
                    summary.errors += int((scored.get_column("status") == "error").sum())
                    summary.add(tallies)
                    for (region,), rows in scored.filter(pl.col(REGION).is_not_null()).group_by(REGION):
                        summary.add_region(str(region), rows.height, int(rows.get_column("total_cash_yuan").sum()))
                    if progress is not None:
                        progress(scored.height)
                    return background.submit(writer.write, scored)

                try:
                    for raw in read_ahead(roster.chunks):
                        scoring.append(scorers.submit(score, raw, first_row))
                        first_row += raw.height
                        if len(scoring) >= SCORERS:
                            pending = finish(scoring.popleft())
                    while scoring:
                        pending = finish(scoring.popleft())
                    if pending is not None:
                        pending.result()
                    writer.commit(summary)
                except BaseException:
                    in_flight: list[Future[Any]] = [*scoring, *([pending] if pending is not None else [])]
                    for future in in_flight:
                        future.cancel()
                    wait(in_flight)
                    raise
        except BaseException:  # the threads are done: nothing writes after the files are removed
            writer.abort()
            raise
    return summary


class _SinkWriter:
    """A table's writer fed the ids layout of each scored chunk (a database keeps stable column names)."""

    def __init__(self, writer: ResultWriter, carried: list[str]) -> None:
        self.writer = writer
        self.carried = carried

    def write(self, chunk: pl.DataFrame) -> None:
        self.writer.write(ids_frame(chunk, self.carried))

    def commit(self, summary: BatchSummary) -> None:
        self.writer.commit({**OUTPUT_SCHEMA, **{name: pl.String() for name in self.carried}})

    def abort(self) -> None:
        self.writer.abort()
