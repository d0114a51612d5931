"""Reading a roster in chunks: CSV in any common Chinese encoding, or .xlsx.

CSV is read in blocks of bytes cut at record ends, each parsed by polars with
every cell as text (validation is ours, so `007` stays `007`). polars reads UTF-8 only: a GB18030/GBK export is first
transcoded, in a stream, to a temporary UTF-8 file. Excel sheets hold at most
about a million rows: an .xlsx is read whole, then cut into chunks.
"""

from __future__ import annotations

import codecs
import io
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from eligibility.batch.columns import column_key
from eligibility.errors import InputError, Problem
from eligibility.vocabulary import FIELDS

EXCEL_SUFFIXES: Final = (".xlsx", ".xlsm")
_SAMPLE_BYTES: Final = 1 << 22
_COPY_BYTES: Final = 1 << 22


@dataclass(frozen=True)
class Roster:
    """An opened input: canonical key -> the header the file used, and its chunks."""

    headers: dict[str, str]
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
            [Problem(str(path), "neither UTF-8 nor GB18030/GBK text; give --encoding (e.g. big5, utf-16)")]
        ) from None


def map_headers(columns: list[str], where: str) -> dict[str, str]:
    """Canonical key -> header; unknown or repeated columns are a problem with the file, not a row."""
    headers: dict[str, str] = {}
    problems: list[Problem] = []
    allowed = ", ".join(f"{key} ({'/'.join(spec.zh_names)})" for key, spec in FIELDS.items())
    for column in columns:
        key = column_key(column)
        if key is None:
            problems.append(Problem(f"{where}: column", f"unknown column; allowed: {allowed}", column))
        elif key in headers:
            problems.append(Problem(f"{where}: column", f"same fact as column {headers[key]!r} ({key})", column))
        else:
            headers[key] = column
    if problems:
        raise InputError(problems)
    return headers


@contextmanager
def open_roster(path: Path, chunk_bytes: int, chunk_rows: int, encoding: str | None = None) -> Iterator[Roster]:
    """The roster's headers and chunks (columns renamed to canonical keys); temporary files cleaned up."""
    if not path.is_file():
        raise InputError([Problem(str(path), "no such file")])
    if path.suffix.lower() in EXCEL_SUFFIXES:
        yield _excel_roster(path, chunk_rows)
        return
    chosen = encoding or detect_encoding(path)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InputError([Problem("--encoding", "unknown encoding; e.g. utf-8, gb18030, gbk, big5", chosen)]) from None
    if codecs.lookup(chosen).name in ("utf-8", "utf-8-sig"):
        yield _csv_roster(path, chunk_bytes, chosen)
        return
    with tempfile.TemporaryDirectory(prefix="eligibility-batch-") as scratch:
        utf8 = Path(scratch) / "input.csv"
        _transcode(path, chosen, utf8)
        yield _csv_roster(utf8, chunk_bytes, chosen, shown=str(path))


def _transcode(source: Path, encoding: str, target: Path) -> None:
    try:
        with source.open("r", encoding=encoding, newline="") as reader, target.open("w", encoding="utf-8") as writer:
            shutil.copyfileobj(reader, writer, _COPY_BYTES)
    except UnicodeDecodeError as error:
        raise InputError(
            [Problem(str(source), f"not valid {encoding} text ({error.reason} at byte {error.start})")]
        ) from None


def _csv_roster(path: Path, chunk_bytes: int, encoding: str, shown: str | None = None) -> Roster:
    where = shown or str(path)
    with path.open("rb") as stream:
        header = stream.readline().removeprefix(codecs.BOM_UTF8)
    try:
        columns = pl.read_csv(io.BytesIO(header), n_rows=0, infer_schema=False).columns
    except pl.exceptions.PolarsError as error:
        raise InputError([Problem(where, f"not a readable CSV file: {error}")]) from None
    headers = map_headers(columns, where)
    renames = {header: key for key, header in headers.items()}

    def chunks() -> Iterator[pl.DataFrame]:
        empty_record = b"," * (len(columns) - 1) + b"\n"
        for block in csv_blocks(path, chunk_bytes):
            # A blank line is a record with every cell empty, wherever it falls; polars
            # reads one inside a block so, but cannot start a block with it.
            rest = block.lstrip(b"\r\n")
            if len(rest) != len(block):
                block = empty_record * block[: len(block) - len(rest)].count(b"\n") + rest
            try:
                frame = pl.read_csv(block, infer_schema=False, has_header=False, new_columns=columns)
            except pl.exceptions.PolarsError as error:
                raise InputError([Problem(where, f"not a readable CSV file: {error}")]) from None
            yield frame.rename(renames)

    return Roster(headers, chunks(), encoding)


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


def _excel_roster(path: Path, chunk_rows: int) -> Roster:
    try:
        # typed cells (dates, numbers, booleans) are read as such and written back as a CSV export shows them
        frame = pl.read_excel(path, engine="calamine")
    except Exception as error:  # fastexcel raises its own types for broken files
        raise InputError([Problem(str(path), f"not a readable .xlsx file: {error}")]) from None
    headers = map_headers(frame.columns, str(path))
    frame = frame.rename({header: key for key, header in headers.items()}).select(
        [_as_text(frame.schema[header], pl.col(key)) for key, header in headers.items()]
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
