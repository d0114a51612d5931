"""Reading a roster in chunks: CSV in any common Chinese encoding, or .xlsx.

CSV is read in blocks of bytes cut at record ends, each parsed by polars with
every cell as text (validation is ours, so `007` stays `007`). polars reads UTF-8 only: a GB18030/GBK export is first
transcoded, in a stream, to a temporary UTF-8 file. Excel sheets hold at most
about a million rows: an .xlsx is read whole, then cut into chunks.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from eligibility.batch.columns import RECORD_PROBLEM, column_key
from eligibility.errors import InputError, Problem
from eligibility.facts.spelling import closest_key

EXCEL_SUFFIXES: Final = (".xlsx", ".xlsm")
_SAMPLE_BYTES: Final = 1 << 22
_COPY_BYTES: Final = 1 << 22


@dataclass(frozen=True)
class Roster:
    """An opened input: how its columns are used, and its chunks (facts renamed to canonical keys).

    A chunk may hold a RECORD_PROBLEM column: why a line could not be read as a row
    (a blank line, or not as many fields as the header), null for a good line.
    """

    headers: Headers
    chunks: Iterator[pl.DataFrame]
    encoding: str


def detect_encoding(path: Path) -> str:
    """utf-8 (with or without BOM) when the start decodes as UTF-8, else gb18030 (a superset of GBK)."""
    with path.open("rb") as stream:
        sample = stream.read(_SAMPLE_BYTES)
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)  # a cut last character is fine
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise InputError(
            [Problem(str(path), "neither UTF-8 nor GB18030/GBK text; name its encoding (e.g. big5, utf-16)")]
        ) from None


@dataclass(frozen=True)
class Headers:
    """How a roster's columns are used.

    `facts`: canonical key -> the header the file used. `carried`: a column that is
    no fact (e.g. 姓名, 部门) -> its name in the output, where it is copied unchanged
    after the scoring columns. `notices`: one line per such column for the user.
    """

    facts: dict[str, str]
    carried: dict[str, str]
    notices: tuple[str, ...]


def map_headers(columns: list[str], where: str, reserved: Iterable[str] = ()) -> Headers:
    """Which column is which fact; other columns are carried through; a fact given twice is a problem."""
    facts: dict[str, str] = {}
    carried: dict[str, str] = {}
    notices: list[str] = []
    problems: list[Problem] = []
    taken = set(reserved)
    for column in columns:
        key = column_key(column)
        if key is None:
            name = column if column not in taken else f"{column} (input)"
            carried[column] = name
            taken.add(name)
            guess = closest_key(column)
            if guess is not None:
                notices.append(
                    f"{where}: column {column!r} is not a known fact (did you mean {guess}?); "
                    "its values are not used for scoring, only copied to the output"
                )
        elif key in facts:
            problems.append(Problem(f"{where}: column", f"same fact as column {facts[key]!r} ({key})", column))
        else:
            facts[key] = column
    unguessed = [column for column in carried if closest_key(column) is None]
    if unguessed:
        notices.insert(
            0,
            f"{where}: columns not used for scoring, copied unchanged to the end of the output: "
            + ", ".join(unguessed),
        )
    if problems:
        raise InputError(problems)
    return Headers(facts, carried, tuple(notices))


@contextmanager
def open_roster(
    path: Path, chunk_bytes: int, chunk_rows: int, encoding: str | None = None, reserved: Iterable[str] = ()
) -> Iterator[Roster]:
    """The roster's headers and chunks (columns renamed to canonical keys); temporary files cleaned up."""
    if not path.is_file():
        raise InputError([Problem(str(path), "no such file")])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        yield _excel_roster(path, chunk_rows, reserved)
        return
    chosen = encoding or detect_encoding(path)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError([Problem("encoding", "unknown encoding; e.g. utf-8, gb18030, gbk, big5", chosen)]) from None
    if codecs.lookup(chosen).name in ("utf-8", "utf-8-sig"):
        yield _csv_roster(path, chunk_bytes, chosen, reserved)
        return
    with tempfile.TemporaryDirectory(prefix="eligibility-batch-") as scratch:
        utf8 = Path(scratch) / "input.csv"
        _transcode(path, chosen, utf8)
        yield _csv_roster(utf8, chunk_bytes, chosen, reserved, shown=str(path))


