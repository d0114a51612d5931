"""The applicant profile: canonical keys, Chinese aliases, one clear message per problem.

Every attribute is a fact of the vocabulary (facts/vocabulary.py) and is read
through the spelling module (facts/spelling.py): the model declares only the
attribute and its Python type; allowed values, aliases, messages and the JSON
Schema come from the vocabulary. A field left out is unknown (None), never false
or none: rules that test it can only end as `needs_info`; what else absence
means (no zone: outside any zone) is the vocabulary's to say.

Programme codes are declared by the rule packs, and so may be regions the
vocabulary does not know: validated with the loaded packs' registries in the
validation context (`parse_profile(data, registries)`, keyed by fact), codes
are checked against them and names and aliases become codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Protocol

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from eligibility.errors import InputError, Problem
from eligibility.facts import spelling
from eligibility.facts.service_time import full_years_between
from eligibility.facts.vocabulary import FIELDS, FieldKind


class CodeRegistry(Protocol):
    """What reads codes the loaded packs declare (packs/codes.py): programme codes, regions."""

    def resolve(self, spelling: str) -> str:
        """The code a spelling names; raises spelling.Misspelt, saying what is allowed, when none."""
        ...

    @property
    def allowed(self) -> str:
        """The codes a message lists as allowed."""
        ...


Registries = Mapping[str, CodeRegistry]  # fact key -> the registry of its codes


def _misspelt(error: spelling.Misspelt) -> PydanticCustomError:
    return PydanticCustomError("misspelt", "{message}", {"message": str(error), "message_zh": error.zh})


def _yuan(value: Any) -> int | None:
    try:
        return spelling.yuan(value)
    except spelling.Misspelt as error:
        raise _misspelt(error) from None


@dataclass(frozen=True)
class Spelled:
    """Reads a profile attribute as its fact's spelling rules say, and describes it in the JSON Schema.

    `item`: the attribute is one item of the list fact (an award's level), not the list.
    """

    key: str
    item: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        spec = FIELDS[self.key]

        def parse(value: Any, info: core_schema.ValidationInfo) -> Any:
            try:
                if self.item:
                    return spelling.choice(spec, value)
                registry = (info.context or {}).get(self.key) if spec.extensible else None
                if registry is not None and isinstance(value, str) and value.strip():
                    return registry.resolve(value)
                return spelling.fact_value(spec, value)
            except spelling.Misspelt as error:
                raise _misspelt(error) from None

        return core_schema.with_info_before_validator_function(parse, handler(source))

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        json_schema = handler(schema)
        spec = FIELDS[self.key]
        words = (
            ["Level of the award."]
            if self.item
            else [spec.description, f"Chinese column: {' / '.join((spec.zh, *spec.aliases))}."]
        )
        if spec.values and (self.item or spec.kind in (FieldKind.ordered, FieldKind.choice)):
            spellings = "; ".join(f"{value.code}: {'/'.join(value.spellings)}" for value in spec.values)
            words.append(f"Chinese values: {spellings}.")
            for branch in json_schema.get("anyOf", [json_schema]):
                if branch.get("type") == "string":
                    branch["enum"] = list(spec.codes)
        if spec.minimum is not None:
            for branch in json_schema.get("anyOf", [json_schema]):
                if branch.get("type") == "number":
                    branch["minimum"] = spec.minimum
        json_schema["description"] = " ".join(word for word in words if word)
        return json_schema


class ProgrammeCode:
    """One programme code, checked against the registry in the validation context (when there is one)."""

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        def resolve(value: Any, info: core_schema.ValidationInfo) -> Any:
            registry = (info.context or {}).get("programmes")
            if registry is None or not isinstance(value, str):
                return value
            try:
                return registry.resolve(value)
            except spelling.Misspelt as error:
                raise _misspelt(error) from None

        return core_schema.with_info_after_validator_function(resolve, handler(source))


class Award(BaseModel):
    """A title, honour or award the applicant holds (for matching funds)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Annotated[str, Spelled("awards", item=True)]
    name: str = Field(default="", max_length=spelling.MAX_TEXT)
    amount_yuan: Annotated[
        int | None,
        BeforeValidator(_yuan),
        Field(description=f"Whole yuan, 0 to {spelling.MAX_YUAN:,}; null or left out: unknown."),
    ] = None


class ApplicantProfile(BaseModel):
    """Everything the calculator may know about one applicant (a person or an employer)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str | None, Spelled("id")] = None
    applicant_kind: Annotated[str, Spelled("applicant_kind")] = FIELDS["applicant_kind"].default or "person"
    region: Annotated[str, Spelled("region")]
    zone: Annotated[str | None, Spelled("zone")] = None
    degree: Annotated[str | None, Spelled("degree")] = None
    title: Annotated[str | None, Spelled("title")] = None
    skill_level: Annotated[str | None, Spelled("skill_level")] = None
    introduction: Annotated[str | None, Spelled("introduction")] = None
    service_start_date: Annotated[date | None, Spelled("service_start_date")] = None
    years_served: Annotated[float | None, Spelled("years_served")] = None
    bought_home_in_region: Annotated[bool | None, Spelled("bought_home_in_region")] = None
    scarce_skill: Annotated[bool | None, Spelled("scarce_skill")] = None
    certified_high_level_talent: Annotated[bool | None, Spelled("certified_high_level_talent")] = None
    programmes: Annotated[tuple[Annotated[str, ProgrammeCode()], ...] | None, Spelled("programmes")] = None
    awards: Annotated[tuple[Award, ...] | None, Spelled("awards")] = None

    @model_validator(mode="before")
    @classmethod
    def _canonical_keys(cls, data: Any) -> Any:
        """Keys in any accepted spelling to the canonical key; a fact given twice is refused."""
        if not isinstance(data, Mapping):
            return data
        translated: dict[str, Any] = {}
        spelled: dict[str, str] = {}
        for raw_key, value in data.items():
            given = spelling.key_text(raw_key)
            key = spelling.fact_key(raw_key) or given
            if key in spelled:  # 学历 and degree both given: which one is meant is not ours to guess
                raise PydanticCustomError(
                    "duplicate_fact",
                    "given twice, as '{first}' and '{second}'; give it once",
                    {"key": key, "first": spelled[key], "second": given},
                )
            spelled[key] = given
            translated[key] = value
        return translated

    def years_served_on(self, as_of: date) -> float | None:
        """Full years of continuous service at `as_of` (service_start_date first); None when unknown."""
        if self.service_start_date is not None:
            return float(full_years_between(self.service_start_date, as_of))
        return self.years_served


# The attributes are the vocabulary's facts, no more and no fewer.
if set(ApplicantProfile.model_fields) != set(FIELDS):  # pragma: no cover - a mistake caught at import
    raise AssertionError(
        f"ApplicantProfile and the vocabulary differ: {set(ApplicantProfile.model_fields) ^ set(FIELDS)}"
    )


def parse_profile(data: Mapping[str, Any], registries: Registries | None = None, prefix: str = "") -> ApplicantProfile:
    """Validate raw profile data; every problem reported at once as an InputError.

    With `registries` (the loaded packs' codes, by fact), codes are checked against
    them and names become codes.
    """
    try:
        return ApplicantProfile.model_validate(data, context=dict(registries or {}))
    except ValidationError as error:
        raise InputError(problems_from_validation(error, prefix)) from None


def problems_from_validation(error: ValidationError, prefix: str = "") -> list[Problem]:
    """One Problem per pydantic error: the field path, the value given, what is allowed."""
    problems = []
    for detail in error.errors(include_url=False):
        if detail["type"] == "duplicate_fact":  # raised before fields exist: name the fact itself
            context = detail["ctx"]
            twice = f"填写了两次，分别为“{context['first']}”和“{context['second']}”；请只填写一次"
            problems.append(Problem(f"{prefix}{context['key']}", detail["msg"], message_zh=twice))
            continue
        path = ".".join(str(part) for part in detail["loc"])
        field = f"{prefix}{path}" if path else prefix.rstrip(".") or "profile"
        message, message_zh = _allowed(detail)
        problems.append(Problem(field, message, detail.get("input"), message_zh))
    return problems


def _allowed(detail: Any) -> tuple[str, str | None]:
    """What is wrong and what is allowed, in English and (where we word it) Chinese."""
    kind = detail["type"]
    if kind == "misspelt":
        return str(detail["msg"]), detail["ctx"].get("message_zh")
    if kind == "extra_forbidden":
        guess = spelling.closest_key(detail["loc"][-1]) if detail["loc"] else None
        hint, hint_zh = (f"did you mean {guess}? ", f"是否指 {guess}？") if guess else ("", "")
        allowed = ", ".join(FIELDS)
        return f"unknown field; {hint}allowed: {allowed}", f"不是可填的项目；{hint_zh}可填：{allowed}"
    if kind == "missing":
        return "required", "必填"
    return str(detail["msg"]), None
