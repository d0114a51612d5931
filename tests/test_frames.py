"""`eligibility.score_roster`: a roster held in columns (polars, Arrow) scored as `eligibility batch` scores a file."""

from __future__ import annotations

import itertools
import pickle
import random
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import polars as pl
import pyarrow as pa
import pytest

from eligibility import Calculator, InputError, score_roster
from eligibility.batch.frames import RosterScorer
from eligibility.facts.profile import parse_profile
from eligibility.packs.catalogue import Catalogue, default_rules_directory
from tests.support.rosters import AS_OF, batch_result, roster

RESULT = [
    "row",
    "id",
    "status",
    "total_cash_yuan",
    "granted",
    "needs_info",
    "proposed",
    "superseded",
    "error",
    "error_zh",
]


@pytest.fixture(scope="module")
def people() -> pl.DataFrame:
    return roster(3_000, seed=14)


def test_a_polars_roster_scores_to_the_rows_eligibility_batch_writes_for_the_same_roster_as_a_file(
    people: pl.DataFrame, tmp_path: Path
) -> None:
    people.write_csv(tmp_path / "roster.csv")
    expected = batch_result(tmp_path / "roster.csv", tmp_path)
    scored = score_roster(people, AS_OF)
    assert scored.columns == [*RESULT, "姓名", "工号"]
    assert scored.height == people.height and (scored["status"] == "error").sum() > 20
    assert scored.with_columns(pl.col("工号").cast(pl.String)).equals(expected)


def test_scoring_any_random_split_and_concatenating_gives_the_rows_of_the_whole(people: pl.DataFrame) -> None:
    whole = score_roster(people, AS_OF)
    rng = random.Random(14)
    for _ in range(4):
        cuts = sorted(rng.randrange(people.height + 1) for _ in range(rng.randrange(1, 9)))
        bounds = [0, *cuts, people.height]  # a cut made twice, or at an end, gives an empty part
        parts = [people.slice(start, end - start) for start, end in itertools.pairwise(bounds)]
        numbered = [score_roster(part, AS_OF, first_row=start) for part, start in zip(parts, bounds, strict=False)]
        assert pl.concat(numbered).equals(whole), bounds
        unnumbered = pl.concat([score_roster(part, AS_OF) for part in parts])  # each part counted from 1
        assert unnumbered.drop("row").equals(whole.drop("row"))


def test_arrow_tables_and_record_batches_in_give_the_same_rows_as_arrow_of_the_same_kind(people: pl.DataFrame) -> None:
    expected = score_roster(people, AS_OF)
    table = people.to_arrow()
    scored_table = score_roster(table, AS_OF)
    assert isinstance(scored_table, pa.Table)
    assert pl.from_arrow(scored_table).equals(expected)  # type: ignore[union-attr]
    rng = random.Random(5)
    cuts = sorted(rng.sample(range(1, people.height), 4))
    batches = table.combine_chunks().to_batches(max_chunksize=people.height)[0]
    scored_batches = []
    for start, end in zip([0, *cuts], [*cuts, people.height], strict=True):
        scored = score_roster(batches.slice(start, end - start), AS_OF, first_row=start)
        assert isinstance(scored, pa.RecordBatch)
        scored_batches.append(scored)
    assert pl.from_arrow(pa.Table.from_batches(scored_batches)).equals(expected)  # type: ignore[union-attr]


def test_carried_arrow_columns_come_back_with_their_own_types_and_values() -> None:
    table = pa.table(
        {
            "地区": ["阿克苏", "aksu"],
            "学历": ["博士", None],
            "amount": pa.array([Decimal("1.50"), None], pa.decimal128(10, 2)),
            "seen": pa.array([1_700_000_000_000_000, None], pa.timestamp("us", tz="Asia/Shanghai")),
            "tags": pa.array([["a", "b"], []], pa.list_(pa.string())),
        }
    )
    scored = score_roster(table, AS_OF)
    assert scored.schema.field("amount").type == pa.decimal128(10, 2)
    assert scored.schema.field("seen").type == pa.timestamp("us", tz="Asia/Shanghai")
    assert scored.select(["amount", "seen", "tags"]).equals(table.select(["amount", "seen", "tags"]))
    assert scored.schema.field("total_cash_yuan").type == pa.int64() and scored.schema.field("id").type == pa.string()


