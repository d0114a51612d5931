"""The applicant profile: canonical keys, Chinese aliases, one clear message per problem.

A field left out is unknown (None), never false or none: rules that test it can
only end as `needs_info`. Only `zone` is different: left out means outside any zone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from eligibility.errors import InputError, Problem
from eligibility.vocabulary import (
    AWARD_LEVEL_ALIASES,
    BOOLEAN_WORDS,
    FIELDS,
    VALUE_ALIASES,
    ZH_KEY_TO_KEY,
    FieldKind,
)

Region = Literal["aksu", "tongchuan", "linhe", "qijiang", "xiangqiao"]
Zone = Literal["aksu_alar_hitech_zone"]
ApplicantKind = Literal["person", "organisation"]
Degree = Literal["none", "associate", "bachelor", "master", "doctorate"]
Title = Literal["none", "junior", "intermediate", "associate_senior", "senior"]
SkillLevel = Literal[
    "none",
    "junior_worker",
    "intermediate_worker",
    "senior_worker",
    "technician",
    "senior_technician",
    "chief_technician",
]
Introduction = Literal["none", "full_time", "flexible"]
AwardLevel = Literal["national", "provincial", "municipal", "prefecture", "district"]

_AWARD_KEYS = {"级别": "level", "名称": "name", "金额": "amount_yuan"}


class Award(BaseModel):
    """A title, honour or award the applicant holds (for matching funds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: AwardLevel
    name: str = ""
    amount_yuan: int | None = Field(default=None, ge=0)

    @model_validator(mode="before")
    @classmethod
    def _translate(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        translated = {_AWARD_KEYS.get(str(key), str(key)): value for key, value in data.items()}
        level = translated.get("level")
        if isinstance(level, str):
            translated["level"] = AWARD_LEVEL_ALIASES.get(level.strip().lower(), level.strip())
        return translated


class ApplicantProfile(BaseModel):
    """Everything the calculator may know about one applicant (a person or an employer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str | None = None
    applicant_kind: ApplicantKind = "person"
    region: Region
    zone: Zone | None = None
    degree: Degree | None = None
    title: Title | None = None
    skill_level: SkillLevel | None = None
    introduction: Introduction | None = None
    service_start_date: date | None = None
    years_served: float | None = Field(default=None, ge=0, allow_inf_nan=False)  # durable-rules cannot hold inf
    bought_home_in_region: bool | None = None
    scarce_skill: bool | None = None
    certified_high_level_talent: bool | None = None
    programmes: tuple[str, ...] | None = None
    awards: tuple[Award, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _translate_aliases(cls, data: Any) -> Any:
        """Chinese keys and values, and empty cells, to the canonical form."""
        if not isinstance(data, Mapping):
            return data
        translated: dict[str, Any] = {}
        spelled: dict[str, str] = {}
        for raw_key, value in data.items():
            key = canonical_key(raw_key)
            if key in spelled:  # 学历 and degree both given: which one is meant is not ours to guess
                raise PydanticCustomError(
                    "duplicate_fact",
                    "given twice, as '{first}' and '{second}'; give it once",
                    {"key": key, "first": spelled[key], "second": str(raw_key)},
                )
            spelled[key] = str(raw_key)
            translated[key] = normalise_value(key, value)
        return translated

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("service_start_date", mode="before")
    @classmethod
    def _chinese_dates(cls, value: Any) -> Any:
        return parse_date_text(value) if isinstance(value, str) else value

    def years_served_on(self, as_of: date) -> float | None:
        """Full years of continuous service at `as_of`; None when unknown.

        A full year is reached on its anniversary; a start after `as_of` is a
        future hire with zero years.
        """
        if self.service_start_date is not None:
            return float(full_years_between(self.service_start_date, as_of))
        return self.years_served


def canonical_key(raw_key: object) -> str:
    """A profile key as given (canonical or Chinese) to its canonical name."""
    text = str(raw_key).strip()
    return ZH_KEY_TO_KEY.get(text, text)


def normalise_value(key: str, value: Any) -> Any:
    """Translate one raw value: trim text, empty to unknown, aliases to canonical."""
    if isinstance(value, str):
        value = value.strip()
        if value == "":
            return None
    spec = FIELDS.get(key)
    if spec is None or value is None:
        return value
    if spec.kind is FieldKind.boolean and isinstance(value, str):
        return BOOLEAN_WORDS.get(value.lower(), value)
    if key in VALUE_ALIASES and isinstance(value, str):
        aliases = VALUE_ALIASES[key]
        return aliases.get(value, aliases.get(value.lower(), value))
    if spec.kind is FieldKind.codes and isinstance(value, str):
        return tuple(code.strip() for code in re.split(r"[;；,，]", value) if code.strip())
    return value


_CHINESE_DATE = re.compile(r"^(\d{4})\s*[年/.\-]\s*(\d{1,2})\s*[月/.\-]\s*(\d{1,2})\s*日?$")


def parse_date_text(text: str) -> str:
    """2020/3/1 and 2020年3月1日 become 2020-03-01; anything else is left to pydantic."""
    match = _CHINESE_DATE.match(text.strip())
    if not match:
        return text.strip()
    year, month, day = match.groups()
    return f"{year}-{int(month):02d}-{int(day):02d}"


def full_years_between(start: date, as_of: date) -> int:
    """Whole years from `start` to `as_of`, reached on the anniversary; 0 if not started.

    A 29 February start reaches its anniversary on 28 February in common years
    (the month-end rule of the Civil Code, art. 202).
    """
    if as_of <= start:
        return 0
    years = as_of.year - start.year
    if anniversary(start, years) > as_of:
        years -= 1
    return years


def anniversary(start: date, years: int) -> date:
    """The date `years` full years after `start`."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February in a common year
        return date(start.year + years, 2, 28)


def parse_profile(data: Mapping[str, Any]) -> ApplicantProfile:
    """Validate raw profile data; every problem reported at once as an InputError."""
    try:
        return ApplicantProfile.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from_validation(error)) from None


def problems_from_validation(error: ValidationError, prefix: str = "") -> list[Problem]:
    """One Problem per pydantic error: the field path, the value given, what is allowed."""
    problems = []
    for detail in error.errors(include_url=False):
        if detail["type"] == "duplicate_fact":  # raised before fields exist: name the fact itself
            problems.append(Problem(field=f"{prefix}{detail['ctx']['key']}", message=detail["msg"]))
            continue
        path = ".".join(str(part) for part in detail["loc"])
        field = f"{prefix}{path}" if path else prefix.rstrip(".") or "profile"
        problems.append(Problem(field=field, value=detail.get("input"), message=_allowed(detail)))
    return problems


def _allowed(detail: Any) -> str:
    kind = detail["type"]
    top = str(detail["loc"][0]) if detail["loc"] else ""
    if kind == "extra_forbidden":
        return "unknown field; allowed: " + ", ".join(FIELDS)
    if kind == "literal_error" and top in FIELDS and FIELDS[top].values:
        spec = FIELDS[top]
        shown = [f"{value} ({'/'.join(spec.values[value])})" for value in spec.values]
        return "not an allowed value; allowed: " + ", ".join(shown)
    if kind == "missing":
        return "required"
    if kind == "bool_parsing":
        return "not a yes/no value; allowed: true/false, yes/no, 1/0, Y/N, 是/否"
    return str(detail["msg"])
