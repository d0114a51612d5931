"""Reading a roster: the file checked, its format found by its content, its header row found, its columns mapped.

A roster is a CSV or tab-separated text file (batch/text_files.py) or a workbook
(batch/workbooks.py), recognised by its first bytes whatever its name says. The
header row is the first whose cells are mostly names of facts (title rows above
it are skipped and named in a notice), unless `header_row` says which. Columns
that are no fact (姓名, 部门) are carried to the output unchanged. Every chunk
holds, besides the cells, the row number a spreadsheet shows for each row (the
line of a text file, the row of a sheet), and, for a row that cannot be read as
one, why.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import polars as pl

from eligibility.batch import text_files, workbooks
from eligibility.batch.columns import RECORD_PROBLEM, RECORD_PROBLEM_ZH, ROW_NUMBER, column_key
from eligibility.errors import InputError, Problem
from eligibility.facts.spelling import closest_key
from eligibility.presentation.labels import label

MAX_COLUMNS: Final = workbooks.MAX_COLUMNS
HEAD_ROWS: Final = 50  # rows looked at for the header row


@dataclass(frozen=True)
class Notice:
    """Something the user should know about the input (a column not used, rows skipped), in English and Chinese."""

    en: str
    zh: str

    def __str__(self) -> str:
        return self.en

    def text(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


@dataclass(frozen=True)
class Headers:
    """How a roster's columns are used.

    `facts`: canonical key -> the header the file used. `carried`: a column that is
    no fact (e.g. 姓名, 部门) -> its name in the output, where it is copied unchanged.
    `notices`: one line per thing the user should know about the columns.
    """

    facts: dict[str, str]
    carried: dict[str, str]
    notices: tuple[Notice, ...]


@dataclass(frozen=True)
class Roster:
    """An opened input: how its columns are used, its chunks (facts renamed to canonical keys), what it is.

    A chunk holds ROW_NUMBER (the row as a spreadsheet shows it) and may hold a
    RECORD_PROBLEM column: why a row could not be read as one (blank, or not as
    many fields as the header), null for a good row.
    """

    headers: Headers
    chunks: Iterator[pl.DataFrame]
    description: str
    notices: tuple[Notice, ...] = ()


def map_headers(columns: list[str], where: str, reserved: Iterable[str] = ()) -> Headers:
    """Which column is which fact; other columns are carried through; a column or fact given twice is a problem."""
    if len(columns) > MAX_COLUMNS:
        raise InputError([_too_many_columns(where, len(columns))])
    facts: dict[str, str] = {}
    carried: dict[str, str] = {}
    notices: list[Notice] = []
    problems: list[Problem] = []
    taken = set(reserved)
    positions: dict[str, int] = {}
    for position, column in enumerate(columns, 1):
        if column in positions:
            problems.append(
                Problem(
                    f"{where}: column",
                    f"appears twice (columns {positions[column]} and {position}): which one is meant is not ours to guess",
                    column,
                    f"列名重复（第{positions[column]}列和第{position}列）：无法判断应使用哪一列",
                )
            )
            continue
        positions[column] = position
        key = column_key(column)
        if key is None:
            name = column if column not in taken else f"{column} (input)"
            carried[column] = name
            taken.add(name)
            guess = closest_key(column)
            if guess is not None:
                notices.append(
                    Notice(
                        f"{where}: column {column!r} is not a known fact (did you mean {guess}?); "
                        "its values are not used for scoring, only copied to the output",
                        f"{where}：列 {column!r} 不是已知的信息项（是否应为 {label(guess, 'zh')}？）；"
                        "该列不参与评估，仅原样复制到输出",
                    )
                )
        elif key in facts:
            problems.append(
                Problem(
                    f"{where}: column",
                    f"same fact as column {facts[key]!r} ({key})",
                    column,
                    f"与列 {facts[key]!r} 是同一信息项（{label(key, 'zh')}）",
                )
            )
        else:
            facts[key] = column
    unguessed = [column for column in carried if closest_key(column) is None]
    if unguessed:
        notices.insert(
            0,
            Notice(
                f"{where}: columns not used for scoring, copied unchanged to the output: " + ", ".join(unguessed),
                f"{where}：以下列不参与评估，原样复制到输出：" + "、".join(unguessed),
            ),
        )
    if problems:
        raise InputError(problems)
    return Headers(facts, carried, tuple(notices))


def header_index(rows: list[list[str]], given: int | None, first_row: int, where: str) -> int:
    """Which of `rows` (the first rows, numbered from `first_row`) is the header: `given`, or found.

    Found: the first row naming at least two facts, or naming one among no more
    other cells (a title row, 2024年人才名册, names none; an export's header names
    a few facts among many other columns, 姓名, 部门, 手机 ...).
    """
    for row in rows:
        if len(row) > MAX_COLUMNS:
            raise InputError([_too_many_columns(where, len(row))])
    if given is not None:
        index = given - first_row
        if not 0 <= index < len(rows):
            last = first_row + len(rows) - 1
            raise InputError(
                [
                    Problem(
                        "header_row",
                        f"no such row in {where}; its rows run {first_row} to {last}",
                        given,
                        f"{where} 中没有这一行；行号范围为 {first_row} 至 {last}",
                    )
                ]
            )
        return index
    for index, row in enumerate(rows):
        cells = [cell.strip() for cell in row if cell and cell.strip()]
        known = sum(column_key(cell) is not None for cell in cells)
        if known >= 2 or (known and known * 2 >= len(cells)):
            return index
    raise InputError(
        [
            Problem(
                where,
                f"no header row in its first {len(rows)} rows: no row names the facts (地区, 学历, ...); "
                "name the header row, or check this is the roster",
                message_zh=f"前 {len(rows)} 行中找不到表头：没有一行写有信息项名称（地区、学历……）；"
                "请用 --header-row 指明表头所在行，或检查文件是否为人才名单",
            )
        ]
    )


def _too_many_columns(where: str, count: int) -> Problem:
    return Problem(
        where,
        f"{count:,} columns; a roster has at most {MAX_COLUMNS:,}",
        message_zh=f"共 {count:,} 列；人才名单最多 {MAX_COLUMNS:,} 列",
    )


def _skipped_notice(rows: list[list[str]], index: int, first_row: int, where: str) -> tuple[Notice, ...]:
    if index == 0:
        return ()
    titles = "; ".join(
        " ".join(cell for cell in row if cell.strip()) for row in rows[:index] if any(c.strip() for c in row)
    )
    last = first_row + index - 1
    above = f"row {first_row}" if index == 1 else f"rows {first_row}-{last}"
    above_zh = f"第{first_row}行" if index == 1 else f"第{first_row}至{last}行"
    return (
        Notice(
            f"{where}: {above} above the header (row {first_row + index}) skipped" + (f": {titles}" if titles else ""),
            f"{where}：表头（第{first_row + index}行）上方的{above_zh}已跳过" + (f"：{titles}" if titles else ""),
        ),
    )


def check_input(path: Path) -> bytes:
    """The first bytes of a readable, non-empty regular file; InputError saying what the path is otherwise."""
    try:
        status = os.stat(path)
    except FileNotFoundError:
        raise InputError([Problem(str(path), "no such file", None, "文件不存在")]) from None
    except OSError as error:
        raise InputError([Problem(str(path), f"cannot be read: {error.strerror}")]) from None
    if stat.S_ISDIR(status.st_mode):
        raise InputError(
            [
                Problem(
                    str(path),
                    "a directory, not a roster file: name the file",
                    None,
                    "这是目录，不是名单文件：请指明文件",
                )
            ]
        )
    if not stat.S_ISREG(status.st_mode):
        raise InputError(
            [
                Problem(
                    str(path),
                    "not a regular file (a device, a FIFO or a socket)",
                    None,
                    "不是普通文件（设备、管道或套接字）",
                )
            ]
        )
    if status.st_size == 0:
        raise InputError([Problem(str(path), "the file is empty", None, "文件是空的")])
    try:
        with path.open("rb") as stream:
            return stream.read(8)
    except OSError as error:
        raise InputError([Problem(str(path), f"cannot be read: {error.strerror}")]) from None


@contextmanager
def open_roster(
    path: Path,
    chunk_bytes: int,
    chunk_rows: int,
    encoding: str | None = None,
    reserved: Iterable[str] = (),
    sheet: str | None = None,
    header_row: int | None = None,
) -> Iterator[Roster]:
    """The roster's headers and chunks (columns renamed to canonical keys); temporary files cleaned up."""
    kind = workbooks.kind_of(check_input(path))
    if kind is not None:
        yield _workbook_roster(path, kind, chunk_rows, reserved, sheet, header_row)
        return
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        raise InputError(
            [
                Problem(
                    str(path),
                    "named as a workbook but holds no workbook: is it a text export?",
                    None,
                    "扩展名是工作簿，但内容不是工作簿：是否为文本导出文件？",
                )
            ]
        )
    text_format = text_files.sniff(path, encoding, str(path))
    if not text_format.needs_rewriting:
        yield _text_roster(path, text_format, chunk_bytes, reserved, header_row, str(path))
        return
    with tempfile.TemporaryDirectory(prefix="eligibility-batch-") as scratch:
        utf8 = Path(scratch) / "input.csv"
        text_files.rewrite_as_utf8(path, text_format, utf8)
        yield _text_roster(utf8, text_format, chunk_bytes, reserved, header_row, str(path))


