"""Writing the scored roster: incrementally, atomically, and safe to open in a spreadsheet.

Rows go to a temporary file next to the output, renamed over it only when the
run completes, so an interrupted run never leaves a file that looks complete.
CSV and .xlsx cells that begin with = + - @ (or a tab / carriage return) get a
leading apostrophe, so a spreadsheet shows them as text and never runs them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Any, Final, Literal

import polars as pl

from eligibility.errors import InputError, Problem

OutputFormat = Literal["csv", "jsonl", "parquet", "xlsx"]
FORMATS: Final[dict[str, OutputFormat]] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".xlsx": "xlsx",
}
EXCEL_MAX_ROWS: Final = 1_048_575  # a sheet's rows, less the header
_FORMULA_START: Final = ["=", "+", "-", "@", "\t", "\r"]


def output_format(path: Path, given: str | None) -> OutputFormat:
    """The format named by `--format`, else by the output's extension."""
    allowed = ", ".join(sorted(set(FORMATS.values())))
    if given is not None:
        if given not in FORMATS.values():
            raise InputError([Problem("format", f"allowed: {allowed}", given)])
        return FORMATS["." + given]
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise InputError(
            [
                Problem(
                    "output",
                    f"unknown extension; use .csv, .jsonl, .parquet or .xlsx, or name the format ({allowed})",
                    str(path),
                )
            ]
        )
    return found


def neutralise_formulas(frame: pl.DataFrame, columns: tuple[str, ...] = ("id", "error")) -> pl.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with an apostrophe.

    Only the columns that carry the user's text are checked: the benefit-id lists
    are made of rule ids, which the rule-pack schema makes start with a letter.
    """
    text = [name for name in columns if name in frame.columns and frame.schema[name] == pl.String]
    return frame.with_columns(
        pl.when(pl.col(name).str.slice(0, 1).is_in(_FORMULA_START))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


class AtomicWriter:
    """Writes chunks to a temporary file and renames it over `path` on commit."""

    def __init__(self, path: Path, format: OutputFormat, text_columns: tuple[str, ...] = ("id", "error")) -> None:
        self.path = path
        self.format = format
        self.text_columns = text_columns  # the user's text: checked for formulas
        self.rows = 0
        directory = path.resolve().parent
        if not directory.is_dir():
            raise InputError([Problem("output", "no such directory", str(directory))])
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=directory)
        os.close(handle)
        self.temporary = Path(temporary)
        # mkstemp makes the file private (0600); the output gets the usual mode, as open() would give it
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(self.temporary, 0o666 & ~umask)
        self._stream: IO[bytes] | None = None
        self._header_written = False
        self._parts: Path | None = None
        self._workbook: Any = None
        self._sheet: Any = None
        if format in ("csv", "jsonl"):
            self._stream = self.temporary.open("wb")
        elif format == "parquet":
            self._parts = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".parts", dir=directory))
        else:
            import xlsxwriter  # type: ignore[import-untyped]

            # constant_memory: rows are flushed as written, so memory stays flat
            self._workbook = xlsxwriter.Workbook(
                str(self.temporary), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
            )
            self._sheet = self._workbook.add_worksheet("eligibility")

    def write(self, chunk: pl.DataFrame) -> None:
        if self.format in ("csv", "xlsx"):
            chunk = neutralise_formulas(chunk, self.text_columns)
        if self.format == "csv":
            assert self._stream is not None
            chunk.write_csv(self._stream, include_header=not self._header_written)
            self._header_written = True
        elif self.format == "jsonl":
            assert self._stream is not None
            chunk.write_ndjson(self._stream)
        elif self.format == "parquet":
            assert self._parts is not None
            chunk.write_parquet(self._parts / f"{self.rows:012d}.parquet")
        else:
            self._write_excel(chunk)
        self.rows += chunk.height

    def _write_excel(self, chunk: pl.DataFrame) -> None:
        if self.rows + chunk.height > EXCEL_MAX_ROWS:
            raise InputError(
                [
                    Problem(
                        "output",
                        f"an .xlsx sheet holds at most {EXCEL_MAX_ROWS} rows; use .csv or .parquet",
                        str(self.path),
                    )
                ]
            )
        sheet = self._sheet
        if self.rows == 0:
            for column, name in enumerate(chunk.columns):
                sheet.write_string(0, column, name)
        for offset, row in enumerate(chunk.iter_rows()):  # xlsxwriter takes cells one by one
            for column, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(self.rows + offset + 1, column, value)
                else:
                    sheet.write_number(self.rows + offset + 1, column, value)

    def commit(self, columns: dict[str, pl.DataType]) -> None:
        """Finish the file and move it into place."""
        if self.format in ("csv", "jsonl"):
            assert self._stream is not None
            if not self._header_written and self.format == "csv":
                pl.DataFrame(schema=columns).write_csv(self._stream)
            self._stream.close()
        elif self.format == "parquet":
            assert self._parts is not None
            if self.rows == 0:
                pl.DataFrame(schema=columns).write_parquet(self.temporary)
            else:
                pl.scan_parquet(self._parts / "*.parquet").sink_parquet(self.temporary)
            shutil.rmtree(self._parts, ignore_errors=True)
        else:
            if self.rows == 0:
                for column, name in enumerate(columns):
                    self._sheet.write_string(0, column, name)
            self._workbook.close()
        os.replace(self.temporary, self.path)

    def abort(self) -> None:
        """Remove everything written so far; the output path is left untouched."""
        if self._stream is not None:
            self._stream.close()
        if self._parts is not None:
            shutil.rmtree(self._parts, ignore_errors=True)
        self.temporary.unlink(missing_ok=True)