def test_typed_fact_columns_are_read_as_a_roster_file_shows_them() -> None:
    typed = pl.DataFrame(
        {
            "编号": [1001, 1002, 1003],
            "地区": ["阿克苏", "阿克苏", "阿克苏"],
            "学历": ["博士", "硕士", "博士"],
            "引进方式": ["全职引进"] * 3,
            "本地工作起始日期": [date(2019, 6, 1), None, None],
            "本地工作年限": [None, 5.0, 4.5],
            "是否在本地购房": [True, True, False],
            "人才计划": [["tuofeng"], [], None],
        }
    )
    text = pl.DataFrame(
        {
            "编号": ["1001", "1002", "1003"],
            "地区": ["阿克苏", "阿克苏", "阿克苏"],
            "学历": ["博士", "硕士", "博士"],
            "引进方式": ["全职引进"] * 3,
            "本地工作起始日期": ["2019-06-01", None, None],
            "本地工作年限": [None, "5", "4.5"],
            "是否在本地购房": ["是", "是", "否"],
            "人才计划": ["tuofeng", "无", None],
        }
    )
    assert score_roster(typed, AS_OF).equals(score_roster(text, AS_OF))
    assert score_roster(typed, AS_OF)["total_cash_yuan"].to_list() == [500_000, 400_000, 0]


def test_a_fact_given_twice_or_a_column_no_fact_is_read_from_is_an_input_error_naming_the_column() -> None:
    with pytest.raises(InputError) as twice:
        score_roster(pl.DataFrame({"地区": ["aksu"], "degree": ["phd"], "学历": ["博士"]}), AS_OF)
    assert str(twice.value) == "roster: column: '学历': same fact as column 'degree' (degree)"
    with pytest.raises(InputError) as typed:
        score_roster(pl.DataFrame({"地区": ["aksu"], "学历": [{"level": 1}]}), AS_OF)
    assert str(typed.value).startswith("column '学历' (degree): values of type Struct")
    with pytest.raises(InputError, match="a polars DataFrame, or a pyarrow Table or RecordBatch"):
        score_roster([{"region": "aksu"}], AS_OF)  # type: ignore[type-var]


def test_a_column_that_looks_like_a_misspelt_fact_is_warned_about_and_carried_unused() -> None:
    with pytest.warns(UserWarning, match=r"column 'degre' is not a known fact \(did you mean 'degree'\?\)"):
        scored = score_roster(pl.DataFrame({"地区": ["aksu"], "degre": ["doctorate"]}), AS_OF)
    assert scored.row(0, named=True)["degre"] == "doctorate"


def test_an_empty_roster_gives_no_rows_and_every_result_column() -> None:
    scored = score_roster(pl.DataFrame({"地区": [], "姓名": []}, schema={"地区": pl.String, "姓名": pl.String}), AS_OF)
    assert scored.columns == [*RESULT, "姓名"] and scored.height == 0
    assert score_roster(pa.table({"地区": pa.array([], pa.string())}), AS_OF).num_rows == 0


def test_other_rules_are_used_when_a_calculator_is_given(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_directory(), rules)
    aksu = rules / "aksu.yaml"
    aksu.write_text(aksu.read_text(encoding="utf-8").replace("yuan: 500000", "yuan: 600000"), encoding="utf-8")
    doctor = pl.DataFrame(
        {
            "地区": ["阿克苏"],
            "学历": ["博士"],
            "引进方式": ["全职引进"],
            "本地工作年限": ["5"],
            "是否在本地购房": ["是"],
        }
    )
    assert score_roster(doctor, AS_OF)["total_cash_yuan"].item() == 500_000
    assert score_roster(doctor, AS_OF, calculator=Calculator.from_directory(rules))["total_cash_yuan"].item() == 600_000


