"""Facts that contradict each other: a zone of another region, service years that disagree with the start date.

Both are input errors, not warnings. Each pair says the same thing twice (where
the applicant works; how long they have served there), so when the two disagree
one of them is wrong, and which one is not ours to guess — as with a fact given
twice. A warning would let a wrong amount through: the start date would silently
win, and an officer who typed 5 years would read a result computed for 4.

Service years agree with the start date when their whole part is the number of
full years the start date gives at the as-of date: 4.5 years beside a start 4
years and 7 months earlier agree; 5 years beside a start 4 years and 11 months
earlier do not. Written once for one profile and, beside it, for a frame of
validated profile columns (batch/columns.py).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from eligibility.errors import Problem
from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.service_time import full_years_between, full_years_column
from eligibility.facts.vocabulary import FIELDS

if TYPE_CHECKING:
    import polars as pl

ZONE_REGIONS: dict[str, str] = {value.code: value.region for value in FIELDS["zone"].values if value.region}
_ZONE_NAMES = {value.code: value.names for value in FIELDS["zone"].values}
_REGION_NAMES = {value.code: value.names for value in FIELDS["region"].values}


def _region_name(code: str, language: str) -> str:
    names = _REGION_NAMES.get(code)
    return code if names is None else (names.zh if language == "zh" else names.en)


def contradictions(profile: ApplicantProfile, as_of: date, prefix: str = "") -> list[Problem]:
    """What in `profile` contradicts itself at `as_of`: one problem per pair that disagrees."""
    problems = []
    zone_region = ZONE_REGIONS.get(profile.zone or "")
    if profile.zone and zone_region and zone_region != profile.region:
        zone = _ZONE_NAMES[profile.zone]
        english = (
            f"{zone.en} is in {_region_name(zone_region, 'en')}, not in {_region_name(profile.region, 'en')}; "
            "give the zone of the region of work, or none"
        )
        chinese = (
            f"{zone.zh}属于{_region_name(zone_region, 'zh')}，不在{_region_name(profile.region, 'zh')}；"
            "请填写工作地区内的园区，或不填"
        )
        problems.append(Problem(f"{prefix}zone", english, profile.zone, chinese))
    if profile.years_served is not None and profile.service_start_date is not None:
        full_years = full_years_between(profile.service_start_date, as_of)
        if int(profile.years_served) != full_years:
            start = profile.service_start_date.isoformat()
            english = (
                f"disagrees with service_start_date {start}, which gives {full_years} full years at "
                f"{as_of.isoformat()}; give one of the two, or make them agree"
            )
            chinese = (
                f"与本地工作起始日期 {start} 不一致：按起始日期，截至 {as_of.isoformat()} 满 {full_years} 年；"
                "请只填其一，或使二者一致"
            )
            problems.append(Problem(f"{prefix}years_served", english, profile.years_served, chinese))
    return problems


def contradiction_columns(as_of: date, headers: dict[str, str]) -> list[tuple[pl.Expr, pl.Expr]]:
    """`contradictions` over validated profile columns: per pair, its problem (English, Chinese) or null.

    `headers` names each fact's column as the file did, so messages name what the user sees.
    """
    import polars as pl

    def where(key: str) -> tuple[str, str]:
        header = headers.get(key, key)
        return (header, header) if header == key else (f"{header} ({key})", f"{header}（{key}）")

    def names(table: dict[str, str], column: pl.Expr) -> pl.Expr:
        return column.replace_strict(table, default=column, return_dtype=pl.String)

    zone, region = pl.col("zone").cast(pl.String), pl.col("region").cast(pl.String)
    own = zone.replace_strict(ZONE_REGIONS, default=None, return_dtype=pl.String)
    wrong_zone = own.is_not_null() & (own != region)
    zone_en = names({code: value.en for code, value in _ZONE_NAMES.items()}, zone)
    zone_zh = names({code: value.zh for code, value in _ZONE_NAMES.items()}, zone)
    region_en = {code: value.en for code, value in _REGION_NAMES.items()}
    region_zh = {code: value.zh for code, value in _REGION_NAMES.items()}
    named, named_zh = where("zone")
    zone_problem = (
        pl.when(wrong_zone).then(
            pl.format(
                f"{named}: '{{}}': {{}} is in {{}}, not in {{}}; give the zone of the region of work, or none",
                zone,
                zone_en,
                names(region_en, own),
                names(region_en, region),
            )
        ),
        pl.when(wrong_zone).then(
            pl.format(
                f"{named_zh}：'{{}}'：{{}}属于{{}}，不在{{}}；请填写工作地区内的园区，或不填",
                zone,
                zone_zh,
                names(region_zh, own),
                names(region_zh, region),
            )
        ),
    )
    start, given = pl.col("service_start_date"), pl.col("years_served")
    full_years = full_years_column(start, as_of).cast(pl.Int64)
    disagree = start.is_not_null() & given.is_not_null() & (given.floor().cast(pl.Int64) != full_years)
    given_text = (
        pl.when(given == given.floor()).then(given.cast(pl.Int64).cast(pl.String)).otherwise(given.cast(pl.String))
    )
    start_text = start.dt.strftime("%Y-%m-%d")
    named, named_zh = where("years_served")
    years_problem = (
        pl.when(disagree).then(
            pl.format(
                f"{named}: '{{}}': disagrees with service_start_date {{}}, which gives {{}} full years at "
                f"{as_of.isoformat()}; give one of the two, or make them agree",
                given_text,
                start_text,
                full_years,
            )
        ),
        pl.when(disagree).then(
            pl.format(
                f"{named_zh}：'{{}}'：与本地工作起始日期 {{}} 不一致：按起始日期，截至 {as_of.isoformat()} 满 {{}} 年；"
                "请只填其一，或使二者一致",
                given_text,
                start_text,
                full_years,
            )
        ),
    )
    return [zone_problem, years_problem]
