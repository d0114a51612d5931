"""Rosters as workbooks: .xlsx (and .xlsm) and the older .xls, read by calamine (fastexcel).

Before calamine opens an .xlsx, its parts are inspected: the sizes they unpack
to are bounded (a 1 MB file can unpack to gigabytes), and so is the sheet's
declared dimension (calamine allocates it whole: A1:XFD1048576 is 512 GiB). The
first row holding a value is read from the sheet too, so that every row keeps
its Excel row number (calamine starts at the first value, and empty rows inside
are kept: a blank row is a row, reported as such). Every cell is read as text,
as a CSV export would show it (a date cell as 2019-03-01 00:00:00, which the
date spelling accepts). A password-protected workbook is an encrypted container
calamine cannot open: it is named as such.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from xml.etree import ElementTree

import polars as pl

from eligibility.errors import InputError, Problem

ZIP_MAGIC: Final = b"PK\x03\x04"
OLE_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and encrypted .xlsx
MAX_UNPACKED_BYTES: Final = 2 << 30  # all the parts of a workbook together
MAX_SHARED_STRINGS_BYTES: Final = 512 << 20
MAX_CELLS: Final = 50_000_000  # a sheet's declared dimension
MAX_COLUMNS: Final = 1_000
_CELL: Final = re.compile(r"([A-Z]{1,3})(\d+)")
_NAMESPACE: Final = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


@dataclass(frozen=True)
class Workbook:
    """An opened workbook: its sheets' names and what reads them."""

    path: Path
    sheet_names: list[str]
    reader: object  # fastexcel.ExcelReader


def kind_of(head: bytes) -> str | None:
    """'xlsx' or 'ole' (an .xls, or an encrypted workbook) by the file's first bytes; None for anything else."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        return "ole"
    return None


def open_workbook(path: Path, kind: str) -> Workbook:
    """The workbook, inspected first when it is an .xlsx; InputError saying what is wrong otherwise."""
    if kind == "ole" and _encrypted(path):
        raise InputError(
            [
                Problem(
                    str(path),
                    "a password-protected workbook: save it without a password and try again",
                    None,
                    "工作簿设有密码：请去掉密码另存后重试",
                )
            ]
        )
    if kind == "xlsx":
        _inspect_xlsx(path)
    import fastexcel

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reader = fastexcel.read_excel(path)
    except Exception as error:  # fastexcel raises its own types for a broken file
        label = "an .xls" if kind == "ole" else "an .xlsx"
        reason = _first_line(error)
        raise InputError(
            [Problem(str(path), f"not readable as {label} workbook: {reason}", None, f"无法作为工作簿读取：{reason}")]
        ) from None
    return Workbook(path, list(reader.sheet_names), reader)


def head_rows(workbook: Workbook, sheet: int, rows: int) -> tuple[list[list[str]], int]:
    """The first `rows` rows of a sheet as text (empty cells as ''), and the Excel row number of the first."""
    frame, first_row = read_sheet(workbook, sheet, rows)
    return [[cell or "" for cell in row] for row in frame.rows()], first_row


def read_sheet(workbook: Workbook, sheet: int, rows: int | None = None) -> tuple[pl.DataFrame, int]:
    """A sheet's cells as text columns (no header: every row), and the Excel row number of its first row."""
    first_row = _first_valued_row(workbook.path, sheet) if workbook.path.suffix.lower() != ".xls" else 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # fastexcel warns of mixed types: every cell is read as text here
            loaded = workbook.reader.load_sheet(sheet, header_row=None, dtypes="string", n_rows=rows)  # type: ignore[attr-defined]
            frame = loaded.to_polars()
    except Exception as error:
        name = workbook.sheet_names[sheet]
        raise InputError(
            [Problem(str(workbook.path), f"sheet {name!r} cannot be read: {_first_line(error)}")]
        ) from None
    return frame, first_row


