"""`eligibility.spark`: a Spark DataFrame scored on the executors of a real local Spark session (local[2]).

One session for the module (it costs several seconds of both cores); marked slow.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from eligibility import Calculator, InputError
from eligibility.packs.catalogue import default_rules_directory
from tests.support.rosters import AS_OF, batch_result, roster
from tests.support.spark import spark_session

pytestmark = pytest.mark.slow
ROWS = 20_000


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    with spark_session(tmp_path_factory.mktemp("warehouse")) as session:
        yield session


def collected(frame: Any) -> pl.DataFrame:
    result = pl.from_arrow(frame.toArrow())
    assert isinstance(result, pl.DataFrame)
    return result


def test_a_spark_job_over_a_saved_table_gives_the_rows_of_eligibility_batch_row_by_row(
    spark: Any, tmp_path: Path
) -> None:
    from pyspark.sql.types import LongType, StringType

    from eligibility.spark import result_schema, score_roster

    people = roster(ROWS, seed=20)
    people.write_csv(tmp_path / "roster.csv")
    expected = batch_result(tmp_path / "roster.csv", tmp_path)
    # the roster as a platform holds it: a table, read back in several partitions
    table = spark.read.option("header", True).csv(str(tmp_path / "roster.csv"))
    table = table.withColumn("工号", table["工号"].cast("bigint"))
    table.repartition(4).write.mode("overwrite").saveAsTable("talent_roster")

    # the README's recipe
    scored = score_roster(spark.table("talent_roster"), AS_OF)
    assert scored.schema == result_schema(spark.table("talent_roster"))  # declared before any job runs
    scored.write.mode("overwrite").saveAsTable("talent_eligibility")

    schema = spark.table("talent_eligibility").schema
    assert [field.name for field in schema] == [*expected.columns[1:]]  # the batch columns except row
    assert schema["total_cash_yuan"].dataType == LongType() and schema["granted"].dataType == StringType()
    assert schema["工号"].dataType == LongType()  # a carried column keeps its Spark type
    result = collected(spark.table("talent_eligibility"))
    assert result.height == ROWS
    by_id = result.with_columns(pl.col("工号").cast(pl.String)).sort("id")
    assert by_id.equals(expected.drop("row").sort("id"))  # every row, every column, whatever the partitions
    assert (expected["status"] == "error").sum() > 100


def test_the_rules_go_with_the_job_so_executors_need_no_rule_files(spark: Any, tmp_path: Path) -> None:
    from eligibility.spark import score_roster

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_directory(), rules)
    aksu = rules / "aksu.yaml"
    aksu.write_text(aksu.read_text(encoding="utf-8").replace("yuan: 500000", "yuan: 600000"), encoding="utf-8")
    calculator = Calculator.from_directory(rules)
    doctors = spark.createDataFrame(
        [(f"D{number}", "阿克苏", "博士", "全职引进", "5", "是") for number in range(50)],
        "`编号` string, `地区` string, `学历` string, `引进方式` string, `本地工作年限` string, `是否在本地购房` string",
    )
    scored = score_roster(doctors, AS_OF, calculator=calculator)
    shutil.rmtree(rules)  # before the job runs: the executors use the text the job carries
    totals = collected(scored)["total_cash_yuan"]
    assert totals.to_list() == [600_000] * 50


def test_a_fact_given_by_two_columns_is_refused_on_the_driver_before_any_job(spark: Any) -> None:
    from eligibility.spark import score_roster

    frame = spark.createDataFrame([("aksu", "phd", "博士")], "region string, degree string, `学历` string")
    with pytest.raises(InputError, match="same fact as column 'degree'"):
        score_roster(frame, AS_OF)