def _transcode(source: Path, encoding: str, target: Path) -> None:
    try:
        with source.open("r", encoding=encoding, newline="") as reader, target.open("w", encoding="utf-8") as writer:
            shutil.copyfileobj(reader, writer, _COPY_BYTES)
    except UnicodeDecodeError as error:
        raise InputError(
            [Problem(str(source), f"not valid {encoding} text ({error.reason} at byte {error.start})")]
        ) from None


def _csv_roster(
    path: Path, chunk_bytes: int, encoding: str, reserved: Iterable[str], shown: str | None = None
) -> Roster:
    where = shown or str(path)
    with path.open("rb") as stream:
        header = stream.readline().removeprefix(codecs.BOM_UTF8)
    if not header.strip():
        raise InputError([Problem(where, "line 1 is empty: the first line must hold the column names")])
    try:
        columns = pl.read_csv(io.BytesIO(header), n_rows=0, infer_schema=False).columns
    except pl.exceptions.PolarsError as error:
        raise InputError([Problem(where, f"not a readable CSV file: {error}")]) from None
    columns = [name if name.strip() else f"column {position}" for position, name in enumerate(columns, 1)]
    headers = map_headers(columns, where, reserved)
    renames = {header: key for key, header in headers.facts.items()}
    schema = {name: pl.String() for name in columns}

    def chunks() -> Iterator[pl.DataFrame]:
        empty_record = b"," * (len(columns) - 1) + b"\n"
        first_line = 2  # the header is line 1
        for block in csv_blocks(path, chunk_bytes):
            lines = block.count(b"\n")
            start_line, first_line = first_line, first_line + lines
            # A blank line is a record with every cell empty, wherever it falls; polars
            # reads one inside a block so, but cannot start a block with it.
            rest = block.lstrip(b"\r\n")
            padded = (
                block if len(rest) == len(block) else empty_record * (block.count(b"\n") - rest.count(b"\n")) + rest
            )
            try:  # strict: fails on a line with more fields than the header
                frame = pl.read_csv(padded, has_header=False, schema=schema)
                problems = (
                    None
                    if every_line_has(block, len(columns), lines, frame)
                    else record_problems(block, start_line, len(columns))
                )
            except pl.exceptions.PolarsError:
                # a line with more fields than the header is cut to the header's width
                # here, and made an error row by its record problem
                try:
                    frame = pl.read_csv(
                        padded,
                        has_header=False,
                        schema=schema,
                        truncate_ragged_lines=True,
                        extra_columns="ignore",
                        missing_columns="insert",
                    )
                except pl.exceptions.PolarsError as error:
                    if block.count(b'"') % 2:  # csv_blocks cuts only outside quotes: this one never closes
                        problem = f'a quoted cell (") opened on line {start_line} or later is never closed'
                    else:
                        problem = str(error).strip().splitlines()[0]
                    raise InputError([Problem(where, f"not a readable CSV file: {problem}")]) from None
                problems = record_problems(block, start_line, len(columns))
            if problems is not None:
                if len(problems) != frame.height:  # never guess which row a problem belongs to
                    raise InputError([Problem(where, f"lines from {start_line} cannot be told apart as rows")])
                frame = frame.with_columns(problems)
            yield frame.rename(renames)

    return Roster(headers, chunks(), encoding)


def every_line_has(block: bytes, fields: int, lines: int, frame: pl.DataFrame) -> bool:
    """Whether every one of the `lines` lines of `block` has `fields` fields, given that none has more.

    With no line wider than the header, the commas add up to lines x (fields - 1)
    exactly when no line is narrower or blank, provided every comma and line break
    is a separator, not text inside a quoted cell: `frame` (the block parsed) says
    whether any cell holds one. Counting bytes and scanning cells in polars (which
    releases the GIL) keep this check cheap.
    """
    if fields < 2 or block.count(b",") != lines * (fields - 1):
        return False
    if b'"' not in block:
        return True
    return not frame.select(pl.any_horizontal(pl.all().str.contains(r"[,\n]")).any()).item()


