"""The scored roster an officer hands on: readable workbooks and CSVs in Chinese, and outputs written safely."""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from eligibility.batch import BatchOptions, run_batch, writing
from eligibility.errors import InputError
from eligibility.packs.catalogue import Catalogue
from tests.support import REPO, invoke

AS_OF = "2025-06-01"
HEADER = "编号,姓名,地区,园区,学历,引进方式,本地工作起始日期,是否在本地购房,人才计划,奖项\n"
ROWS = [
    "A1,张三,阿克苏,,博士,全职引进,2019年6月1日,是,,",  # prefecture doctorate: 50万元
    "A2,李四,阿克苏,阿克苏阿拉尔高新区,博士,,,是,,",  # zone top tier: 70万元
    "A3,王五,綦江,,硕士,,,,tech_enterprise,国家级:200000:国家科技进步奖;市级:50000",  # matching: 25万元
    "A4,赵六,綦江,,硕士,,,,,国家级::国家科技进步奖",  # matching of an unknown award amount
    "A5,钱七,火星,,博导,,,,,",  # two bad cells
]


def roster(tmp_path: Path, rows: list[str] = ROWS, encoding: str = "utf-8") -> Path:
    path = tmp_path / "名单.csv"
    path.write_bytes((HEADER + "\n".join(rows) + "\n").encode(encoding))
    return path


def score(tmp_path: Path, out: str, *arguments: str) -> Path:
    result = invoke("batch", str(roster(tmp_path)), "--out", str(tmp_path / out), "--as-of", AS_OF, *arguments)
    assert result.exit_code == 0, result.output
    return tmp_path / out


