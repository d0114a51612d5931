"""Rosters as text: CSV or tab-separated ("Unicode text"), in the encodings Chinese offices export.

The encoding is named by a byte-order mark (UTF-8, UTF-16), else found by trying
UTF-8 then GB18030 (a superset of GBK); the separator is the comma or, when the
header holds more tabs than commas, the tab. polars reads UTF-8 only: any other
encoding, and old Mac line endings (CR alone), are first rewritten, in a stream,
to a temporary UTF-8 file with LF endings.

The file is read in blocks of bytes cut at record ends (memory stays flat however
long the file). A block ends at a line break outside quotes: CSV doubles a quote
inside a quoted cell, so a line break ends a record exactly when the quotes
before it, from the last record end, are even in number. The quotes are counted
once, as the blocks pass (a quote never closed costs one pass, not one per line),
and one record may span at most MAX_RECORD_BYTES.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import polars as pl

from eligibility.batch.columns import RECORD_PROBLEM, RECORD_PROBLEM_ZH, ROW_NUMBER
from eligibility.errors import InputError, Problem

SAMPLE_BYTES: Final = 1 << 22
COPY_BYTES: Final = 1 << 22
MAX_RECORD_BYTES: Final = 256 << 20  # one record (a row with its quoted cells)
HEAD_LINES: Final = 50  # lines looked at for the header row


@dataclass(frozen=True)
class TextFormat:
    """How a text roster is written."""

    encoding: str
    separator: str  # "," or "\t"
    carriage_returns_only: bool  # old Mac line endings

    @property
    def needs_rewriting(self) -> bool:
        return codecs.lookup(self.encoding).name not in ("utf-8", "utf-8-sig") or self.carriage_returns_only

    def describe(self) -> str:
        kind = "tab-separated text" if self.separator == "\t" else "CSV"
        return f"{kind}, {self.encoding}"


def sniff(path: Path, encoding: str | None, where: str) -> TextFormat:
    """The encoding (given, or by byte-order mark, or the first of UTF-8 and GB18030 that fits), separator and endings."""
    with path.open("rb") as stream:
        sample = stream.read(SAMPLE_BYTES)
    chosen = encoding or _detect_encoding(sample, where)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError(
            [
                Problem(
                    "encoding",
                    "unknown encoding; e.g. utf-8, gb18030, gbk, big5, utf-16",
                    chosen,
                    "未知编码；例如 utf-8、gb18030、gbk、big5、utf-16",
                )
            ]
        ) from None
    text = sample.decode(chosen, errors="replace")
    first_lines = [line for line in text.replace("\r", "\n").split("\n")[:HEAD_LINES] if line.strip()]
    header_like = max(first_lines, key=lambda line: line.count(",") + line.count("\t"), default="")
    separator = "\t" if header_like.count("\t") > header_like.count(",") else ","
    return TextFormat(chosen, separator, "\r" in text and "\n" not in text)


def _detect_encoding(sample: bytes, where: str) -> str:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for candidate in ("utf-8", "gb18030"):
        try:
            codecs.getincrementaldecoder(candidate)().decode(sample, final=False)  # a cut last character is fine
            return candidate
        except UnicodeDecodeError:
            continue
    raise InputError(
        [
            Problem(
                where,
                "neither UTF-8, UTF-16 nor GB18030/GBK text; name its encoding (e.g. big5)",
                None,
                "既不是 UTF-8、UTF-16，也不是 GB18030/GBK 文本；请用 --encoding 指明编码（如 big5）",
            )
        ]
    )


def rewrite_as_utf8(source: Path, text_format: TextFormat, target: Path) -> None:
    """`source` as UTF-8 with LF line endings, in a stream."""
    try:
        with (
            source.open("r", encoding=text_format.encoding, newline="") as reader,
            target.open("w", encoding="utf-8", newline="") as writer,
        ):
            while piece := reader.read(COPY_BYTES):
                writer.write(piece.replace("\r", "\n") if text_format.carriage_returns_only else piece)
    except UnicodeDecodeError as error:
        raise InputError(
            [
                Problem(
                    str(source),
                    f"not valid {text_format.encoding} text ({error.reason} at byte {error.start})",
                    None,
                    f"不是有效的 {text_format.encoding} 文本（第 {error.start} 字节）；请用 --encoding 指明编码",
                )
            ]
        ) from None


def head_rows(path: Path, separator: str) -> list[list[str]]:
    """The first HEAD_LINES lines of a UTF-8 text roster, as cells (for finding the header row and its names)."""
    with path.open("rb") as stream:
        lines = [stream.readline() for _ in range(HEAD_LINES)]
    text = b"".join(lines).decode("utf-8-sig", errors="replace")
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)][: len(lines)]


def header_columns(cells: list[str], header_line: int, where: str) -> list[str]:
    """The column names of the header line, as written (a name given twice stays twice, to be refused);
    unnamed columns are called `column N`."""
    if not any(cell.strip() for cell in cells):
        raise InputError([Problem(where, f"line {header_line} is empty: the header line must hold the column names")])
    return [name.strip() if name.strip() else f"column {position}" for position, name in enumerate(cells, 1)]


def text_chunks(
    path: Path, separator: str, header_line: int, columns: list[str], chunk_bytes: int, where: str
) -> Iterator[pl.DataFrame]:
    """Every record after the header line as text cells, with its line (ROW) and, for a bad line, its problem."""
    schema = {name: pl.String() for name in columns}
    delimiter = separator.encode()
    empty_record = delimiter * (len(columns) - 1) + b"\n"
    first_line = header_line + 1
    with path.open("rb") as stream:
        for _ in range(header_line):
            stream.readline()
        for block in record_blocks(stream, chunk_bytes, where):
            lines = block.count(b"\n")
            start_line, first_line = first_line, first_line + lines
            # A blank line is a record with every cell empty, wherever it falls; polars
            # reads one inside a block so, but cannot start a block with it.
            rest = block.lstrip(b"\r\n")
            padded = block if len(rest) == len(block) else empty_record * (lines - rest.count(b"\n")) + rest
            try:  # strict: fails on a line with more fields than the header
                frame = pl.read_csv(padded, has_header=False, schema=schema, separator=separator)
                problems = (
                    None
                    if every_line_has(block, delimiter, len(columns), lines, frame)
                    else record_problems(block, delimiter, start_line, len(columns))
                )
            except pl.exceptions.PolarsError:
                # a line with more fields than the header is cut to the header's width
                # here, and made an error row by its record problem
                try:
                    frame = pl.read_csv(
                        padded,
                        has_header=False,
                        schema=schema,
                        separator=separator,
                        truncate_ragged_lines=True,
                        extra_columns="ignore",
                        missing_columns="insert",
                    )
                except pl.exceptions.PolarsError as error:
                    if block.count(b'"') % 2:  # blocks are cut only outside quotes: this one never closes
                        problem = f'a quoted cell (") opened on line {start_line} or later is never closed'
                    else:
                        problem = str(error).strip().splitlines()[0]
                    raise InputError([Problem(where, f"not a readable CSV file: {problem}")]) from None
                problems = record_problems(block, delimiter, start_line, len(columns))
            starts = (
                pl.int_range(start_line, start_line + lines, dtype=pl.Int64, eager=True)
                if frame.height == lines
                else record_starts(block, separator, start_line)
            )
            if len(starts) != frame.height or (problems is not None and len(problems) != frame.height):
                # never guess which row a line or a problem belongs to
                raise InputError([Problem(where, f"lines from {start_line} cannot be told apart as rows")])
            frame = frame.with_columns(starts.alias(ROW_NUMBER))
            if problems is not None:
                frame = frame.hstack(problems)
            yield frame


def record_blocks(stream: BinaryIO, chunk_bytes: int, where: str) -> Iterator[bytes]:
    """The rest of `stream` in blocks of about `chunk_bytes`, each ending at a record's end (see the module's doc)."""
    carry = b""
    carry_quotes = 0  # the quotes in `carry`: their parity says whether it ends inside a quoted cell
    while True:
        block = stream.read(chunk_bytes)
        if not block:
            if carry.strip():
                yield carry if carry.endswith(b"\n") else carry + b"\n"
            return
        end = _last_record_end(block, carry_quotes % 2)
        if end < 0:
            carry += block
            carry_quotes += block.count(b'"')
            if len(carry) > MAX_RECORD_BYTES:
                raise InputError(
                    [
                        Problem(
                            where,
                            f'a quoted cell (") is not closed within {MAX_RECORD_BYTES >> 20} MiB: '
                            "a quote is missing, or the file is not CSV",
                        )
                    ]
                )
            continue
        yield carry + block[:end]
        carry = block[end:]
        carry_quotes = carry.count(b'"')


def _last_record_end(block: bytes, open_quote: int) -> int:
    """The position after the last line break of `block` outside quotes, given whether a quote is open at its start.

    Walks back from the end, counting each stretch of quotes once: linear in the block.
    """
    before = open_quote + block.count(b'"')  # quotes before the end of the block (parity is what counts)
    position = len(block)
    newline = block.rfind(b"\n")
    while newline >= 0:
        before -= block.count(b'"', newline, position)
        if before % 2 == 0:
            return newline + 1
        position = newline
        newline = block.rfind(b"\n", 0, newline)
    return -1


def every_line_has(block: bytes, delimiter: bytes, fields: int, lines: int, frame: pl.DataFrame) -> bool:
    """Whether every one of the `lines` lines of `block` has `fields` fields, given that none has more.

    With no line wider than the header, the separators add up to lines x (fields - 1)
    exactly when no line is narrower or blank, provided every separator and line
    break is one, not text inside a quoted cell: `frame` (the block parsed) says
    whether any cell holds one. Counting bytes and scanning cells in polars (which
    releases the GIL) keep this check cheap.
    """
    if fields < 2 or block.count(delimiter) != lines * (fields - 1):
        return False
    if b'"' not in block:
        return True
    pattern = "[\t\n]" if delimiter == b"\t" else "[,\n]"
    return not frame.select(pl.any_horizontal(pl.all().str.contains(pattern)).any()).item()


def record_problems(block: bytes, delimiter: bytes, first_line: int, fields: int) -> pl.DataFrame | None:
    """Per record of `block`: `line N: ...` when it is blank or has not `fields` fields; None when all are fine.

    Lines without quotes (nearly all) are counted in columns: fields = separators + 1,
    after removing quoted parts. A block with a quoted line break is counted by the
    csv module, which follows records across lines.
    """
    separator = delimiter.decode()
    text = block.decode("utf-8", errors="replace")
    lines = pl.Series("line", [text]).str.split("\n").explode()
    lines = lines.slice(0, len(lines) - 1)  # the block ends with a line break
    if '"' in text:
        if (lines.str.count_matches('"', literal=True) % 2 == 1).any():
            counts, starts = _records_across_lines(text, separator, first_line)
            return _messages(pl.DataFrame({"fields": counts, "line": starts}, schema=_COUNTS), fields)
        lines = lines.str.replace_all(r'"[^"]*"', "")
    table = lines.to_frame().select(
        pl.when(pl.col("line").str.strip_chars_end("\r") == "")
        .then(0)
        .otherwise(pl.col("line").str.count_matches(separator, literal=True) + 1)
        .alias("fields"),
        pl.int_range(first_line, first_line + len(lines), dtype=pl.Int64).alias("line"),
    )
    return _messages(table, fields)


_COUNTS: Final = {"fields": pl.Int64, "line": pl.Int64}


def record_starts(block: bytes, separator: str, first_line: int) -> pl.Series:
    """The line each record of `block` starts on (some records span lines: quoted line breaks)."""
    _, starts = _records_across_lines(block.decode("utf-8", errors="replace"), separator, first_line)
    return pl.Series(starts, dtype=pl.Int64)


def _records_across_lines(text: str, separator: str, first_line: int) -> tuple[list[int], list[int]]:
    if csv.field_size_limit() < MAX_RECORD_BYTES:  # a legitimate cell may be long: as long as one record may be
        csv.field_size_limit(MAX_RECORD_BYTES)
    counts: list[int] = []
    starts: list[int] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    start = first_line
    for record in reader:
        counts.append(len(record))
        starts.append(start)
        start = first_line + reader.line_num
    return counts, starts


def _messages(counts: pl.DataFrame, fields: int) -> pl.DataFrame | None:
    """`line N: ...` for each blank or wrongly wide record (null for a good one), in English and in Chinese."""
    bad = pl.col("fields") != fields
    if not counts.select(bad.any()).item():
        return None
    line = pl.col("line").cast(pl.String)
    count = pl.col("fields").cast(pl.String)
    blank = pl.col("fields") == 0
    return counts.select(
        pl.when(blank)
        .then(pl.lit("line ") + line + pl.lit(": blank line; nothing to score"))
        .when(bad)
        .then(
            pl.lit("line ")
            + line
            + pl.lit(": ")
            + count
            + pl.lit(f" fields where the header has {fields}; not scored (an unquoted comma, or a missing cell?)")
        )
        .alias(RECORD_PROBLEM),
        pl.when(blank)
        .then(pl.lit("第") + line + pl.lit("行：空行，没有可评估的内容"))
        .when(bad)
        .then(
            pl.lit("第")
            + line
            + pl.lit("行：有")
            + count
            + pl.lit(f"个字段，表头有{fields}个；未评估（是否有未加引号的逗号，或缺少单元格？）")
        )
        .alias(RECORD_PROBLEM_ZH),
    )