def record_problems(block: bytes, first_line: int, fields: int) -> pl.Series | None:
    """Per record of `block`: `line N: ...` when it is blank or has not `fields` fields; None when all are fine.

    Lines without quotes (nearly all) are counted in columns: fields = commas + 1,
    after removing quoted parts. A block with a quoted line break is counted by the
    csv module, which follows records across lines.
    """
    text = block.decode("utf-8", errors="replace")
    lines = pl.Series("line", [text]).str.split("\n").explode()
    lines = lines.slice(0, len(lines) - 1)  # the block ends with a line break
    if '"' in text:
        if (lines.str.count_matches('"', literal=True) % 2 == 1).any():
            return _record_problems_across_lines(text, first_line, fields)
        lines = lines.str.replace_all(r'"[^"]*"', "")
    counts = lines.to_frame().select(
        pl.when(pl.col("line").str.strip_chars_end("\r") == "")
        .then(0)
        .otherwise(pl.col("line").str.count_matches(",", literal=True) + 1)
        .alias("fields"),
        pl.int_range(first_line, first_line + len(lines), dtype=pl.Int64).alias("line"),
    )
    return _messages(counts, fields)


def _record_problems_across_lines(text: str, first_line: int, fields: int) -> pl.Series | None:
    counts: list[int] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    start = first_line
    for record in reader:
        counts.append(len(record))
        starts.append(start)
        start = first_line + reader.line_num
    return _messages(
        pl.DataFrame({"fields": counts, "line": starts}, schema={"fields": pl.Int64, "line": pl.Int64}), fields
    )


def _messages(counts: pl.DataFrame, fields: int) -> pl.Series | None:
    bad = pl.col("fields") != fields
    if not counts.select(bad.any()).item():
        return None
    line = pl.lit("line ") + pl.col("line").cast(pl.String)
    return counts.select(
        pl.when(pl.col("fields") == 0)
        .then(line + pl.lit(": blank line; nothing to score"))
        .when(bad)
        .then(
            line
            + pl.lit(": ")
            + pl.col("fields").cast(pl.String)
            + pl.lit(f" fields where the header has {fields}; not scored (an unquoted comma, or a missing cell?)")
        )
        .alias(RECORD_PROBLEM)
    ).to_series()


def csv_blocks(path: Path, chunk_bytes: int) -> Iterator[bytes]:
    """The data lines of a UTF-8 CSV in blocks of about `chunk_bytes`, each ending at a record's end.

    Reading by bytes keeps memory flat however large the file. A block ends at a
    newline outside quotes: CSV doubles a quote inside a quoted field, so a newline
    is a record's end exactly when the quotes before it (from the block's start,
    itself a record's start) are even in number.
    """
    with path.open("rb") as stream:
        stream.readline()  # the header, read once by the caller
        carry = b""
        while True:
            block = stream.read(chunk_bytes)
            if not block:
                if carry.strip():
                    yield carry if carry.endswith(b"\n") else carry + b"\n"
                return
            data = carry + block
            end = _last_record_end(data)
            if end <= 0:
                carry = data
                continue
            yield data[:end]
            carry = data[end:]


def _last_record_end(data: bytes) -> int:
    newline = data.rfind(b"\n")
    while newline >= 0:
        if data.count(b'"', 0, newline) % 2 == 0:
            return newline + 1
        newline = data.rfind(b"\n", 0, newline)
    return -1


def _excel_roster(path: Path, chunk_rows: int, reserved: Iterable[str]) -> Roster:
    try:
        # typed cells (dates, numbers, booleans) are read as such and written back as a CSV export shows them
        frame = pl.read_excel(path, engine="calamine")
    except Exception as error:  # fastexcel raises its own types for broken files
        raise InputError([Problem(str(path), f"not a readable .xlsx file: {error}")]) from None
    headers = map_headers(frame.columns, str(path), reserved)
    frame = frame.rename({header: key for key, header in headers.facts.items()}).select(
        *(_as_text(frame.schema[header], pl.col(key)) for key, header in headers.facts.items()),
        *(_as_text(frame.schema[column], pl.col(column)) for column in headers.carried),
    )

    def chunks() -> Iterator[pl.DataFrame]:
        for start in range(0, frame.height, chunk_rows):
            yield frame.slice(start, chunk_rows)

    return Roster(headers, chunks(), "xlsx")


def _as_text(dtype: pl.DataType, column: pl.Expr) -> pl.Expr:
    """Excel cells as the text a CSV export would show (dates as 2020-03-01, 1001.0 as 1001)."""
    name = column.meta.output_name()
    if dtype == pl.Date or isinstance(dtype, pl.Datetime):
        return column.dt.strftime("%Y-%m-%d").alias(name)
    if dtype.is_float():
        whole = column.is_not_null() & (column == column.floor())
        return pl.when(whole).then(column.cast(pl.Int64).cast(pl.String)).otherwise(column.cast(pl.String)).alias(name)
    return column.cast(pl.String).alias(name)