def test_a_scorer_travels_as_its_rules_text_and_never_with_rules_changed_since_loading(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(default_rules_directory(), rules)
    scorer = RosterScorer(Catalogue.from_directory(rules), AS_OF)
    sent = pickle.dumps(scorer)
    shutil.rmtree(rules)  # the copy rebuilds its rules from the text it carries
    arrived: RosterScorer = pickle.loads(sent)
    assert arrived.catalogue.rules_version == scorer.catalogue.rules_version and arrived.as_of == AS_OF
    people = roster(200, seed=3)
    assert arrived.score_polars(people).equals(scorer.score_polars(people))
    shutil.copytree(default_rules_directory(), rules)
    changed = RosterScorer(Catalogue.from_directory(rules), AS_OF)
    (rules / "aksu.yaml").write_text("region: aksu\n", encoding="utf-8")
    with pytest.raises(InputError, match="the rule pack changed on disk since it was loaded"):
        pickle.dumps(changed)


def test_a_roster_with_no_fact_column_gives_an_error_row_per_row_as_a_file_or_arrow_table_does() -> None:
    names = {"姓名": ["张三", "李四"]}
    for people in (pl.DataFrame(names), pa.table(names)):
        scored = pl.DataFrame(score_roster(people, AS_OF))
        assert scored.height == 2 and scored["status"].to_list() == ["error", "error"]
        assert scored["error"].to_list() == [scored["error"][0]] * 2 and "no region/地区 column" in scored["error"][0]
        assert scored["姓名"].to_list() == names["姓名"]


def test_an_id_longer_than_a_profile_allows_is_refused_by_batch_as_by_the_api() -> None:
    long = "编" * 201
    with pytest.raises(InputError, match=r"id: .*too long: 201 characters; allowed: at most 200"):
        Calculator.default().evaluate({"region": "aksu", "id": long}, as_of=AS_OF)
    scored = score_roster(pl.DataFrame({"地区": ["aksu", "aksu"], "编号": [f" {long} ", "编" * 200]}), AS_OF)
    assert scored["status"].to_list() == ["error", "ok"]
    assert scored["error"][0] == f"编号 (id): '{long}': too long: 201 characters; allowed: at most 200"
    assert scored["error_zh"][0] == f"编号（id）：'{long}'：太长：201个字符；最多200个"


def test_an_award_amount_written_with_a_zero_fraction_is_whole_yuan_in_batch_as_in_the_api() -> None:
    for amount in (5000.0, "5000.0", "5000."):
        profile = parse_profile({"region": "qijiang", "awards": [{"level": "national", "amount_yuan": amount}]})
        assert profile.awards is not None and profile.awards[0].amount_yuan == 5000
    awards = ["national:5000.0", "national:5000", "national:5000.5"]
    scored = score_roster(pl.DataFrame({"地区": ["qijiang"] * 3, "奖项": awards}), AS_OF)
    assert scored["status"].to_list() == ["ok", "ok", "error"]
    assert scored["total_cash_yuan"][0] == scored["total_cash_yuan"][1]


def test_an_award_name_longer_than_a_profile_allows_is_refused_by_batch_as_by_the_api() -> None:
    flat = "national:5000:" + "奖" * 201
    with pytest.raises(InputError, match="name too long: 201 characters"):
        parse_profile({"region": "qijiang", "awards": flat})
    with pytest.raises(InputError, match=r"awards\.0\.name"):
        parse_profile({"region": "qijiang", "awards": [{"level": "national", "name": "奖" * 201}]})
    scored = score_roster(pl.DataFrame({"地区": ["qijiang"], "奖项": [flat]}), AS_OF)
    assert scored["status"][0] == "error" and "name too long: 201 characters" in scored["error"][0]


def test_cells_are_trimmed_of_what_python_counts_as_space_in_batch_as_in_the_api() -> None:
    # The separators \x1c-\x1f are space to str.strip() but not to polars: a region of only \x1f was an
    # error row without a message, and an id kept them.
    scored = score_roster(pl.DataFrame({"地区": ["\x1f", "\x1caksu\u3000"], "编号": ["\x1fA\x1f", " B\x1e"]}), AS_OF)
    assert scored["id"].to_list() == ["A", "B"]
    assert scored["status"].to_list() == ["error", "ok"] and scored["error"][0].startswith("地区 (region): required")
    report = Calculator.default().evaluate({"region": "\x1caksu\u3000", "id": " B\x1e"}, as_of=AS_OF)
    assert report.applicant_id == "B"


def test_an_award_amount_of_negative_zero_is_zero_yuan_in_batch_as_in_the_api() -> None:
    profile = parse_profile({"region": "qijiang", "awards": [{"level": "national", "amount_yuan": -0.0}]})
    assert profile.awards is not None and profile.awards[0].amount_yuan == 0
    scored = score_roster(pl.DataFrame({"地区": ["qijiang"] * 2, "奖项": ["national:-0.0", "national:-1"]}), AS_OF)
    assert scored["status"].to_list() == ["ok", "error"]


def test_years_written_with_more_decimal_places_than_allowed_are_refused_not_rounded_by_batch_and_the_api() -> None:
    # Read through a float, 4.999999999999999999 was 5.0: five years' service, and 500,000 yuan, granted.
    with pytest.raises(InputError, match="too many decimal places"):
        parse_profile({"region": "aksu", "years_served": "4.999999999999999999"})
    years = ["4.999999999999999999", "5.00", "4.99"]
    scored = score_roster(pl.DataFrame({"地区": ["aksu"] * 3, "本地工作年限": years}), AS_OF)
    assert scored["status"].to_list() == ["error", "ok", "ok"]
    assert "too many decimal places" in scored["error"][0]
