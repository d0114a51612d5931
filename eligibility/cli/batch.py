"""`eligibility batch`: score a whole roster (CSV or .xlsx) into CSV, JSONL, Parquet or .xlsx."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer

from eligibility.cli.common import (
    EXIT_BAD_INPUT,
    AsOfOption,
    LanguageOption,
    RulesOption,
    fail,
    parse_as_of,
    parse_language,
    user_errors,
)
from eligibility.errors import Problem
from eligibility.presentation.labels import Language

if TYPE_CHECKING:  # polars stays unimported until a batch runs
    from eligibility.batch import BatchOptions, BatchSummary
    from eligibility.packs.catalogue import Catalogue

EXIT_ROWS_WITH_ERRORS = 1
EXIT_INTERRUPTED = 130  # as a shell reports a job stopped by Ctrl-C


def batch(
    input: Annotated[
        Path, typer.Argument(metavar="INPUT", help="Roster: .csv (UTF-8, UTF-8 with BOM, GB18030/GBK) or .xlsx.")
    ],
    out: Annotated[Path, typer.Option("--out", metavar="OUTPUT", help="Output file: .xlsx, .csv, .jsonl or .parquet.")],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="xlsx or csv (for people: names and amounts in --lang), jsonl, parquet or ids (CSV of stable ids, "
            "for programs) (default: from --out's extension).",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option("--encoding", help="Encoding of a text input, e.g. gb18030, utf-16 (default: detected)."),
    ] = None,
    sheet: Annotated[
        str | None,
        typer.Option(
            "--sheet", help="The workbook's sheet, by name or number from 1 (default: the first with a header)."
        ),
    ] = None,
    header_row: Annotated[
        int | None,
        typer.Option(
            "--header-row",
            help="The header's row as the spreadsheet numbers it (default: the first row naming the facts).",
            min=1,
        ),
    ] = None,
    output_encoding: Annotated[
        str | None,
        typer.Option(
            "--output-encoding", help="Encoding of a CSV output (default: utf-8-sig, which Excel opens; or gb18030)."
        ),
    ] = None,
    as_of: AsOfOption = None,
    rules: RulesOption = None,
    lang: LanguageOption = None,
    summary_json: Annotated[
        Path | None, typer.Option("--summary-json", help="Also write the summary as JSON to this file.")
    ] = None,
    fail_on_error: Annotated[
        bool, typer.Option("--fail-on-error", help="Exit 1 when any row is bad (default: exit 0, errors reported).")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress bar and no summary on the terminal.")] = False,
) -> None:
    """Score every row of a roster: one output row per input row, in input order.

    .xlsx and .csv are for people, in --lang: the row, the id and the roster's
    own columns (姓名, 部门 ...), the status, the total, one column per benefit
    (its amount, or 可享受 / 需补充信息 / ...), and each bad row's problems;
    a workbook adds summary, region and error sheets. jsonl, parquet and
    --format ids keep stable columns for programs: row, id, status (ok |
    error), total_cash_yuan, granted, needs_info, proposed, superseded
    (benefit ids, ';'-separated), error, error_zh, then the roster's columns.

    Example:

        eligibility batch 人才名单.xlsx --out 结果.xlsx --lang zh --summary-json summary.json

        eligibility batch roster.csv --out scored.jsonl --as-of 2025-06-01
    """
    language = parse_language(lang)
    evaluation_date = parse_as_of(as_of)
    if input.resolve() == out.resolve():
        fail([Problem("--out", "must not be the input file", str(out))])
    # polars' allocator (jemalloc) keeps freed pages for reuse by the next chunk instead of
    # handing them back to the system at once: a large roster spends less time in page
    # faults. Read when polars is first imported, just below; a setting of the user's wins.
    os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:5000,muzzy_decay_ms:5000")
    flags = {
        "output": "--out",
        "format": "--format",
        "encoding": "--encoding",
        "sheet": "--sheet",
        "output_encoding": "--output-encoding",
    }
    with user_errors(flags=flags | {"header_row": "--header-row"}, language=language):
        from eligibility.batch import BatchOptions
        from eligibility.packs.catalogue import Catalogue

        catalogue = Catalogue.from_directory(rules)
        options = BatchOptions(
            input=input,
            output=out,
            as_of=evaluation_date,
            format=format,
            encoding=encoding,
            sheet=sheet,
            header_row=header_row,
            language=language,
            output_encoding=output_encoding,
        )
        previous = signal.signal(signal.SIGTERM, _interrupt)  # a stopped job cleans up as Ctrl-C does
        try:
            summary = _run(options, catalogue, language, quiet)
        except KeyboardInterrupt:
            message = "中断：未写入输出文件" if language == "zh" else "interrupted: no output written"
            typer.echo(f"{message} ({out})", err=True)
            raise typer.Exit(code=EXIT_INTERRUPTED) from None
        finally:
            signal.signal(signal.SIGTERM, previous)
    for notice in summary.notices:  # even with --quiet: a column left unused changes the results
        typer.echo(f"{'提示' if language == 'zh' else 'notice'}: {notice.text(language)}", err=True)
    if summary_json is not None:
        try:
            summary_json.write_text(json.dumps(summary.as_json(), ensure_ascii=False, indent=2) + "\n", "utf-8")
        except OSError as error:
            fail([Problem("--summary-json", f"cannot write: {error}", str(summary_json))], EXIT_BAD_INPUT)
    if not quiet:
        for line in summary.lines(language):
            typer.echo(line)
    if fail_on_error and summary.errors:
        raise typer.Exit(code=EXIT_ROWS_WITH_ERRORS)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _run(options: BatchOptions, catalogue: Catalogue, language: Language, quiet: bool) -> BatchSummary:
    """The run, with a progress bar on a terminal."""
    from eligibility.batch import run_batch

    if quiet or not sys.stderr.isatty():
        return run_batch(options, catalogue)
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("{task.completed:,.0f} " + ("行" if language == "zh" else "rows")),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("batch", total=None, rate="")

        def advance(rows: int) -> None:
            bar.advance(task, rows)
            elapsed = bar.tasks[task].elapsed or 0.0
            done = bar.tasks[task].completed
            per_second = "行/秒" if language == "zh" else "rows/s"
            bar.update(task, rate=f"{done / elapsed:,.0f} {per_second}" if elapsed > 0 else "")

        return run_batch(options, catalogue, advance)