def _text_roster(
    path: Path,
    text_format: text_files.TextFormat,
    chunk_bytes: int,
    reserved: Iterable[str],
    header_row: int | None,
    where: str,
) -> Roster:
    rows = text_files.head_rows(path, text_format.separator)
    index = header_index(rows, header_row, 1, where)
    columns = text_files.header_columns(rows[index], index + 1, where)
    headers = map_headers(columns, where, reserved)
    renames = {header: key for key, header in headers.facts.items()}
    chunks = (
        frame.rename(renames)
        for frame in text_files.text_chunks(path, text_format.separator, index + 1, columns, chunk_bytes, where)
    )
    return Roster(headers, chunks, text_format.describe(), _skipped_notice(rows, index, 1, where))


def _workbook_roster(
    path: Path, kind: str, chunk_rows: int, reserved: Iterable[str], sheet: str | None, header_row: int | None
) -> Roster:
    workbook = workbooks.open_workbook(path, kind)
    where = str(path)
    notices: list[Notice] = []
    if path.suffix.lower() not in (".xlsx", ".xlsm", ".xls"):
        extension = ".xls" if kind == "ole" else ".xlsx"
        notices.append(
            Notice(
                f"{where}: read as the {extension} workbook it is, whatever its name",
                f"{where}：按其实际内容作为 {extension} 工作簿读取",
            )
        )
    index, rows, first_row, header = _choose_sheet(workbook, sheet, header_row)
    name = workbook.sheet_names[index]
    if len(workbook.sheet_names) > 1:
        notices.append(
            Notice(
                f"{where}: sheet {name!r} read (sheets: {', '.join(workbook.sheet_names)})",
                f"{where}：读取工作表 {name!r}（全部工作表：{'、'.join(workbook.sheet_names)}）",
            )
        )
    where = f"{where} [{name}]"
    notices.extend(_skipped_notice(rows, header, first_row, where))
    frame, first_row = workbooks.read_sheet(workbook, index)
    columns = [
        str(cell).strip() if cell is not None and str(cell).strip() else f"column {position}"
        for position, cell in enumerate(frame.row(header), 1)
    ]
    headers = map_headers(columns, where, reserved)
    data = frame.slice(header + 1).rename(dict(zip(frame.columns, columns, strict=True)))
    blank = pl.all_horizontal(pl.col(column).is_null() | (pl.col(column).str.strip_chars() == "") for column in columns)
    row = pl.int_range(first_row + header + 1, first_row + header + 1 + data.height, dtype=pl.Int64)
    data = data.with_columns(
        row.alias(ROW_NUMBER),
        pl.when(blank)
        .then(pl.lit("row ") + row.cast(pl.String) + pl.lit(": blank row; nothing to score"))
        .alias(RECORD_PROBLEM),
        pl.when(blank)
        .then(pl.lit("第") + row.cast(pl.String) + pl.lit("行：空行，没有可评估的内容"))
        .alias(RECORD_PROBLEM_ZH),
    ).rename({header: key for key, header in headers.facts.items()})
    return Roster(headers, workbooks.chunks(data, chunk_rows), "workbook", tuple(notices))


