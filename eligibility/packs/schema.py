"""The rule-pack schema: what a YAML pack may say, checked before anything runs.

Conditions are a closed vocabulary (all / any / not / definition, and field tests
with the operators of conditions/operators.py). Facts, values and which operator
fits which fact come from the vocabulary and the operator table. Nothing in a
pack is ever evaluated as code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, model_validator

from eligibility.conditions.operators import OPERATORS, Scalar
from eligibility.facts.names import Names
from eligibility.facts.spelling import EARLIEST, LATEST, MAX_YUAN, Misspelt, number
from eligibility.facts.vocabulary import AWARD_LEVELS, FACTS, FIELDS, REGIONS, TESTABLE_FIELDS, FieldKind

Path = tuple[str | int, ...]
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")
RuleKind = Literal["cash", "service", "in_kind", "honour"]
Frequency = Literal["one_off", "annual", "monthly", "ongoing", "per_event"]
RuleStatus = Literal["in_force", "proposed"]

_STRICT = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Assumption(BaseModel):
    """What a rule reads into a silent source, in Chinese and English (both required)."""

    model_config = _STRICT
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _both_languages(cls, value: Any) -> Any:
        # Packs before 2026-11-22 wrote assumptions as plain English strings: say what changed.
        if isinstance(value, str):
            raise ValueError(f"an assumption is {{zh: ..., en: ...}} with both languages; got only the text {value!r}")
        return value


class FieldTest(BaseModel):
    """One test of one applicant fact; exactly one operator."""

    model_config = _STRICT
    field: str
    eq: Scalar | None = None
    in_: tuple[str, ...] | None = Field(default=None, alias="in", min_length=1)
    at_least: str | None = None
    gte: float | None = None
    lte: float | None = None
    has: str | tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> FieldTest:
        given = [name for name in OPERATORS if self.operand_of(name) is not None]
        if len(given) != 1:
            raise ValueError(f"a field test takes exactly one of {', '.join(OPERATORS)}; got {given or 'none'}")
        return self

    def operand_of(self, operator: str) -> Any:
        return self.in_ if operator == "in" else getattr(self, operator)

    @property
    def operator(self) -> str:
        return next(name for name in OPERATORS if self.operand_of(name) is not None)

    @property
    def operand(self) -> Any:
        return self.operand_of(self.operator)


class AllOf(BaseModel):
    """True when every condition holds (an empty list always holds)."""

    model_config = _STRICT
    all: tuple[Condition, ...]


class AnyOf(BaseModel):
    """True when at least one condition holds."""

    model_config = _STRICT
    any: tuple[Condition, ...]


class NotOf(BaseModel):
    """True when the condition does not hold."""

    model_config = _STRICT
    not_: Condition = Field(alias="not")


class DefinitionRef(BaseModel):
    """A named definition of the same pack (e.g. Aksu's high-level talent)."""

    model_config = _STRICT
    definition: str


def _condition_tag(value: Any) -> str:
    if isinstance(value, BaseModel):
        return type(value).__name__
    if isinstance(value, dict):
        for key, tag in (("all", "AllOf"), ("any", "AnyOf"), ("not", "NotOf"), ("definition", "DefinitionRef")):
            if key in value:
                return tag
    return "FieldTest"


Condition = Annotated[
    Annotated[AllOf, Tag("AllOf")]
    | Annotated[AnyOf, Tag("AnyOf")]
    | Annotated[NotOf, Tag("NotOf")]
    | Annotated[DefinitionRef, Tag("DefinitionRef")]
    | Annotated[FieldTest, Tag("FieldTest")],
    Discriminator(_condition_tag),
]


class FixedAmount(BaseModel):
    """A published amount in yuan."""

    model_config = _STRICT
    yuan: int = Field(ge=0, le=MAX_YUAN)


class UnpublishedAmount(BaseModel):
    """A cash benefit whose amount the source does not publish: never guessed, never summed."""

    model_config = _STRICT
    published: Literal[False]
    note: str = Field(min_length=1, description="Which document sets the amount.")
    note_zh: str | None = Field(default=None, min_length=1, description="The note in Chinese, for Chinese readers.")


class MatchingAmount(BaseModel):
    """Matching funds: `ratio` times the applicant's award amounts at the given levels."""

    model_config = _STRICT
    matching_award_levels: tuple[str, ...] = Field(
        json_schema_extra={"items": {"enum": [level.code for level in AWARD_LEVELS], "type": "string"}}
    )
    ratio: float = Field(default=1.0, gt=0, le=100, allow_inf_nan=False)


Amount = FixedAmount | UnpublishedAmount | MatchingAmount


class Effective(BaseModel):
    """The dates a rule is in force: from (inclusive) until (exclusive); open when absent."""

    model_config = _STRICT
    from_: date | None = Field(default=None, alias="from")
    until: date | None = None

    @model_validator(mode="after")
    def _a_window(self) -> Effective:
        for day in (self.from_, self.until):
            if day is not None and not EARLIEST <= day <= LATEST:
                raise ValueError(f"{day} is outside {EARLIEST.year} to {LATEST.year}")
        if self.from_ is not None and self.until is not None and self.until <= self.from_:
            raise ValueError(
                f"until ({self.until}) must be after from ({self.from_}): the rule would never be in force"
            )
        return self

    def covers(self, day: date) -> bool:
        return (self.from_ is None or self.from_ <= day) and (self.until is None or day < self.until)


class SourceQuote(BaseModel):
    """Where a rule comes from: the seed document and the clause, verbatim."""

    model_config = _STRICT
    document: str
    quote: str = Field(min_length=1)


class ProgrammeDeclaration(BaseModel):
    """A programme code the pack's rules test: a membership or status its sources name but whose criteria they do not publish."""

    model_config = _STRICT
    name: Names
    meaning: Names = Field(description="One line: who holds it.")
    aliases: tuple[str, ...] = Field(default=(), description="Other names a user may type for it (托峰英才计划).")


class Definition(BaseModel):
    """A named condition reused by several rules."""

    model_config = _STRICT
    name: Names
    when: Condition


class Rule(BaseModel):
    """One entitlement a region grants, tied to its source sentence."""

    model_config = _STRICT
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
    name: Names
    kind: RuleKind
    applicant: str = Field(
        default=str(FIELDS["applicant_kind"].default), json_schema_extra={"enum": list(FIELDS["applicant_kind"].codes)}
    )
    amount: Amount | None = None
    frequency: Frequency = "one_off"
    status: RuleStatus = "in_force"
    effective: Effective = Effective()
    when: Condition = AllOf(all=())
    exclusivity_group: str | None = None
    source: SourceQuote
    assumptions: tuple[Assumption, ...] = ()
    note: str | None = None

    @model_validator(mode="after")
    def _cash_has_amount(self) -> Rule:
        if self.kind == "cash" and self.amount is None:
            raise ValueError("a cash rule needs an amount: {yuan: N}, {published: false, note: ...} or matching")
        if self.kind != "cash" and self.amount is not None:
            raise ValueError(f"only cash rules carry an amount; this one is {self.kind}")
        return self


_Date = date  # SourceDocument's field is named `date`, which hides the type in its body


class SourceDocument(BaseModel):
    """A seed document a pack quotes."""

    model_config = _STRICT
    document: str
    title: str
    publisher: str
    date: _Date | None = Field(default=None, description="Publication date; null when the source is undated.")


class RulePack(BaseModel):
    """All the rules of one region."""

    model_config = _STRICT
    region: str = Field(
        description=f"The region's code: one the calculator knows ({', '.join(r.code for r in REGIONS)}) or a new one."
    )
    name: Names
    aliases: tuple[str, ...] = Field(
        default=(), description="Other names of the region a profile may give (阿克苏, 阿克苏地区)."
    )
    version: str
    sources: tuple[SourceDocument, ...] = Field(min_length=1)
    programmes: dict[str, ProgrammeDeclaration] = Field(
        default={}, description="The programme codes the rules test (the profile's `programmes`), by code."
    )
    definitions: dict[str, Definition] = {}
    rules: tuple[Rule, ...] = ()


AllOf.model_rebuild()
AnyOf.model_rebuild()
NotOf.model_rebuild()

# The test syntax offers exactly the operators of the table.
if {name.removesuffix("_") for name in FieldTest.model_fields} - {"field"} != set(OPERATORS):  # pragma: no cover
    raise AssertionError("FieldTest's operators and conditions.operators.OPERATORS differ")


def check_pack(pack: RulePack) -> Iterator[tuple[Path, str]]:
    """Checks beyond the schema: the region, fields, values, operators, definitions, ids, sources."""
    if not _CODE.match(pack.region):
        yield ("region",), f"region code {pack.region!r}: lower-case letters, digits and _, starting with a letter"
    for code in pack.programmes:
        if not _CODE.match(code):
            yield (
                ("programmes", code),
                f"programme code {code!r}: lower-case letters, digits and _, starting with a letter",
            )
    documents = {source.document for source in pack.sources}
    seen: set[str] = set()
    for name, definition in pack.definitions.items():
        yield from _check_condition(definition.when, pack, ("definitions", name, "when"))
    for index, rule in enumerate(pack.rules):
        at: Path = ("rules", index)
        if rule.id in seen:
            yield (*at, "id"), f"duplicate rule id {rule.id}"
        seen.add(rule.id)
        if not rule.id.startswith(pack.region + "."):
            yield (*at, "id"), f"rule id {rule.id} must start with the pack's region '{pack.region}.'"
        if rule.applicant not in FIELDS["applicant_kind"].codes:
            allowed = ", ".join(FIELDS["applicant_kind"].codes)
            yield (*at, "applicant"), f"not an applicant kind: {rule.applicant!r}; allowed: {allowed}"
        if rule.source.document not in documents:
            yield (
                (*at, "source", "document"),
                (f"document {rule.source.document} is not among the pack's sources: {', '.join(sorted(documents))}"),
            )
        if isinstance(rule.amount, MatchingAmount):
            levels = FIELDS["awards"].codes
            for level in rule.amount.matching_award_levels:
                if level not in levels:
                    yield (
                        (*at, "amount", "matching_award_levels"),
                        f"{level!r} is not an award level; allowed: {', '.join(levels)}",
                    )
        yield from _check_condition(rule.when, pack, (*at, "when"))


def _check_condition(condition: Condition, pack: RulePack, at: Path) -> Iterator[tuple[Path, str]]:
    if isinstance(condition, AllOf | AnyOf):
        parts = condition.all if isinstance(condition, AllOf) else condition.any
        key = "all" if isinstance(condition, AllOf) else "any"
        for index, part in enumerate(parts):
            yield from _check_condition(part, pack, (*at, key, index))
    elif isinstance(condition, NotOf):
        yield from _check_condition(condition.not_, pack, (*at, "not"))
    elif isinstance(condition, DefinitionRef):
        if condition.definition not in pack.definitions:
            known = ", ".join(sorted(pack.definitions)) or "none"
            yield (*at, "definition"), f"undefined definition {condition.definition}; defined: {known}"
    else:
        yield from _check_field_test(condition, pack, (*at, condition.operator))


def _check_field_test(test: FieldTest, pack: RulePack, at: Path) -> Iterator[tuple[Path, str]]:
    if test.field not in TESTABLE_FIELDS:
        yield (*at[:-1], "field"), f"unknown field {test.field}; allowed: {', '.join(sorted(TESTABLE_FIELDS))}"
        return
    spec = FACTS[test.field]
    kinds_operators = sorted(name for name, operator in OPERATORS.items() if spec.kind in operator.kinds)
    if spec.kind not in OPERATORS[test.operator].kinds:
        yield (
            at,
            f"{test.field} is {spec.kind.value}: operator {test.operator} not allowed; use {', '.join(kinds_operators)}",
        )
        return
    operand = test.operand
    if spec.kind is FieldKind.number:
        try:
            number(spec, operand)
        except Misspelt as error:
            yield at, f"{test.field}: {operand!r}: {error}"
    if spec.kind is FieldKind.boolean and not isinstance(operand, bool):
        yield at, f"{test.field} is a yes/no fact: compare with true or false, not {operand!r}"
    operands = operand if isinstance(operand, tuple) else (operand,)
    if spec.values:
        for value in operands:
            if value not in spec.codes:
                yield at, f"{test.field}: {value!r} is not a value; allowed: {', '.join(spec.codes)}"
    elif spec.kind is FieldKind.codes:
        for code in operands:
            if code not in pack.programmes:
                declared = ", ".join(pack.programmes) or "none"
                yield at, f"programme code {code!r} is not declared under the pack's programmes; declared: {declared}"
