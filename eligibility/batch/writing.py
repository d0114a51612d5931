"""Writing the scored roster: in the layout its format calls for, atomically, safely, and safe to open.

The output goes to a temporary file next to it, renamed over it only when the
run completes, so an interrupted run never leaves a file that looks complete.
A link is written through to the file it names (the link stays); a directory,
a FIFO or a device is never replaced. Any error of the file system (a full disk,
a read-only directory) is one message naming the path.

Layouts (batch/layouts.py): JSONL, Parquet and `ids` (CSV) keep stable ids and
are written chunk by chunk. CSV and .xlsx are for people: their columns depend
on the regions the roster holds, so the scored chunks wait in Arrow parts
beside the output until the last is scored. CSV is written for Excel (UTF-8
with a byte-order mark by default, or the encoding asked for); its cells that
would start a formula (= + - @, a tab, a carriage return) get a leading
apostrophe. A workbook's cells are text cells, never formulas: see batch/xlsx.py.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import secrets
import shutil
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Final, Literal

import polars as pl

from eligibility.batch import layouts, xlsx
from eligibility.batch.columns import ERROR, ERROR_ZH, REGION
from eligibility.batch.summary import BatchSummary
from eligibility.errors import InputError, Problem
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.schema import Rule
from eligibility.presentation.labels import Language, label

OutputFormat = Literal["csv", "ids", "jsonl", "parquet", "xlsx"]
FORMATS: Final[dict[str, OutputFormat]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
READABLE: Final = ("csv", "xlsx")
EXCEL_MAX_ROWS: Final = xlsx.MAX_ROWS - 1  # a sheet's rows, less the header
_FORMULA_START: Final = ["=", "+", "-", "@", "\t", "\r"]


def output_format(path: Path, given: str | None) -> OutputFormat:
    """The format named by `format`, else by the output's extension."""
    allowed = ", ".join(("csv", "ids", "jsonl", "parquet", "xlsx"))
    if given is not None:
        if given not in ("csv", "ids", "jsonl", "parquet", "xlsx"):
            raise InputError([Problem("format", f"allowed: {allowed}", given)])
        return given  # type: ignore[return-value]
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        message = f"unknown extension; use .csv, .jsonl, .parquet or .xlsx, or name the format ({allowed})"
        raise InputError([Problem("output", message, str(path))])
    return found


def output_target(path: Path) -> Path:
    """The file the output really goes to: `path`, or the file a link at `path` names; refused if no file."""
    target = path.resolve() if path.is_symlink() else path
    try:
        str(target.absolute()).encode("utf-8")
    except UnicodeEncodeError:  # bytes that are no UTF-8 in the name: the columnar writer cannot open such a path
        raise InputError(
            [Problem("output", "its name is not UTF-8 text; rename it, or name another file", str(path))]
        ) from None
    try:
        status = os.stat(target)
    except FileNotFoundError:
        status = None
    except OSError as error:
        raise InputError([Problem("output", f"cannot be written: {error.strerror}", str(path))]) from None
    if status is not None and stat.S_ISDIR(status.st_mode):
        raise InputError([Problem("output", "a directory: name a file in it", str(path))])
    if status is not None and not stat.S_ISREG(status.st_mode):
        raise InputError(
            [Problem("output", "not a regular file (a device, a FIFO or a socket): it is never replaced", str(path))]
        )
    if not target.parent.is_dir():
        raise InputError([Problem("output", "no such directory", str(target.parent))])
    return target


