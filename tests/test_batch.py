"""`eligibility batch` end to end: encodings, Excel, bad rows, safe and atomic output, exit statuses."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from typer.testing import CliRunner

from eligibility.batch import BatchOptions, run_batch
from eligibility.batch.columns import CheckedSpellings, validate
from eligibility.batch.writing import RosterWriter
from eligibility.cli import app
from eligibility.packs.catalogue import Catalogue

AS_OF = "2025-06-01"
CHINESE_HEADER = (
    "编号,地区,园区,学历,职称,技能等级,引进方式,本地工作起始日期,是否在本地购房,是否急需紧缺,人才计划,奖项\n"
)
CHINESE_ROWS = [
    "A1,阿克苏,,博士,,,全职引进,2019年6月1日,是,,,",  # prefecture doctorate: 500,000
    "A2,阿克苏,阿克苏阿拉尔高新区,博士研究生,,,,,是,,,",  # zone top tier 700,000 wins the group
    "A3,阿克苏,,硕士,,,全职引进,2020/6/2,是,,,",  # one day short of five years: nothing granted yet
    "A4,火星,,博士,,,,,,,,",  # bad region
    "A5,阿克苏,,博导,,,,2021-02-30,也许,,,",  # three bad cells, all reported
    "A6,,,本科,,,,,,,,",  # region missing
    "A7,阿克苏,,本科,,,,,,,tuofeng,国家级:200000:国家科技进步奖",
    "=HYPERLINK(1),阿克苏,,,,,,,,,,",  # a formula where an id should be
]
runner = CliRunner()


def write_roster(path: Path, encoding: str, rows: list[str] = CHINESE_ROWS) -> Path:
    path.write_bytes((CHINESE_HEADER + "\n".join(rows) + "\n").encode(encoding))
    return path


def invoke(*arguments: str) -> Any:
    return runner.invoke(app, ["batch", *arguments, "--as-of", AS_OF])


def test_a_gb18030_chinese_header_export_with_bad_rows_scores_every_row_in_order(
    tmp_path: Path, data_regression: Any
) -> None:
    roster = write_roster(tmp_path / "名单.csv", "gb18030")
    scored, summary = tmp_path / "scored.csv", tmp_path / "summary.json"
    result = invoke(
        str(roster), "--out", str(scored), "--format", "ids", "--summary-json", str(summary), "--lang", "en"
    )
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(scored, infer_schema=False).to_dicts()
    assert [row["id"] for row in rows] == [line.split(",")[0].replace("=", "'=") for line in CHINESE_ROWS]
    report = json.loads(summary.read_text(encoding="utf-8"))
    report["benefits"] = [item for item in report["benefits"] if item["granted"] or item["needs_info"]]
    for key in ("input", "output", "rules_version"):
        report.pop(key)
    data_regression.check({"rows": rows, "summary": report})


def test_a_bad_cell_is_named_with_its_column_value_and_what_is_allowed(tmp_path: Path) -> None:
    scored = tmp_path / "scored.jsonl"
    assert invoke(str(write_roster(tmp_path / "r.csv", "gb18030")), "--out", str(scored), "--quiet").exit_code == 0
    rows = {row["id"]: row for row in map(json.loads, scored.read_text(encoding="utf-8").splitlines())}
    error = rows["A5"]["error"]
    assert rows["A5"]["status"] == "error" and rows["A5"]["granted"] is None
    assert "学历 (degree): '博导': not an allowed value; allowed: none (无)" in error
    assert "本地工作起始日期 (service_start_date): '2021-02-30': not a date" in error
    assert "是否在本地购房 (bought_home_in_region): '也许': not a yes/no value" in error
    assert rows["A6"]["error"].startswith("地区 (region): required; allowed: aksu (阿克苏/阿克苏地区)")
    assert rows["A1"]["status"] == "ok" and rows["A1"]["error"] is None


def test_fail_on_error_exits_1_when_any_row_is_bad_and_still_writes_every_row(tmp_path: Path) -> None:
    scored = tmp_path / "scored.csv"
    result = invoke(
        str(write_roster(tmp_path / "r.csv", "gb18030")), "--out", str(scored), "--fail-on-error", "--quiet"
    )
    assert result.exit_code == 1
    assert pl.read_csv(scored).height == len(CHINESE_ROWS)


def test_fail_on_error_exits_0_when_every_row_is_good(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", "utf-8", CHINESE_ROWS[:3])
    assert invoke(str(roster), "--out", str(tmp_path / "o.csv"), "--fail-on-error", "--quiet").exit_code == 0


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_every_common_encoding_is_detected_and_scores_alike(tmp_path: Path, encoding: str) -> None:
    reference, scored = tmp_path / "reference.csv", tmp_path / "scored.csv"
    assert invoke(str(write_roster(tmp_path / "u.csv", "utf-8")), "--out", str(reference), "--quiet").exit_code == 0
    assert invoke(str(write_roster(tmp_path / "e.csv", encoding)), "--out", str(scored), "--quiet").exit_code == 0
    assert scored.read_bytes() == reference.read_bytes()


def test_an_explicit_encoding_overrides_detection_and_a_wrong_one_is_a_clear_error(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", "gb18030")
    assert invoke(str(roster), "--out", str(tmp_path / "o.csv"), "--encoding", "gb18030", "--quiet").exit_code == 0
    result = invoke(str(roster), "--out", str(tmp_path / "o.csv"), "--encoding", "klingon")
    assert result.exit_code == 2
    assert "--encoding: 'klingon': unknown encoding" in result.output


def test_formulas_are_neutralised_in_csv_and_are_plain_text_cells_in_xlsx(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", "utf-8")
    for arguments in (["--out", str(tmp_path / "o.csv")], ["--out", str(tmp_path / "ids.csv"), "--format", "ids"]):
        assert invoke(str(roster), *arguments, "--quiet").exit_code == 0
        frame = pl.read_csv(arguments[1], infer_schema=False)
        texts = [cell for column in frame.iter_columns() for cell in column if cell]
        assert "'=HYPERLINK(1)" in texts
        assert not [cell for cell in texts if cell[0] in "=+-@"], arguments
    assert invoke(str(roster), "--out", str(tmp_path / "o.xlsx"), "--quiet").exit_code == 0
    sheet = openpyxl.load_workbook(tmp_path / "o.xlsx").worksheets[0]
    ids = [row[1] for row in sheet.iter_rows(min_row=2)]
    formula = next(cell for cell in ids if cell.value == "=HYPERLINK(1)")  # shown as typed, no apostrophe
    assert formula.data_type == "s"  # a text cell: Excel never evaluates it


def test_xlsx_in_and_every_output_format_give_the_same_rows(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", "utf-8", CHINESE_ROWS[:7])
    workbook = tmp_path / "roster.xlsx"
    pl.read_csv(roster, infer_schema=False).write_excel(workbook)
    reference, readable = tmp_path / "reference.csv", tmp_path / "readable.csv"
    assert invoke(str(roster), "--out", str(reference), "--format", "ids", "--quiet").exit_code == 0
    assert invoke(str(roster), "--out", str(readable), "--lang", "zh", "--quiet").exit_code == 0
    expected = pl.read_csv(reference, infer_schema=False)
    readers: dict[str, Callable[[Path], pl.DataFrame]] = {
        ".csv": lambda path: pl.read_csv(path, infer_schema=False),
        ".jsonl": pl.read_ndjson,
        ".parquet": pl.read_parquet,
    }
    for name in ("o.csv", "o.jsonl", "o.parquet"):
        out = tmp_path / name
        output_format = "ids" if name == "o.csv" else out.suffix[1:]
        assert invoke(str(workbook), "--out", str(out), "--format", output_format, "--quiet").exit_code == 0, name
        frame = readers[out.suffix](out)
        assert frame.cast(pl.String).fill_null("").equals(expected.fill_null("")), name
    out = tmp_path / "o.xlsx"  # the readable layout: the workbook shows what the readable CSV shows
    assert invoke(str(workbook), "--out", str(out), "--lang", "zh", "--quiet").exit_code == 0
    cells = pl.read_excel(out, sheet_id=1, infer_schema_length=0)
    assert cells.fill_null("").equals(pl.read_csv(readable, infer_schema=False).fill_null(""))


def test_output_rows_keep_input_order_whatever_the_chunk_size(tmp_path: Path) -> None:
    rows = [row.replace("A", f"B{index}-", 1) for index in range(10) for row in CHINESE_ROWS[:7]]
    roster = write_roster(tmp_path / "r.csv", "utf-8", rows)
    catalogue = Catalogue.from_directory()
    outputs = []
    for chunk_bytes in (3, 100, 1 << 20):
        out = tmp_path / f"o{chunk_bytes}.csv"
        summary = run_batch(
            BatchOptions(roster, out, pl.Series([AS_OF]).str.to_date()[0], format="ids", chunk_bytes=chunk_bytes),
            catalogue,
        )
        assert summary.rows == len(rows) and summary.errors == 3 * 10
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert pl.read_csv(tmp_path / "o3.csv", infer_schema=False)["id"].to_list() == [row.split(",")[0] for row in rows]


def test_an_interrupted_run_leaves_the_previous_output_untouched_and_no_partial_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    roster = write_roster(tmp_path / "r.csv", "utf-8", CHINESE_ROWS * 10)
    out = tmp_path / "scored.csv"
    out.write_text("previous results\n", encoding="utf-8")
    original = RosterWriter.write
    calls = 0

    def write_then_fail(self: RosterWriter, chunk: pl.DataFrame) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        original(self, chunk)

    monkeypatch.setattr(RosterWriter, "write", write_then_fail)
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            BatchOptions(roster, out, pl.Series([AS_OF]).str.to_date()[0], chunk_bytes=200), Catalogue.from_directory()
        )
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["r.csv", "scored.csv"]


def test_the_output_file_gets_the_usual_permissions_not_the_temporary_files(tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    assert invoke(str(write_roster(tmp_path / "r.csv", "utf-8")), "--out", str(out), "--quiet").exit_code == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


def test_columns_that_are_no_fact_are_copied_unchanged_after_the_scoring_columns_with_one_notice(
    tmp_path: Path,
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("编号,姓名,地区,学历,部门,status\n1,张三,阿克苏,博士,=cmd|x,在职\n", encoding="utf-8")
    out, summary = tmp_path / "o.csv", tmp_path / "s.json"
    result = invoke(str(roster), "--out", str(out), "--format", "ids", "--quiet", "--summary-json", str(summary))
    assert result.exit_code == 0, result.output
    assert result.stderr.count("notice:") == 1
    assert "columns not used for scoring, copied unchanged to the output: 姓名, 部门, status" in result.stderr
    rows = pl.read_csv(out, infer_schema=False)
    assert rows.columns[-3:] == ["姓名", "部门", "status (input)"]  # a clash with an output column is renamed
    row = rows.row(0, named=True)
    assert (row["status"], row["姓名"], row["status (input)"]) == ("ok", "张三", "在职")
    assert row["部门"] == "'=cmd|x"  # the user's text is neutralised like the id
    assert json.loads(summary.read_text(encoding="utf-8"))["notices"] == [
        result.stderr.strip().removeprefix("notice: ")
    ]


def test_a_misspelt_fact_column_gets_a_did_you_mean_notice_and_its_values_are_not_used(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("编号,地区,学 历,degre\n1,阿克苏,博士,phd\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    result = invoke(str(roster), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "column '学 历' is not a known fact (did you mean '学历' (degree)?)" in result.stderr
    assert "column 'degre' is not a known fact (did you mean 'degree'?)" in result.stderr
    assert "copied unchanged to the output" not in result.stderr  # each column is named once
    row = json.loads(out.read_text(encoding="utf-8"))
    assert (row["学 历"], row["degre"]) == ("博士", "phd")
    assert "aksu.housing.prefecture_master" in row["needs_info"].split(";")  # the degree stayed unknown


def test_a_fact_given_by_two_columns_stops_before_anything_is_written(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("编号,地区,degree,学历\n1,阿克苏,phd,博士\n", encoding="utf-8")
    result = invoke(str(roster), "--out", str(tmp_path / "o.csv"))
    assert result.exit_code == 2
    assert "column: '学历': same fact as column 'degree' (degree)" in result.output
    assert not (tmp_path / "o.csv").exists()


def test_a_line_with_more_or_fewer_fields_than_the_header_is_an_error_row_naming_the_line_and_count(
    tmp_path: Path,
) -> None:
    lines = ["A1,阿克苏,博士", "A2,阿克苏,博士,extra", '"B\n1",阿克苏,博士', "A3,阿克苏", 'A4,"阿克苏",博士']
    roster = tmp_path / "r.csv"
    roster.write_text("编号,地区,学历\n" + "\n".join(lines) + "\n", encoding="utf-8")
    catalogue = Catalogue.from_directory()
    outputs = []
    for chunk_bytes in (1, 12, 1 << 20):  # a line alone, blocks with and without the quoted line break
        out = tmp_path / f"o{chunk_bytes}.csv"
        summary = run_batch(
            BatchOptions(roster, out, date(2025, 6, 1), format="ids", chunk_bytes=chunk_bytes), catalogue
        )
        assert (summary.rows, summary.errors) == (5, 2)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    rows = pl.read_csv(tmp_path / "o1.csv", infer_schema=False)
    assert rows["status"].to_list() == ["ok", "error", "ok", "error", "ok"]
    assert rows["error"].to_list()[1] == (
        "line 3: 4 fields where the header has 3; not scored (an unquoted comma, or a missing cell?)"
    )
    assert rows["error"].to_list()[3].startswith("line 6: 2 fields where the header has 3")  # B1 spans lines 4-5
    narrow = tmp_path / "narrow.csv"  # no line wider than the header: only counting the commas finds it
    narrow.write_text('编号,地区,学历\nA1,阿克苏,博士\nA2,阿克苏\nA3,阿克苏,""\n', encoding="utf-8")
    run_batch(BatchOptions(narrow, tmp_path / "n.csv", date(2025, 6, 1), format="ids"), catalogue)
    errors = pl.read_csv(tmp_path / "n.csv", infer_schema=False)["error"].to_list()
    assert errors[0] is None and errors[2] is None
    assert errors[1].startswith("line 3: 2 fields where the header has 3")
    hidden = tmp_path / "hidden.csv"  # a comma inside quotes makes up for the missing field in the count
    hidden.write_text('编号,地区,学历\n"A,1",阿克苏\nA2,阿克苏,博士\n', encoding="utf-8")
    run_batch(BatchOptions(hidden, tmp_path / "h.csv", date(2025, 6, 1), format="ids"), catalogue)
    errors = pl.read_csv(tmp_path / "h.csv", infer_schema=False)["error"].to_list()
    assert errors[0].startswith("line 2: 2 fields where the header has 3") and errors[1] is None


def test_a_missing_input_and_an_unknown_output_format_are_clear_errors(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "nowhere.csv"), "--out", str(tmp_path / "o.csv"))
    assert missing.exit_code == 2 and "no such file" in missing.output
    roster = write_roster(tmp_path / "r.csv", "utf-8")
    unknown = invoke(str(roster), "--out", str(tmp_path / "o.txt"))
    assert unknown.exit_code == 2 and "unknown extension" in unknown.output
    assert invoke(str(roster), "--out", str(tmp_path / "o.txt"), "--format", "jsonl", "--quiet").exit_code == 0


def test_quiet_prints_nothing_and_the_summary_follows_lang(tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "r.csv", "utf-8")
    assert invoke(str(roster), "--out", str(tmp_path / "o.csv"), "--quiet").output == ""
    chinese = invoke(str(roster), "--out", str(tmp_path / "o.csv"), "--lang", "zh").output
    assert "行数: 8    错误行: 3" in chinese and "已知现金合计: 120万元" in chinese


def test_a_quoted_cell_with_newlines_and_quotes_survives_every_chunk_boundary(tmp_path: Path) -> None:
    rows = ['"Q ""1""\nsecond line",阿克苏,,博士,,,全职引进,2019-06-01,是,,,', *CHINESE_ROWS[:3]] * 5
    roster = write_roster(tmp_path / "r.csv", "utf-8", rows)
    catalogue = Catalogue.from_directory()
    as_of = pl.Series([AS_OF]).str.to_date()[0]
    frames = []
    for chunk_bytes in (1, 7, 1 << 20):
        out = tmp_path / f"o{chunk_bytes}.parquet"
        run_batch(BatchOptions(roster, out, as_of, chunk_bytes=chunk_bytes), catalogue)
        frames.append(pl.read_parquet(out))
    assert frames[0].equals(frames[1]) and frames[0].equals(frames[2])
    assert frames[0]["id"].to_list()[:2] == ['Q "1"\nsecond line', "A1"]
    assert frames[0]["total_cash_yuan"].to_list()[:2] == [500_000, 500_000]


def test_typed_excel_cells_dates_numbers_and_booleans_read_as_a_csv_export_shows_them(tmp_path: Path) -> None:
    workbook = tmp_path / "typed.xlsx"
    pl.DataFrame(
        {
            "编号": [1001, 1002],
            "地区": ["阿克苏", "阿克苏"],
            "学历": ["博士", "硕士"],
            "引进方式": ["全职引进", "全职引进"],
            "本地工作起始日期": [date(2019, 6, 1), date(2020, 6, 2)],
            "本地工作年限": [None, 5.0],
            "是否在本地购房": [True, True],
        }
    ).write_excel(workbook)
    out = tmp_path / "o.jsonl"
    assert invoke(str(workbook), "--out", str(out), "--quiet").exit_code == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["id"], row["status"], row["total_cash_yuan"]) for row in rows] == [
        ("1001", "ok", 500_000),
        ("1002", "error", None),  # five years typed beside a start date that gives four: which is meant?
    ]
    assert rows[1]["error"] == (
        "本地工作年限 (years_served): '5': disagrees with service_start_date 2020-06-02, which gives 4 full years "
        "at 2025-06-01; give one of the two, or make them agree"
    )


def test_a_roster_with_a_header_and_no_rows_gives_a_header_and_an_empty_summary(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("编号,地区\n", encoding="utf-8")
    for name in ("o.csv", "o.parquet", "o.xlsx", "o.jsonl"):
        result = invoke(str(roster), "--out", str(tmp_path / name), "--lang", "en")
        assert result.exit_code == 0, name
        assert "Rows: 0    Rows with errors: 0" in result.output
    assert (tmp_path / "o.csv").read_text(encoding="utf-8-sig").startswith("Row,ID,Status,Total known cash (yuan)")
    assert pl.read_parquet(tmp_path / "o.parquet").height == 0


def test_a_blank_line_is_a_row_of_empty_cells_wherever_the_chunks_are_cut(tmp_path: Path) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("编号,地区\n\nA1,阿克苏\n\n\nA2,aksu\n", encoding="utf-8")
    catalogue = Catalogue.from_directory()
    outputs = []
    for chunk_bytes in (1, 5, 1 << 20):
        out = tmp_path / f"o{chunk_bytes}.csv"
        summary = run_batch(
            BatchOptions(roster, out, date(2025, 6, 1), format="ids", chunk_bytes=chunk_bytes), catalogue
        )
        assert (summary.rows, summary.errors) == (5, 3)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    errors = pl.read_csv(tmp_path / "o1.csv", infer_schema=False)["error"].to_list()
    blank = "blank line; nothing to score"
    assert errors == [f"line 2: {blank}", None, f"line 4: {blank}", f"line 5: {blank}", None]


def test_checking_distinct_spellings_once_gives_what_checking_every_cell_gives() -> None:
    dates = ["2019-06-01", "2019/6/1", "2019年6月1日", "2021-02-30", "20190-6-01", "2019-6-1", " 2019-06-01 ", ""]
    degrees = ["博士", "phd", "PhD", "博导", ""]
    few = pl.DataFrame({"region": ["aksu"] * 8, "service_start_date": dates, "degree": [*degrees, "硕士", "x", "无"]})
    repeated = pl.concat([few] * 10)  # few spellings among many rows: checked once each, then looked up
    by_cell = validate(few, {}, date(2025, 6, 1))
    by_spelling = validate(repeated, {}, date(2025, 6, 1))
    assert by_spelling.equals(pl.concat([by_cell] * 10))
    assert by_cell["service_start_date"].to_list()[:3] == [date(2019, 6, 1)] * 3
    assert "service_start_date: '2021-02-30': not a date" in by_cell["error"].to_list()[3]


def test_columns_that_are_no_fact_are_carried_from_an_xlsx_as_a_csv_export_shows_them(tmp_path: Path) -> None:
    workbook = tmp_path / "staff.xlsx"
    pl.DataFrame(
        {"编号": [1, 2], "姓名": ["张三", "=李四"], "地区": ["阿克苏", "阿克苏"], "工号": [1001.0, None]}
    ).write_excel(workbook)
    out = tmp_path / "o.jsonl"
    result = invoke(str(workbook), "--out", str(out), "--quiet")
    assert result.exit_code == 0, result.output
    assert "copied unchanged to the output: 姓名, 工号" in result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(row["姓名"], row["工号"]) for row in rows] == [
        ("张三", "1001"),
        ("=李四", None),
    ]  # JSONL: no formula guard


def test_spellings_remembered_from_earlier_chunks_give_what_checking_each_chunk_alone_gives() -> None:
    first = pl.DataFrame(
        {"region": ["aksu", "火星"] * 20, "service_start_date": ["2019-06-01", "2019/6/1"] * 20, "awards": ["x:1"] * 40}
    )
    second = pl.DataFrame(
        {
            "region": ["aksu", "阿克苏"] * 20,
            "service_start_date": ["2019/6/1", "2020年1月2日"] * 20,
            "awards": ["x:1", "national:5"] * 20,
        }
    )
    remembered = CheckedSpellings()
    for chunk in (first, second, first):
        assert validate(chunk, {}, date(2025, 6, 1), remembered).equals(validate(chunk, {}, date(2025, 6, 1)))


def test_a_blank_line_above_the_header_is_skipped_and_a_quote_never_closed_stops_with_a_clear_message(
    tmp_path: Path,
) -> None:
    blank_first = tmp_path / "blank_first.csv"
    blank_first.write_text("\n编号,地区\nA1,阿克苏\n", encoding="utf-8")
    result = invoke(str(blank_first), "--out", str(tmp_path / "o.csv"), "--format", "ids")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(tmp_path / "o.csv", infer_schema=False)["row"].to_list() == ["3"]
    no_header = tmp_path / "no_header.csv"
    no_header.write_text("甲,乙\n1,2\n", encoding="utf-8")
    result = invoke(str(no_header), "--out", str(tmp_path / "o2.csv"))
    assert result.exit_code == 2 and "no header row in its first 2 rows: no row names the facts" in result.output
    unclosed = tmp_path / "unclosed.csv"
    unclosed.write_text('编号,地区\nA1,阿克苏\nA2,"阿克苏\nA3,阿克苏\n', encoding="utf-8")
    result = invoke(str(unclosed), "--out", str(tmp_path / "o3.csv"))
    assert result.exit_code == 2
    assert 'a quoted cell (") opened on line 3 or later is never closed' in result.output
    assert not (tmp_path / "o3.csv").exists()


@pytest.mark.parametrize(
    ("column", "cell"),
    [
        ("years_served", "inf"),
        ("years_served", "1e16"),
        ("years_served", "true"),
        ("service_start_date", "0"),
        ("service_start_date", "9999-12-31"),
    ],
    ids=["years inf", "years with an exponent", "years as true", "a start date of 0", "a start date in year 9999"],
)
def test_a_cell_the_api_refuses_is_an_error_row_with_the_apis_own_message(
    tmp_path: Path, column: str, cell: str
) -> None:
    from eligibility import Calculator, InputError

    roster = tmp_path / "r.csv"
    roster.write_text(f"id,region,{column}\nX,aksu,{cell}\n", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert invoke(str(roster), "--out", str(out), "--quiet").exit_code == 0
    [row] = map(json.loads, out.read_text(encoding="utf-8").splitlines())
    with pytest.raises(InputError) as refused:
        Calculator.default().evaluate({"region": "aksu", column: cell}, as_of=date(2025, 6, 1))
    message = str(refused.value).split(": ", 2)[2]  # what is allowed, after the field and the value
    assert row["status"] == "error" and row["error"] == f"{column}: '{cell}': {message}"


def test_award_amounts_past_64_bits_are_an_error_row_naming_them_never_a_wrapped_total(tmp_path: Path) -> None:
    largest = 2**63 - 1
    roster = tmp_path / "r.csv"
    roster.write_text(
        f"id,region,awards\nA,qijiang,national:{largest};national:{largest}\nB,qijiang,national:{largest + 1}\n"
        f"C,qijiang,{';'.join(['national:1000000000'] * 100)}\n",
        encoding="utf-8",
    )
    out = tmp_path / "o.csv"
    assert invoke(str(roster), "--out", str(out), "--format", "ids", "--quiet").exit_code == 0
    rows = pl.read_csv(out, infer_schema=False).to_dicts()
    assert [row["status"] for row in rows] == ["error", "error", "ok"]
    assert f"'national:{largest}': amount not whole yuan from 0 to 1,000,000,000" in rows[0]["error"]
    assert f"'national:{largest + 1}': amount not whole yuan" in rows[1]["error"]
    assert int(rows[2]["total_cash_yuan"]) >= 0  # a hundred of the largest amounts allowed add up exactly
