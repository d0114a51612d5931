"""The applicant profile: aliases, unknowns, service time and one message per problem."""

from __future__ import annotations

from datetime import date

import pytest

from eligibility.errors import InputError
from eligibility.facts.profile import ApplicantProfile, full_years_between, parse_profile


def test_chinese_keys_and_values_read_like_their_english_twins() -> None:
    chinese = parse_profile(
        {
            "编号": "7",
            "地区": "阿克苏地区",
            "园区": "阿克苏阿拉尔高新区",
            "学历": "博士研究生",
            "职称": "副高级",
            "技能等级": "首席技师",
            "引进方式": "全职引进",
            "本地工作起始日期": "2020年3月1日",
            "是否在本地购房": "是",
            "是否急需紧缺": "否",
            "是否认定高层次人才": "Y",
        }
    )
    english = ApplicantProfile(
        id="7",
        region="aksu",
        zone="aksu_alar_hitech_zone",
        degree="doctorate",
        title="associate_senior",
        skill_level="chief_technician",
        introduction="full_time",
        service_start_date=date(2020, 3, 1),
        bought_home_in_region=True,
        scarce_skill=False,
        certified_high_level_talent=True,
    )
    assert chinese == english


def test_slash_dates_and_boolean_words_are_accepted() -> None:
    profile = parse_profile({"region": "aksu", "service_start_date": "2020/3/1", "bought_home_in_region": "no"})
    assert profile.service_start_date == date(2020, 3, 1)
    assert profile.bought_home_in_region is False


def test_fields_left_out_are_unknown_not_false() -> None:
    profile = parse_profile({"region": "aksu"})
    assert profile.degree is None
    assert profile.bought_home_in_region is None
    assert profile.years_served_on(date(2025, 1, 1)) is None
    assert profile.zone is None  # outside any zone


def test_empty_cells_are_unknown() -> None:
    assert parse_profile({"region": "aksu", "degree": "  ", "bought_home_in_region": ""}).degree is None


def test_every_problem_is_reported_at_once_naming_field_value_and_what_is_allowed() -> None:
    with pytest.raises(InputError) as caught:
        parse_profile(
            {"region": "mars", "degree": "phd", "years_served": -1, "service_start_date": "2023-02-30", "colour": "red"}
        )
    messages = {problem.field: str(problem) for problem in caught.value.problems}
    assert set(messages) == {"region", "degree", "years_served", "service_start_date", "colour"}
    assert "'phd'" in messages["degree"] and "doctorate (博士/博士研究生)" in messages["degree"]
    assert "'mars'" in messages["region"] and "aksu" in messages["region"]
    assert "greater than or equal to 0" in messages["years_served"]
    assert "2023-02-30" in messages["service_start_date"]
    assert "unknown field" in messages["colour"]


def test_a_missing_region_is_required() -> None:
    with pytest.raises(InputError) as caught:
        parse_profile({"degree": "master"})
    assert [problem.field for problem in caught.value.problems] == ["region"]


def test_a_wrong_type_is_a_problem_not_a_crash() -> None:
    with pytest.raises(InputError) as caught:
        parse_profile({"region": "aksu", "years_served": "five", "awards": "lots"})
    assert {problem.field for problem in caught.value.problems} == {"years_served", "awards"}


@pytest.mark.parametrize(
    ("start", "as_of", "years"),
    [
        (date(2020, 6, 1), date(2025, 6, 1), 5),
        (date(2020, 6, 2), date(2025, 6, 1), 4),
        (date(2020, 2, 29), date(2025, 2, 28), 5),
        (date(2020, 2, 29), date(2025, 2, 27), 4),
        (date(2020, 2, 29), date(2024, 2, 29), 4),
        (date(2026, 1, 1), date(2025, 6, 1), 0),
        (date(2025, 6, 1), date(2025, 6, 1), 0),
    ],
    ids=[
        "the anniversary completes a year",
        "the day before does not",
        "a 29 February start completes on 28 February in a common year",
        "and not a day earlier",
        "and on 29 February in a leap year",
        "a future hire has zero years",
        "a first day has zero years",
    ],
)
def test_full_years_are_reached_on_the_anniversary(start: date, as_of: date, years: int) -> None:
    assert full_years_between(start, as_of) == years