def chunks(frame: pl.DataFrame, chunk_rows: int) -> Iterator[pl.DataFrame]:
    for start in range(0, frame.height, chunk_rows):
        yield frame.slice(start, chunk_rows)


def _inspect_xlsx(path: Path) -> None:
    where = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            unpacked = sum(part.file_size for part in parts)
            if unpacked > MAX_UNPACKED_BYTES:
                raise InputError(
                    [Problem(where, f"unpacks to {unpacked:,} bytes; the limit is {MAX_UNPACKED_BYTES:,}")]
                )
            for part in parts:
                if part.filename == "xl/sharedStrings.xml" and part.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise InputError(
                        [
                            Problem(
                                where,
                                f"its text table unpacks to {part.file_size:,} bytes; the limit is {MAX_SHARED_STRINGS_BYTES:,}",
                            )
                        ]
                    )
                if part.filename.startswith("xl/worksheets/sheet") and part.filename.endswith(".xml"):
                    _check_dimension(archive, part.filename, where)
    except zipfile.BadZipFile as error:
        raise InputError([Problem(where, f"not a readable .xlsx workbook: {error}")]) from None


def _check_dimension(archive: zipfile.ZipFile, part: str, where: str) -> None:
    """A sheet's declared dimension (read from the start of its XML), within MAX_CELLS and MAX_COLUMNS."""
    with archive.open(part) as stream:
        start = stream.read(4096).decode("utf-8", errors="replace")
    match = re.search(r'<(?:\w+:)?dimension ref="([A-Z]+\d+)(?::([A-Z]+\d+))?"', start)
    if match is None or match.group(2) is None:
        return
    (first_column, first_row), (last_column, last_row) = (_position(match.group(index)) for index in (1, 2))
    columns, rows = last_column - first_column + 1, last_row - first_row + 1
    if columns > MAX_COLUMNS or columns * rows > MAX_CELLS:
        raise InputError(
            [
                Problem(
                    where,
                    f"a sheet declares {match.group(1)}:{match.group(2)} ({columns:,} columns, {rows:,} rows); "
                    f"the limits are {MAX_COLUMNS:,} columns and {MAX_CELLS:,} cells",
                )
            ]
        )


def _position(reference: str) -> tuple[int, int]:
    match = _CELL.fullmatch(reference)
    assert match is not None
    letters, digits = match.groups()
    column = 0
    for letter in letters:
        column = column * 26 + ord(letter) - ord("A") + 1
    return column, int(digits)


def _first_valued_row(path: Path, sheet: int) -> int:
    """The Excel row number of a sheet's first cell holding a value, where calamine starts (1 when unknown)."""
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return 1
            with archive.open(part) as stream:
                for _, element in ElementTree.iterparse(stream, events=("end",)):
                    if element.tag == f"{_NAMESPACE}c" and (
                        element.find(f"{_NAMESPACE}v") is not None or element.find(f"{_NAMESPACE}is") is not None
                    ):
                        found = _CELL.fullmatch(element.get("r", ""))
                        return int(found.group(2)) if found else 1
                    if element.tag == f"{_NAMESPACE}row":
                        element.clear()
    except (zipfile.BadZipFile, ElementTree.ParseError, KeyError):
        return 1
    return 1


def _sheet_part(archive: zipfile.ZipFile, sheet: int) -> str | None:
    """The XML part of the `sheet`-th sheet (workbook order), through the workbook's relationships."""
    relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {item.get("Id"): item.get("Target", "") for item in relations}
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheets = workbook.findall(f"{_NAMESPACE}sheets/{_NAMESPACE}sheet")
    if sheet >= len(sheets):
        return None
    relation = sheets[sheet].get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
    target = targets.get(relation, "")
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


def _encrypted(path: Path) -> bool:
    """Whether an OLE container holds an encrypted workbook (its directory names EncryptedPackage)."""
    with path.open("rb") as stream:
        head = stream.read(1 << 20)
    return "EncryptedPackage".encode("utf-16-le") in head


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