def test_a_chinese_workbook_names_each_benefit_and_shows_its_amount_in_wan_yuan_as_a_number(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(score(tmp_path, "结果.xlsx", "--lang", "zh", "--quiet"))
    assert workbook.sheetnames == ["评估结果", "汇总", "分地区", "说明", "错误行"]
    results = workbook["评估结果"]
    headings = [cell.value for cell in results[1]]
    assert headings[:5] == ["行号", "编号", "姓名", "状态", "已知现金合计（万元）"]
    assert headings[-1] == "错误说明"
    rows = {row[1]: dict(zip(headings, row, strict=True)) for row in results.iter_rows(min_row=2, values_only=True)}
    assert rows["A1"]["姓名"] == "张三" and rows["A1"]["状态"] == "已评估"
    assert rows["A1"]["地区高层次人才购房补助"] == 50 and rows["A1"]["已知现金合计（万元）"] == 50
    assert rows["A2"]["高新区高层次人才购房补助"] == 70
    assert rows["A2"]["地区高层次人才购房补助"] == "需补充信息"  # superseded only once the home is known
    matching = "国家级、市级人才称号表彰奖励1:1资金配套"
    assert rows["A3"][matching] == 25 and rows["A3"]["已知现金合计（万元）"] == 25
    assert rows["A4"][matching] == "可享受"  # granted, its amount unknown: never a made-up number
    assert rows["A3"]["綦江区杰出产业人才奖（拟设立）"] == "拟设立"
    assert rows["A5"]["状态"] == "有错误" and rows["A5"]["已知现金合计（万元）"] is None
    assert "地区（region）：'火星'：不是可选的值" in rows["A5"]["错误说明"]
    assert "学历（degree）：'博导'" in rows["A5"]["错误说明"]
    amount = results.cell(row=2, column=headings.index("地区高层次人才购房补助") + 1)
    assert amount.data_type == "n" and amount.number_format == 'General"万元"'
    assert results.freeze_panes == "A2" and results.auto_filter.ref == f"A1:{results.cell(6, len(headings)).coordinate}"
    assert results["A1"].font.b


def test_the_workbook_sums_up_by_benefit_and_region_and_lists_the_bad_rows_apart(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(score(tmp_path, "结果.xlsx", "--lang", "zh", "--quiet"))
    summary = list(workbook["汇总"].iter_rows(values_only=True))
    assert summary[0] == ("地区", "待遇", "可享受人数", "需补充信息", "已知现金合计（万元）")
    assert ("阿克苏地区", "地区高层次人才购房补助", 1, 1, 50) in summary
    assert ("綦江区", "国家级、市级人才称号表彰奖励1:1资金配套", 2, 0, 25) in summary
    service = next(row for row in summary if row[1] == "阿克苏人才服务卡专属权益")
    assert service[4] is None  # a service has no cash to sum
    regions = list(workbook["分地区"].iter_rows(values_only=True))
    assert regions == [("地区", "行数", "已知现金合计（万元）"), ("阿克苏地区", 2, 120), ("綦江区", 2, 25)]
    about = dict(workbook["说明"].iter_rows(min_row=2, values_only=True))
    assert about["评估日期"] == AS_OF and about["行数"] == "5" and about["错误行"] == "1"
    errors = list(workbook["错误行"].iter_rows(values_only=True))
    assert [row[:2] for row in errors] == [("行号", "编号"), (6, "A5")]


def test_an_english_workbook_counts_in_yuan_with_thousands_separators(tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(score(tmp_path, "o.xlsx", "--lang", "en", "--quiet"))
    results = workbook["Results"]
    headings = [cell.value for cell in results[1]]
    assert headings[:5] == ["Row", "ID", "姓名", "Status", "Total known cash (yuan)"]
    column = headings.index("Prefecture home-purchase subsidy for high-level talents") + 1
    assert results.cell(row=2, column=column).value == 500_000
    assert results.cell(row=2, column=column).number_format == "#,##0"


def test_a_readable_csv_opens_in_excel_as_chinese_and_can_be_written_in_gb18030(tmp_path: Path) -> None:
    default = score(tmp_path, "结果.csv", "--lang", "zh", "--quiet").read_bytes()
    assert default.startswith(b"\xef\xbb\xbf")  # the byte-order mark Excel needs to read UTF-8
    assert default.decode("utf-8-sig").startswith("行号,编号,姓名,状态,已知现金合计（万元）,")
    gb = score(tmp_path, "gb.csv", "--lang", "zh", "--quiet", "--output-encoding", "gb18030").read_bytes()
    assert gb.decode("gb18030") == default.decode("utf-8-sig")
    rows = pl.read_csv(tmp_path / "gb.csv", encoding="gb18030", infer_schema=False)
    assert rows.row(0, named=True)["地区高层次人才购房补助"] == "50"


def test_a_character_the_output_encoding_cannot_hold_is_a_clear_error_and_no_file(tmp_path: Path) -> None:
    result = invoke(
        "batch", str(roster(tmp_path)), "--out", str(tmp_path / "o.csv"), "--as-of", AS_OF,
        "--lang", "zh", "--output-encoding", "latin-1",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--output-encoding: 'latin-1': '行' 无法用 latin-1 编码写出；请改用 utf-8-sig 或 gb18030" in result.output
    assert not (tmp_path / "o.csv").exists()
    assert sorted(path.name for path in tmp_path.iterdir()) == ["名单.csv"]
    unknown = invoke("batch", str(roster(tmp_path)), "--out", str(tmp_path / "o.csv"), "--output-encoding", "klingon")
    assert unknown.exit_code == 2 and "--output-encoding: 'klingon': unknown encoding" in unknown.output


def test_a_heading_or_cell_that_would_be_a_formula_is_neutralised_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("编号,=cmd|' /c calc'!A1,地区\n+1,@SUM(A1),阿克苏\n", encoding="utf-8")
    for arguments in (["--lang", "zh"], ["--format", "ids"]):
        out = tmp_path / "o.csv"
        assert invoke("batch", str(path), "--out", str(out), "--quiet", *arguments).exit_code == 0
        text = out.read_text(encoding="utf-8-sig")
        assert "'=cmd|' /c calc'!A1" in text and "'+1" in text and "'@SUM(A1)" in text, arguments
        assert "\n=" not in text and ",=" not in text and ",+" not in text and ",@" not in text


def test_a_link_is_written_through_and_a_directory_or_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    target = tmp_path / "real.xlsx"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.xlsx"
    link.symlink_to(target)
    assert invoke("batch", str(roster(tmp_path)), "--out", str(link), "--quiet").exit_code == 0
    assert link.is_symlink() and openpyxl.load_workbook(target).sheetnames[0] == "Results"
    directory = tmp_path / "out.csv"
    directory.mkdir()
    result = invoke("batch", str(roster(tmp_path)), "--out", str(directory))
    assert result.exit_code == 2 and "a directory: name a file in it" in result.output
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    result = invoke("batch", str(roster(tmp_path)), "--out", str(fifo))  # opening a FIFO would wait forever
    assert result.exit_code == 2 and "not a regular file" in result.output


def test_a_full_disk_is_one_message_naming_the_output_and_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(source: object, target: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writing.os, "replace", full)
    result = invoke("batch", str(roster(tmp_path)), "--out", str(tmp_path / "o.xlsx"))
    assert result.exit_code == 2
    assert f"--out: '{tmp_path / 'o.xlsx'}': cannot be written: No space left on device" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["名单.csv"]


def test_a_roster_too_long_for_a_sheet_is_refused_while_scoring_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(writing, "EXCEL_MAX_ROWS", 3)
    options = BatchOptions(roster(tmp_path), tmp_path / "o.xlsx", date(2025, 6, 1))
    with pytest.raises(InputError, match=r"an \.xlsx sheet holds at most 3 rows; write \.csv or \.parquet"):
        run_batch(options, Catalogue.from_directory())
    assert sorted(path.name for path in tmp_path.iterdir()) == ["名单.csv"]


@pytest.mark.parametrize("later", [0.0, 0.5], ids=["as its files are made", "while it scores"])
def test_a_stopped_run_exits_130_saying_so_and_leaves_the_previous_output_and_no_temporary_file(
    tmp_path: Path, later: float
) -> None:
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n".join(ROWS[:4] * 100_000) + "\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    out.write_text("previous results", encoding="utf-8")
    command = [sys.executable, "-m", "eligibility", "batch", str(path), "--out", str(out), "--lang", "zh", "--quiet"]
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(name.name.endswith(".partial") for name in tmp_path.iterdir()):  # the run has begun writing
        assert process.poll() is None and time.monotonic() < deadline, "the run ended before it could be stopped"
        time.sleep(0.02)
    time.sleep(later)
    assert process.poll() is None, "the run ended before it could be stopped"
    process.send_signal(signal.SIGTERM)
    _, errors = process.communicate(timeout=60)
    assert process.returncode == 130, errors
    assert "中断：未写入输出文件" in errors and "Traceback" not in errors
    assert out.read_text(encoding="utf-8") == "previous results"
    assert sorted(name.name for name in tmp_path.iterdir()) == ["big.csv", "o.xlsx"]


def test_the_readmes_example_workbook_gives_what_the_readme_shows(tmp_path: Path) -> None:
    out = tmp_path / "结果.xlsx"
    result = invoke(
        "batch", str(REPO / "examples" / "人才名册.xlsx"), "--out", str(out), "--lang", "zh", "--as-of", AS_OF
    )
    assert result.exit_code == 0, result.output
    assert "行数: 6    错误行: 1" in result.stdout and "已知现金合计: 140万元" in result.stdout
    assert "表头（第2行）上方的第1行已跳过：2024年人才名册" in result.stderr
    assert "以下列不参与评估，原样复制到输出：姓名、部门" in result.stderr
    sheet = openpyxl.load_workbook(out)["评估结果"]
    headings = [cell.value for cell in sheet[1]]
    rows = {row[1]: dict(zip(headings, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [row["行号"] for row in rows.values()] == [3, 4, 5, 6, 7, 8]  # the title row and header are rows 1-2
    assert (rows["001"]["姓名"], rows["001"]["地区高层次人才购房补助"]) == ("张伟", 50)
    assert (rows["002"]["地区高层次人才购房补助"], rows["002"]["高新区高层次人才购房补助"]) == (None, 70)
    assert rows["003"]["已知现金合计（万元）"] == 0  # 2020年6月2日, typed as text: one day short of five years
    assert rows["005"]["国家级、市级人才称号表彰奖励1:1资金配套"] == 20
    assert rows["006"]["状态"] == "有错误" and "'博导'" in rows["006"]["错误说明"]


def test_a_workbook_holds_the_readable_csvs_cells_row_for_row_for_a_roster_mixing_every_region(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from eligibility.batch import xlsx
    from tests.support.rosters import roster as random_roster

    monkeypatch.setattr(xlsx, "SLICE_ROWS", 700)  # several slices, each mixing regions and bad rows
    source = tmp_path / "roster.csv"
    random_roster(3_000, seed=12).write_csv(source)
    for out in ("out.csv", "out.xlsx"):
        options = BatchOptions(source, tmp_path / out, date(2025, 6, 1), language="zh")
        run_batch(options, Catalogue.from_directory())
    written = pl.read_csv(tmp_path / "out.csv", infer_schema=False, encoding="utf8-lossy")
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["评估结果"]
    rows = sheet.iter_rows(values_only=True)
    assert list(next(rows)) == [name.lstrip("\ufeff") for name in written.columns]

    def as_text(value: object) -> str | None:
        return None if value is None else str(int(value) if isinstance(value, float) and value.is_integer() else value)

    width = written.width  # a row read back ends at its last cell that holds something
    cells = [[as_text(value) for value in row] + [None] * (width - len(row)) for row in rows]
    assert len(cells) == written.height == 3_000
    assert cells == [list(row) for row in written.iter_rows()]
    assert {row[4] for row in cells} == {"已评估", "有错误"}


def test_an_output_name_that_is_not_utf8_is_refused_naming_it_before_anything_is_written(tmp_path: Path) -> None:
    # A name from a non-UTF-8 shell arrives as lone surrogates; the columnar writer cannot open such a path.
    source = roster(tmp_path)
    for out in (tmp_path / "o\udcff.xlsx", tmp_path / "d\udcff" / "o.csv"):
        out.parent.mkdir(exist_ok=True)
        process = subprocess.run(
            [sys.executable, "-m", "eligibility", "batch", source, "--out", out, "--quiet"],
            capture_output=True, cwd=REPO, timeout=60, env={**os.environ, "LANG": "C.UTF-8"},
        )  # fmt: skip
        errors = process.stderr.decode("utf-8", "replace")
        assert process.returncode == 2 and "Traceback" not in errors, errors
        assert "its name is not UTF-8 text; rename it, or name another file" in errors
        assert not any(name.endswith((b".partial", b".parts")) for name in os.listdir(os.fsencode(out.parent)))


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Callable[[str], Path]]:
    """A real tmpfs mounted in tmp_path, with the options given (CI runs as root, as the sessions do)."""
    mounted: list[Path] = []

    def mount(options: str) -> Path:
        point = tmp_path / f"disk{len(mounted)}"
        point.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)], check=True, timeout=30)
        mounted.append(point)
        return point

    yield mount
    for point in mounted:
        subprocess.run(["umount", "-l", str(point)], check=False, timeout=30)


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".parquet", ".jsonl"])
def test_a_really_full_disk_is_one_message_naming_the_output_and_leaves_nothing_on_it(
    tmp_path: Path, small_disk: Callable[[str], Path], suffix: str
) -> None:
    source = tmp_path / "big.csv"
    source.write_text(HEADER + "\n".join(ROWS[:4] * 2_000) + "\n", encoding="utf-8")
    disk = small_disk("size=64k")
    out = disk / f"o{suffix}"
    process = subprocess.run(
        [sys.executable, "-m", "eligibility", "batch", str(source), "--out", str(out), "--quiet"],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert process.returncode == 2 and "Traceback" not in process.stderr, process.stderr[-2000:]
    assert f"--out: '{out}': cannot be written: No space left on device" in process.stderr
    assert os.listdir(disk) == []


def test_a_read_only_mount_is_one_message_naming_the_output(tmp_path: Path, small_disk: Callable[[str], Path]) -> None:
    disk = small_disk("size=64k,ro")
    process = subprocess.run(
        [sys.executable, "-m", "eligibility", "batch", str(roster(tmp_path)), "--out", str(disk / "o.xlsx")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
    )  # fmt: skip
    assert process.returncode == 2 and "Traceback" not in process.stderr, process.stderr[-2000:]
    assert f"--out: '{disk / 'o.xlsx'}': cannot be written: Read-only file system" in process.stderr


def test_a_device_node_as_the_output_is_refused_and_left_a_device(tmp_path: Path) -> None:
    result = invoke("batch", str(roster(tmp_path)), "--out", "/dev/null", "--format", "csv")
    assert (
        result.exit_code == 2
        and "not a regular file (a device, a FIFO or a socket): it is never replaced" in result.output
    )
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
