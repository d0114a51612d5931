"""Rosters as offices keep them are read, and hostile or broken ones refused at once by name (issues 10 and 12)."""

from __future__ import annotations

import datetime
import os
import re
import shutil
import time
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter  # type: ignore[import-untyped]
from typer.testing import CliRunner

from eligibility.batch import workbooks
from eligibility.cli import app

AS_OF = "2025-06-01"


def run(*arguments: str) -> Any:
    """`eligibility batch` writing the ids layout (stable column names), as a program reading it would."""
    return CliRunner().invoke(app, ["batch", *arguments, "--format", "ids", "--as-of", AS_OF, "--quiet"])


def scored(path: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pl.read_csv(path, infer_schema=False).to_dicts()
    return rows


def test_a_workbook_with_an_instructions_sheet_a_title_row_mixed_dates_and_a_blank_row_keeps_excel_row_numbers(
    tmp_path: Path,
) -> None:
    path = tmp_path / "名册.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("填表说明").write(0, 0, "请按模板填写，勿改表头")
    sheet = book.add_worksheet("名册")
    sheet.merge_range(0, 0, 0, 5, "2024年人才名册")
    for column, name in enumerate(["编号", "姓名", "地区", "学历", "引进方式", "本地工作起始日期", "是否在本地购房"]):
        sheet.write(1, column, name)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(2, 0, ["A1", "王一", "阿克苏", "博士", "全职引进"])
    sheet.write_datetime(2, 5, datetime.datetime(2019, 3, 1), day)  # a real date cell
    sheet.write(2, 6, "是")
    sheet.write_row(4, 0, ["A2", "李二", "阿克苏", "博士", "全职引进", "2019/4/1", "是"])  # row 4 is blank
    book.close()
    out = tmp_path / "out.csv"
    result = run(str(path), "--out", str(out))
    assert result.exit_code == 0, result.output
    rows = scored(out)
    assert [(row["row"], row["status"], row["total_cash_yuan"]) for row in rows] == [
        ("3", "ok", "500000"),
        ("4", "error", None),
        ("5", "ok", "500000"),
    ]
    assert rows[1]["error"] == "row 4: blank row; nothing to score"
    assert (
        "sheet '名册' read" in result.stderr
        and "row 1 above the header (row 2) skipped: 2024年人才名册" in result.stderr
    )


def test_a_sheet_and_a_header_row_can_be_named_and_a_sheet_without_a_header_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write(0, 0, "只有说明")
    data = book.add_worksheet("数据")
    data.write_row(0, 0, ["地区", "学历"])
    data.write_row(1, 0, ["阿克苏", "硕士"])
    book.close()
    assert run(str(path), "--out", str(tmp_path / "a.csv"), "--sheet", "2").exit_code == 0
    assert run(str(path), "--out", str(tmp_path / "b.csv"), "--sheet", "数据", "--header-row", "1").exit_code == 0
    refused = run(str(path), "--out", str(tmp_path / "c.csv"), "--sheet", "说明")
    assert refused.exit_code == 2 and "[说明]: no header row" in refused.output
    missing = run(str(path), "--out", str(tmp_path / "d.csv"), "--sheet", "名单")
    assert missing.exit_code == 2 and "--sheet: '名单': no such sheet; sheets: 说明, 数据" in missing.output


def test_an_old_xls_export_is_read(tmp_path: Path) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    sheet = book.add_sheet("名册")
    for column, name in enumerate(["编号", "地区", "学历", "本地工作年限", "引进方式", "是否在本地购房"]):
        sheet.write(0, column, name)
    for column, value in enumerate(["X1", "阿克苏", "博士", 5, "全职引进", "是"]):
        sheet.write(1, column, value)
    book.save(str(tmp_path / "名册.xls"))
    result = run(str(tmp_path / "名册.xls"), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert [(row["row"], row["total_cash_yuan"]) for row in scored(tmp_path / "out.csv")] == [("2", "500000")]


def test_a_password_protected_workbook_is_refused_as_such(tmp_path: Path) -> None:
    from msoffcrypto.format.ooxml import OOXMLFile  # type: ignore[import-untyped]

    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    book.add_worksheet().write_row(0, 0, ["地区"])
    book.close()
    locked = tmp_path / "locked.xlsx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    result = run(str(locked), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "a password-protected workbook: save it without a password" in result.output


def test_unicode_text_utf16_tab_separated_as_excel_saves_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "名单.txt"
    path.write_bytes("编号\t地区\t学历\r\nU1\t阿克苏\t硕士\r\n".encode("utf-16"))
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert [(row["id"], row["status"]) for row in scored(tmp_path / "out.csv")] == [("U1", "ok")]


def test_old_mac_line_endings_give_every_row_not_none(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes("编号,地区\rM1,阿克苏\rM2,临河\r".encode())
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert [(row["row"], row["id"]) for row in scored(tmp_path / "out.csv")] == [("2", "M1"), ("3", "M2")]


def test_a_column_given_twice_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("id,region,degree,degree\n1,aksu,master,doctorate\n", encoding="utf-8")
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "'degree': appears twice (columns 3 and 4)" in result.output
    assert not (tmp_path / "out.csv").exists()


def test_cells_holding_numbers_too_long_for_python_to_print_make_an_error_row_naming_each(tmp_path: Path) -> None:
    path = tmp_path / "long_numbers.csv"
    path.write_text(
        f"id,region,years_served,awards\n{'7' * 5000},aksu,{'1' * 5000},national:{'9' * 5000}\n", encoding="utf-8"
    )
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    [row] = scored(tmp_path / "out.csv")
    assert row["status"] == "error" and row["error"].startswith("id: '777"), row["error"][:300]
    assert "too long: 5000 characters" in row["error"] and "; years_served: '111" in row["error"]
    assert "; awards: 'national:999" in row["error"] and row["id"] is None  # refused, as the API refuses it


def test_a_quote_never_closed_early_in_a_long_file_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text('id,region\n1,"aksu\n' + "2,aksu\n" * 100_000, encoding="utf-8")
    started = time.monotonic()
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "never closed" in result.output
    assert time.monotonic() - started < 20  # the search for record ends used to be quadratic: 233 s


def test_a_legitimate_quoted_cell_of_twenty_megabytes_full_of_commas_and_line_breaks_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big_cell.csv"
    path.write_text('id,region,notes\n1,aksu,"' + "x,\n" * 7_000_000 + '"\n2,aksu,short\n', encoding="utf-8")
    started = time.monotonic()
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.output
    assert [(row["row"], row["id"]) for row in scored(tmp_path / "out.csv")] == [("2", "1"), ("7000003", "2")]
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("columns", [5_000, 10_000])
def test_a_roster_wider_than_any_office_keeps_is_refused_at_once(tmp_path: Path, columns: int) -> None:
    path = tmp_path / "wide.csv"
    path.write_text(",".join(["region", *(f"c{index}" for index in range(columns))]) + "\n", encoding="utf-8")
    started = time.monotonic()
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and f"{columns + 1:,} columns; a roster has at most 1,000" in result.output
    assert time.monotonic() - started < 10


def _rewrite_part(source: Path, target: Path, part: str, change: Any) -> None:
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for item in original.infolist():
            data = original.read(item.filename)
            copy.writestr(item, change(data) if item.filename == part else data)


def test_a_small_workbook_declaring_a_vast_sheet_is_refused_before_it_is_read(tmp_path: Path) -> None:
    plain = tmp_path / "plain.xlsx"
    book = xlsxwriter.Workbook(str(plain))
    book.add_worksheet().write_row(0, 0, ["地区"])
    book.close()
    bomb = tmp_path / "bomb.xlsx"
    _rewrite_part(
        plain, bomb, "xl/worksheets/sheet1.xml", lambda data: re.sub(rb'ref="[^"]+"', b'ref="A1:XFD1048576"', data)
    )
    result = run(str(bomb), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "declares A1:XFD1048576 (16,384 columns, 1,048,576 rows)" in result.output


def test_a_workbook_whose_text_table_unpacks_past_the_limit_is_refused(tmp_path: Path, monkeypatch: Any) -> None:
    path = tmp_path / "strings.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet().write_row(0, 0, ["地区", "x" * 5_000])
    book.close()
    monkeypatch.setattr(workbooks, "MAX_SHARED_STRINGS_BYTES", 1_000)  # the real bound is 512 MiB: the same check
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and "its text table unpacks to" in result.output


def test_a_workbook_named_csv_is_read_as_the_workbook_it_is(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "real.xlsx"))
    book.add_worksheet().write_row(0, 0, ["地区", "学历"])
    book.close()
    shutil.copy(tmp_path / "real.xlsx", tmp_path / "misnamed.csv")
    result = run(str(tmp_path / "misnamed.csv"), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0 and "read as the .xlsx workbook it is" in result.stderr


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp, "a directory, not a roster file"),
        (lambda tmp: Path("/dev/zero"), "not a regular file"),
        (lambda tmp: _written(tmp / "empty.csv", b""), "the file is empty"),
        (lambda tmp: _written(tmp / "text.xlsx", b"id,region\n"), "named as a workbook but holds no workbook"),
    ],
    ids=["a directory", "a device", "an empty file", "text named .xlsx"],
)
def test_an_input_that_is_no_roster_gets_its_own_message(tmp_path: Path, make: Any, message: str) -> None:
    result = run(str(make(tmp_path)), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 2 and message in result.output, result.output


def _written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_no_third_party_warning_reaches_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "mixed.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["地区", "本地工作年限"])
    for row in range(1, 50):
        sheet.write_row(row, 0, ["阿克苏", row if row % 2 else "五年"])  # numbers and text in one column
    book.close()
    result = run(str(path), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0
    assert "warn" not in result.stderr.lower() and "dtype" not in result.stderr.lower()
    assert os.environ.get("PYTHONWARNINGS") != "ignore"  # the test would prove nothing with warnings off