def test_a_start_date_takes_precedence_over_years_served() -> None:
    profile = parse_profile({"region": "aksu", "service_start_date": "2020-01-01", "years_served": 1})
    assert profile.years_served_on(date(2025, 1, 1)) == 5


def test_a_fact_given_twice_in_two_spellings_is_refused_not_guessed() -> None:
    with pytest.raises(InputError) as caught:
        parse_profile({"region": "aksu", "学历": "博士", "degree": "master"})
    assert [str(problem) for problem in caught.value.problems] == [
        "degree: given twice, as '学历' and 'degree'; give it once"
    ]


TOO_LONG_TO_PRINT = 10**5000  # Python refuses to turn an int of more than 4,300 digits into text


@pytest.mark.parametrize(
    ("data", "field", "expected"),
    [
        ({"region": "aksu", "years_served": TOO_LONG_TO_PRINT}, "years_served", "not a number"),
        ({"region": "aksu", "id": TOO_LONG_TO_PRINT}, "id", "too long: more than 200 characters"),
        ({"region": "qijiang", "awards": [{"level": "national", "amount_yuan": TOO_LONG_TO_PRINT}]}, "awards.0.amount_yuan", "not an amount"),
        ({"region": "aksu", "programmes": [TOO_LONG_TO_PRINT]}, "programmes", "is not a code"),
        ({"region": "aksu", TOO_LONG_TO_PRINT: 1}, "<an integer of about 5,000 digits>", "unknown field"),
    ],
    ids=["years", "an id", "an award amount", "a programme", "a key"],
)  # fmt: skip
def test_an_integer_too_long_for_python_to_print_is_a_problem_naming_the_field_not_a_crash(
    data: dict[object, object], field: str, expected: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_profile(data)  # type: ignore[arg-type]
    [problem] = caught.value.problems
    assert problem.field == field and expected in str(problem), str(problem)
    assert "<an integer of about 5,000 digits>" in str(caught.value) or "<a list" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"region": "aksu", "id": "A\ud800"}, "id"),
        ({"region": "qijiang", "awards": [{"level": "national", "amount_yuan": 5, "name": "\udc80"}]}, "awards.0.name"),
        ({"region": "qijiang", "awards": "national:5:\udcff"}, "awards.0.name"),
        ({"region": "aksu", "\ud800": "x"}, "profile"),
        ({"region": "\ud800"}, "region"),
    ],
    ids=["an id", "an award's name", "a name in the flat awards", "a key", "a region"],
)
def test_text_holding_half_of_a_utf16_pair_is_refused_by_the_python_api_naming_the_field(
    data: dict[str, object], field: str
) -> None:
    # The HTTP body refuses these bytes; Python strings (and file names or arguments decoded with
    # surrogateescape) can hold them, and no report holding one could be written as UTF-8 or JSON.
    from eligibility import Calculator

    with pytest.raises(InputError) as caught:
        Calculator.default().evaluate(data, as_of=date(2025, 6, 1))
    assert [problem.field for problem in caught.value.problems] == [field], str(caught.value)


@pytest.mark.parametrize("nothing", [None, "", "  "], ids=["null", "empty", "blank"])
def test_an_applicant_kind_given_as_nothing_is_a_person_as_an_empty_cell_is_in_batch(nothing: object) -> None:
    assert parse_profile({"region": "aksu", "applicant_kind": nothing}).applicant_kind == "person"


def test_an_id_holding_a_lone_surrogate_is_refused_by_the_api_as_http_refuses_the_body() -> None:
    with pytest.raises(InputError) as refused:
        parse_profile({"region": "aksu", "id": "A\ud800"})
    assert [problem.field for problem in refused.value.problems] == ["id"]
    assert "unpaired UTF-16 surrogate" in str(refused.value)