def _choose_sheet(
    workbook: workbooks.Workbook, sheet: str | None, header_row: int | None
) -> tuple[int, list[list[str]], int, int]:
    """The sheet to read (named, numbered from 1, or the first with a header row), its head rows and header."""
    names = workbook.sheet_names
    where = str(workbook.path)
    if sheet is not None:
        by_name = {name.strip().lower(): position for position, name in enumerate(names)}
        index = int(sheet) - 1 if sheet.strip().isdigit() else by_name.get(sheet.strip().lower(), -1)
        if not 0 <= index < len(names):
            raise InputError(
                [
                    Problem(
                        "sheet",
                        f"no such sheet; sheets: {', '.join(names)} (or 1 to {len(names)})",
                        sheet,
                        f"没有这个工作表；工作表有：{'、'.join(names)}（或用序号 1 至 {len(names)}）",
                    )
                ]
            )
        rows, first_row = workbooks.head_rows(workbook, index, HEAD_ROWS)
        return index, rows, first_row, header_index(rows, header_row, first_row, f"{where} [{names[index]}]")
    for index, name in enumerate(names):
        rows, first_row = workbooks.head_rows(workbook, index, HEAD_ROWS)
        try:
            return index, rows, first_row, header_index(rows, header_row, first_row, f"{where} [{name}]")
        except InputError:
            if header_row is not None:
                raise
    raise InputError(
        [Problem(where, f"no sheet has a header row naming the facts (地区, 学历, ...); sheets: {', '.join(names)}")]
    )
