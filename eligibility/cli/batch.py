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
from eligibility.errors import InputError, Problem
from eligibility.presentation.labels import Language

if TYPE_CHECKING:  # polars stays unimported until a batch runs
    from eligibility.batch import BatchOptions, BatchSummary
    from eligibility.batch.database import DatabaseSource, DatabaseTarget
    from eligibility.packs.catalogue import Catalogue

EXIT_ROWS_WITH_ERRORS = 1
EXIT_INTERRUPTED = 130  # as a shell reports a job stopped by Ctrl-C


def batch(
    input: Annotated[
        Path | None,
        typer.Argument(
            metavar="INPUT",
            help="Roster: .csv or tab-separated text (UTF-8, GB18030/GBK, UTF-16), .xlsx or .xls (or --from-db).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", metavar="OUTPUT", help="Output file: .xlsx, .csv, .jsonl or .parquet (or --to-db)."),
    ] = None,
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
    from_db: Annotated[
        str | None,
        typer.Option(
            "--from-db",
            metavar="URI",
            help="Read the roster from a database: a SQLite file (path or sqlite:///path) or postgresql://user@host:port/db.",
        ),
    ] = None,
    table: Annotated[
        str | None, typer.Option("--table", metavar="T", help="With --from-db: the table (or schema.table) to read.")
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", metavar="SQL", help="With --from-db: the query whose rows are the roster.")
    ] = None,
    to_db: Annotated[
        str | None,
        typer.Option("--to-db", metavar="URI", help="Write the results to a database (URIs as for --from-db)."),
    ] = None,
    to_table: Annotated[
        str | None,
        typer.Option("--to-table", metavar="NAME", help="With --to-db: the table to write (in one transaction)."),
    ] = None,
    if_exists: Annotated[
        str,
        typer.Option("--if-exists", help="With --to-db, when the table exists: fail, replace or append."),
    ] = "fail",
) -> None:
    """Score every row of a roster: one output row per input row, in input order.

    .xlsx and .csv are for people, in --lang: the row, the id and the roster's
    own columns (姓名, 部门 ...), the status, the total, one column per benefit
    (its amount, or 可享受 / 需补充信息 / ...), and each bad row's problems;
    a workbook adds summary, region and error sheets. jsonl, parquet and
    --format ids keep stable columns for programs: row, id, status (ok |
    error), total_cash_yuan, granted, needs_info, proposed, superseded
    (benefit ids, ';'-separated), error, error_zh, then the roster's columns;
    a database table (--to-db) gets these columns too.

    A database table is written in one transaction: an interrupted run leaves
    the table as it was. A password in a URI is never printed (PGPASSWORD or
    ~/.pgpass keep it off the command line).

    Example:

    \b
        eligibility batch 人才名单.xlsx --out 结果.xlsx --lang zh --summary-json summary.json

    \b
        eligibility batch roster.csv --out scored.jsonl --as-of 2025-06-01

    \b
        eligibility batch --from-db hr.db --table 人才名单 --to-db hr.db --to-table 评定结果 --if-exists replace
    """
    language = parse_language(lang)
    evaluation_date = parse_as_of(as_of)
    fail_on(
        _misused(input, out, from_db, table, query, to_db, to_table, if_exists, format, encoding, sheet, header_row)
    )
    if input is not None and out is not None and input.resolve() == out.resolve():
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
        "header_row": "--header-row",
        "from_db": "--from-db",
        "table": "--table",
        "query": "--query",
        "to_db": "--to-db",
        "to_table": "--to-table",
        "if_exists": "--if-exists",
        "database": "--from-db" if from_db is not None else "--to-db",
    }
    with user_errors(flags=flags, language=language):
        from eligibility.batch import BatchOptions
        from eligibility.packs.catalogue import Catalogue

        catalogue = Catalogue.from_directory(rules)
        source, target = _databases(from_db, table, query, to_db, to_table, if_exists)
        roster = source if source is not None else input
        results = target if target is not None else out
        assert roster is not None and results is not None  # one of each, checked above
        options = BatchOptions(
            input=roster,
            output=results,
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
            typer.echo(f"{message} ({results})", err=True)
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


def fail_on(problems: list[Problem]) -> None:
    if problems:
        fail(problems)


def _misused(
    input: Path | None,
    out: Path | None,
    from_db: str | None,
    table: str | None,
    query: str | None,
    to_db: str | None,
    to_table: str | None,
    if_exists: str,
    format: str | None,
    encoding: str | None,
    sheet: str | None = None,
    header_row: int | None = None,
) -> list[Problem]:
    """Options that do not go together: one line each, before anything is read or written."""
    problems: list[Problem] = []
    if (input is None) == (from_db is None):
        problems.append(Problem("INPUT", "give a roster file or --from-db URI (one of the two)"))
    if (out is None) == (to_db is None):
        problems.append(Problem("--out", "give an output file or --to-db URI (one of the two)"))
    if from_db is not None and (table is None) == (query is None):
        problems.append(Problem("--from-db", "name the roster with --table T or --query SQL (one of the two)"))
    if from_db is None and (table is not None or query is not None):
        problems.append(Problem("--table" if table is not None else "--query", "only with --from-db"))
    if to_db is not None and to_table is None:
        problems.append(Problem("--to-db", "name the table to write with --to-table NAME"))
    if to_db is None and to_table is not None:
        problems.append(Problem("--to-table", "only with --to-db"))
    if to_db is None and if_exists != "fail":
        problems.append(Problem("--if-exists", "only with --to-db", if_exists))
    if to_db is not None and format is not None:
        problems.append(Problem("--format", "only with --out", format))
    if from_db is not None and encoding is not None:
        problems.append(Problem("--encoding", "only for a text INPUT", encoding))
    if from_db is not None and sheet is not None:
        problems.append(Problem("--sheet", "only for a workbook INPUT", sheet))
    if from_db is not None and header_row is not None:
        problems.append(Problem("--header-row", "only for an INPUT file", header_row))
    return problems


def _databases(
    from_db: str | None,
    table: str | None,
    query: str | None,
    to_db: str | None,
    to_table: str | None,
    if_exists: str,
) -> tuple[DatabaseSource | None, DatabaseTarget | None]:
    """The database source and target named by the options (None for a file)."""
    if from_db is None and to_db is None:
        return None, None
    from eligibility.batch.database import DatabaseSource, DatabaseTarget, parse_uri

    source = DatabaseSource(parse_uri(from_db, "from_db"), table, query) if from_db is not None else None
    target = None
    if to_db is not None and to_table is not None:
        uri = parse_uri(to_db, "to_db")
        same_file = (
            source is not None
            and source.uri.path is not None
            and uri.path is not None
            and source.uri.path.resolve() == uri.path.resolve()
        )
        if same_file and table is not None and table == to_table and if_exists != "append":
            raise InputError(
                [Problem("to_table", "must not be the table read (append, or write another table)", to_table)]
            )
        target = DatabaseTarget(uri, to_table, if_exists, held=same_file)  # type: ignore[arg-type]
    return source, target