def neutralised(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """Text cells a spreadsheet would run as a formula, with a leading apostrophe (CSV only)."""
    text = [name for name in columns if name in frame.columns and frame.schema[name] == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.slice(0, 1).is_in(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def _neutral_name(name: str) -> str:
    return "'" + name if name[:1] in _FORMULA_START else name


class OutputError(InputError):
    """The file system refused the output: one problem naming the path."""


class RosterWriter:
    """Writes scored chunks to `path` in `format`; commit() puts the file in place, abort() leaves no trace."""

    def __init__(
        self,
        path: Path,
        format: OutputFormat,
        carried: Sequence[str],
        language: Language,
        catalogue: Catalogue,
        benefits: Mapping[str, Sequence[Rule]],
        csv_encoding: str | None = None,
    ) -> None:
        self.path = path
        self.target = output_target(path)
        self.format = format
        self.carried = list(carried)
        self.language = language
        self.catalogue = catalogue
        self.benefits = benefits  # per region, the rules in force (those the scored chunks hold)
        self.csv_encoding = csv_encoding or ("utf-8-sig" if format == "csv" else "utf-8")
        try:
            codecs.lookup(self.csv_encoding)
        except LookupError:
            raise InputError(
                [Problem("output_encoding", "unknown encoding; e.g. utf-8-sig, utf-8, gb18030", self.csv_encoding)]
            ) from None
        self.rows = 0
        self.regions: list[str] = []
        self._stream: IO[bytes] | None = None
        self._header_written = False
        self._parts: Path | None = None
        directory = self.target.parent
        token = secrets.token_hex(8)
        # Named before they are made, so that abort() removes them whenever an interruption comes.
        self.temporary = directory / f".{self.target.name}.{token}.partial"
        parts = directory / f".{self.target.name}.{token}.parts"
        try:
            # The usual mode of a new file (0666 less the umask), made only if no such file exists.
            os.close(os.open(self.temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            if format in ("ids", "jsonl"):
                self._stream = self.temporary.open("wb")
            else:
                self._parts = parts
                parts.mkdir(mode=0o700)
        except BaseException as error:  # an OS error, or Ctrl-C / SIGTERM arriving now: nothing is left
            self.abort()
            if isinstance(error, OSError):
                raise self._refused(error) from None
            raise

    def write(self, chunk: pl.DataFrame) -> None:
        if self.format == "xlsx" and self.rows + chunk.height > EXCEL_MAX_ROWS:  # known early, not after the run
            message = f"an .xlsx sheet holds at most {EXCEL_MAX_ROWS:,} rows; write .csv or .parquet"
            raise InputError([Problem("output", message, str(self.path))])
        try:
            for region in chunk.get_column(REGION).drop_nulls().unique().to_list():
                if region not in self.regions:
                    self.regions.append(region)
            if self.format == "ids":
                assert self._stream is not None
                frame = neutralised(layouts.ids_frame(chunk, self.carried), ("id", ERROR, ERROR_ZH, *self.carried))
                if not self._header_written:
                    frame = frame.rename({name: _neutral_name(name) for name in frame.columns})
                frame.write_csv(self._stream, include_header=not self._header_written)
                self._header_written = True
            elif self.format == "jsonl":
                assert self._stream is not None
                layouts.ids_frame(chunk, self.carried).write_ndjson(self._stream)
            else:
                assert self._parts is not None
                # Arrow IPC: four times faster to write than Parquet, and read back as fast
                _write_frame(chunk, self._parts / f"{self.rows:012d}.arrow", "ipc")
            self.rows += chunk.height
        except OSError as error:
            raise self._refused(error) from None

    def commit(self, summary: BatchSummary) -> None:
        """Finish the file and move it into place."""
        try:
            if self.format in ("ids", "jsonl"):
                assert self._stream is not None
                if not self._header_written and self.format == "ids":
                    self._stream.write((",".join((*layouts.IDS_COLUMNS, *self.carried)) + "\n").encode())
                self._stream.close()
            elif self.format == "parquet":
                self._commit_parquet()
            elif self.format == "csv":
                self._commit_csv()
            else:
                self._commit_workbook(summary)
            os.replace(self.temporary, self.target)
        except OSError as error:
            self.abort()
            raise self._refused(error) from None
        finally:
            if self._parts is not None:
                shutil.rmtree(self._parts, ignore_errors=True)

    def abort(self) -> None:
        """Remove everything written so far; the output path is left untouched.

        At its best: closing may fail on a full disk, and removing on a read-only mount
        (EROFS even for a file never made); the error that led here is the one to report.
        """
        if self._stream is not None and not self._stream.closed:
            with contextlib.suppress(OSError):
                self._stream.close()
        if self._parts is not None:
            shutil.rmtree(self._parts, ignore_errors=True)
        if hasattr(self, "temporary"):
            with contextlib.suppress(OSError):
                self.temporary.unlink(missing_ok=True)

    def _refused(self, error: OSError) -> OutputError:
        return OutputError([Problem("output", f"cannot be written: {error.strerror or error}", str(self.path))])

    def _part_files(self) -> list[Path]:
        assert self._parts is not None
        return sorted(self._parts.glob("*.arrow"))

    def _commit_parquet(self) -> None:
        parts = self._part_files()
        if not parts:
            empty = pl.DataFrame(schema={name: pl.String() for name in (*layouts.IDS_COLUMNS, *self.carried)})
            _write_frame(empty, self.temporary)
            return
        frames = [layouts.ids_frame(pl.read_ipc(part), self.carried) for part in parts]
        _write_frame(pl.concat(frames, how="vertical_relaxed"), self.temporary)

    def _readable(self) -> list[layouts.Column]:
        benefits = [(region, rule) for region in self._regions_in_pack_order() for rule in self.benefits[region]]
        return layouts.readable_columns(self.catalogue, benefits, self.carried, self.language)

    def _regions_in_pack_order(self) -> list[str]:
        return [region for region in self.benefits if region in self.regions]

    def _aligned(self, part: Path, columns: Sequence[str]) -> pl.DataFrame:
        frame = pl.read_ipc(part)
        missing = [name for name in columns if name not in frame.columns]
        return frame.with_columns(pl.lit(None).alias(name) for name in missing) if missing else frame

    def _needed(self) -> list[str]:
        from eligibility.batch.evaluator import benefit_amount, benefit_minimum, benefit_status

        return [
            name
            for region in self._regions_in_pack_order()
            for rule in self.benefits[region]
            for name in (benefit_status(rule.id), benefit_amount(rule.id), benefit_minimum(rule.id))
        ]

    def _commit_csv(self) -> None:
        columns = self._readable()
        headings = [_neutral_name(column.heading) for column in columns]
        needed = self._needed()
        with self.temporary.open("wb") as stream:
            stream.write(_encoded(",".join(_csv_quoted(name) for name in headings) + "\n", self.csv_encoding, True))
            # The layout's own words and numbers never start a formula: only the other cells are looked at.
            untrusted = [index for index, column in enumerate(columns) if not column.trusted]
            as_utf8 = codecs.lookup(self.csv_encoding).name in ("utf-8", "utf-8-sig")
            for part in self._part_files():
                cells = layouts.rendered(self._aligned(part, needed), columns)
                cells = neutralised(cells, [cells.columns[index] for index in untrusted])
                if as_utf8:  # polars writes UTF-8 itself: no Python string between
                    cells.write_csv(stream, include_header=False)
                else:
                    stream.write(_encoded(cells.write_csv(include_header=False), self.csv_encoding, False))

    def _commit_workbook(self, summary: BatchSummary) -> None:
        language = self.language
        columns = self._readable()
        needed = self._needed()
        workbook = xlsx.WorkbookWriter(self.temporary)
        try:
            parts = self._part_files()
            sample = layouts.rendered(self._aligned(parts[0], needed).head(200), columns) if parts else None
            workbook.start(label("sheet_results", language), columns, language, sample)
            for part in parts:
                workbook.write(self._aligned(part, needed))
            workbook.finish()
            self._summary_sheets(workbook, summary)
            self._errors_sheet(workbook, parts)
            workbook.close()
        except BaseException:
            workbook.abandon()
            raise

    def _summary_sheets(self, workbook: xlsx.WorkbookWriter, summary: BatchSummary) -> None:
        regions = [code for code in self.benefits if code in summary.regions]
        for sheet in layouts.summary_sheets(summary, self.catalogue, regions, self.language):
            workbook.start(sheet.name, sheet.columns, self.language)
            workbook.write(sheet.rows)
            workbook.finish(autofilter=sheet.filtered)

    def _errors_sheet(self, workbook: xlsx.WorkbookWriter, parts: Sequence[Path]) -> None:
        columns = layouts.error_columns(self.language)
        workbook.start(label("sheet_errors", self.language), columns, self.language)
        problems = ERROR_ZH if self.language == "zh" else ERROR
        for part in parts:
            workbook.write(
                pl.scan_ipc(part).filter(pl.col("status") == "error").select("row", "id", problems).collect()
            )
        workbook.finish()


def _write_frame(frame: pl.DataFrame, path: Path, format: Literal["parquet", "ipc"] = "parquet") -> None:
    """`frame` as a Parquet file (zstd) or an Arrow IPC file (lz4) at `path`: built in memory, written by Python,
    so that a full disk is the OSError it is (polars writing a file itself reports it as a ComputeError holding
    the OS error's text)."""
    buffer = io.BytesIO()
    if format == "parquet":
        frame.write_parquet(buffer, compression="zstd")
    else:
        frame.write_ipc(buffer, compression="lz4")
    path.write_bytes(buffer.getbuffer())


def _csv_quoted(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if any(mark in text for mark in ',"\n\r') else text


def _encoded(text: str, encoding: str, first: bool) -> bytes:
    """Text for a CSV in `encoding`; a byte-order mark only at the file's start; a character it cannot hold named."""
    if encoding == "utf-8-sig" and not first:
        encoding = "utf-8"
    try:
        return text.encode(encoding, errors="strict")
    except UnicodeEncodeError as error:
        character = error.object[error.start]
        message = f"{character!r} cannot be written in {encoding}; use utf-8-sig or gb18030"
        message_zh = f"{character!r} 无法用 {encoding} 编码写出；请改用 utf-8-sig 或 gb18030"
        raise InputError([Problem("output_encoding", message, encoding, message_zh)]) from None
