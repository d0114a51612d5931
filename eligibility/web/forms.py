"""The applicant form, generated from the vocabulary, and the page's query read back into a profile.

Every control is a fact of the vocabulary (facts/vocabulary.py), in its order,
named by the fact's key and labelled with its names; values are offered by their
names. Programme codes come from the loaded packs and zones from the rules that
test them: each is offered for its own regions only. The profile lives in the
query string exactly as the form submits it, read by the spelling module like any
other profile (Chinese keys and values included), so a link reproduces a result
and the server keeps nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final, Literal

from starlette.datastructures import QueryParams

from eligibility.conditions.wording import UNKNOWN, value_name
from eligibility.errors import InputError, Problem
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compare import zones_of
from eligibility.facts import spelling
from eligibility.facts.names import Names
from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.vocabulary import FIELDS, FieldKind
from eligibility.packs.catalogue import Catalogue
from eligibility.presentation.labels import LABELS

WHAT_IF: Final = "set."  # a what-if change of a fact: set.degree=doctorate
AS_OF: Final = "as_of"
LANGUAGE: Final = "lang"
PAGE_PARAMETERS: Final = (LANGUAGE, AS_OF)
MAX_PARAMETERS: Final = 200  # query values read at most (the form has about 40 with every programme ticked)
MAX_VALUE_CHARACTERS: Final = 2_000

ControlKind = Literal["text", "select", "date", "number", "checkboxes", "awards"]
_CONTROLS: Final[dict[FieldKind, ControlKind]] = {
    FieldKind.text: "text",
    FieldKind.ordered: "select",
    FieldKind.choice: "select",
    FieldKind.boolean: "select",
    FieldKind.number: "number",
    FieldKind.date: "date",
    FieldKind.codes: "checkboxes",
    FieldKind.awards: "awards",
}
NONE_OF_THESE: Final = "none"  # the programmes box that says "known to be none" (spelling.EXPLICIT_NONE)


def _names(key: str) -> Names:
    return Names(zh=LABELS[key]["zh"], en=LABELS[key]["en"])


@dataclass(frozen=True)
class Option:
    """One value offered: what the form sends, its names, and the regions it belongs to (empty: every region)."""

    value: str
    names: Names
    regions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Control:
    """One fact's control on the form.

    `blank` names the choice that leaves the fact out (unknown, or what the
    vocabulary says absence means); None when the fact must be given (region)
    or has a default (applicant_kind).
    """

    key: str
    names: Names
    kind: ControlKind
    options: tuple[Option, ...] = ()
    blank: Names | None = None
    required: bool = False
    default: str = ""
    minimum: float | None = None


def form_controls(catalogue: Catalogue) -> tuple[Control, ...]:
    """A control for every fact of the vocabulary, in its order."""
    zone_regions: dict[str, list[str]] = {}
    for loaded in catalogue.loaded:
        for zone in zones_of(loaded):
            zone_regions.setdefault(zone, []).append(loaded.pack.region)
    controls = []
    for key, spec in FIELDS.items():
        kind = _CONTROLS[spec.kind]
        options: tuple[Option, ...] = ()
        blank: Names | None = UNKNOWN
        if spec.kind is FieldKind.boolean:
            options = tuple(Option(str(value).lower(), value_name(key, value)) for value in (True, False))
        elif spec.kind is FieldKind.codes:
            options = tuple(
                Option(programme.code, programme.name, programme.regions)
                for programme in catalogue.programmes.in_region()
            )
        elif kind == "select":
            regions = zone_regions if key == "zone" else {}
            options = tuple(
                Option(value.code, value.names, tuple(regions.get(value.code, ()))) for value in spec.values
            )
            if spec.when_absent is not None:
                blank = spec.when_absent.names
            elif spec.default is not None:
                blank = None
            elif key == "region":
                blank = _names("choose")
        controls.append(
            Control(
                key=key,
                names=spec.names,
                kind=kind,
                options=options,
                blank=blank,
                required=key == "region",
                default=spec.default or "",
                minimum=spec.minimum,
            )
        )
    return tuple(controls)


@dataclass
class PageQuery:
    """The query of the check page, read: the profile as given, what-if changes, the as-of date, the problems."""

    profile: dict[str, Any] = field(default_factory=dict)  # canonical key -> value as given
    changes: dict[str, Any] = field(default_factory=dict)  # canonical key -> value as given (None: make unknown)
    as_of: date | None = None
    as_of_text: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def given(self) -> bool:
        return bool(self.profile)


def read_query(params: QueryParams) -> PageQuery:
    """The profile, what-if changes and as-of date of a check page's query string.

    A list fact (programmes) may come as several values, which are joined as its
    flat form; any other fact given twice is a problem, as in a profile.
    Empty values are unknown facts (an empty what-if value makes the fact unknown).
    """
    query = PageQuery()
    items = params.multi_items()
    if len(items) > MAX_PARAMETERS:
        query.problems.append(Problem("query", f"{len(items)} values; a page reads at most {MAX_PARAMETERS}"))
        return query
    grouped: dict[str, list[str]] = {}
    for name, value in items:
        if len(value) > MAX_VALUE_CHARACTERS:
            query.problems.append(Problem(name, f"longer than {MAX_VALUE_CHARACTERS} characters", value[:40] + "…"))
            continue
        grouped.setdefault(name, []).append(value)
    for name, values in grouped.items():
        if name == LANGUAGE:
            continue
        if name == AS_OF:
            query.as_of_text = values[-1].strip()
            if query.as_of_text:
                try:
                    query.as_of = spelling.day(FIELDS["service_start_date"], query.as_of_text)
                except spelling.Misspelt as error:
                    query.problems.append(Problem(AS_OF, str(error), query.as_of_text))
            continue
        target, raw_key = (query.changes, name[len(WHAT_IF) :]) if name.startswith(WHAT_IF) else (query.profile, name)
        key = spelling.fact_key(raw_key)
        if key is None:  # the profile's parser names it, with "did you mean"
            query.profile[name] = values[-1]
            continue
        if key in target:
            query.problems.append(Problem(name, "given twice (as two spellings of one fact); give it once"))
            continue
        if FIELDS[key].kind is FieldKind.codes:
            joined = ";".join(value.strip() for value in values if value.strip())
            target[key] = joined or None
        elif len(values) > 1:
            query.problems.append(Problem(name, "given more than once; give it once", values))
        else:
            target[key] = values[0] if values[0].strip() else None
    query.profile = {key: value for key, value in query.profile.items() if value is not None}
    return query


def form_values(profile: ApplicantProfile | Mapping[str, Any]) -> dict[str, str | list[str]]:
    """What each control shows: a validated profile's values in the form's own spelling, or the values as typed."""
    if not isinstance(profile, ApplicantProfile):
        values: dict[str, str | list[str]] = {}
        for key, value in profile.items():
            if key in FIELDS and FIELDS[key].kind is FieldKind.codes and isinstance(value, str):
                values[key] = [item.strip() for item in spelling.CODE_SEPARATORS.split(value) if item.strip()]
            else:
                values[key] = "" if value is None else str(value)
        return values
    filled: dict[str, str | list[str]] = {}
    for key, spec in FIELDS.items():
        value = getattr(profile, key)
        if value is None:
            continue
        if spec.kind is FieldKind.codes:
            filled[key] = list(value) if value else [NONE_OF_THESE]
        elif spec.kind is FieldKind.awards:
            filled[key] = (
                ";".join(
                    f"{award.level}:{'' if award.amount_yuan is None else award.amount_yuan}"
                    + (f":{award.name}" if award.name else "")
                    for award in value
                )
                or NONE_OF_THESE
            )
        elif spec.kind is FieldKind.boolean:
            filled[key] = "true" if value else "false"
        elif spec.kind is FieldKind.number:
            filled[key] = f"{value:g}"
        else:
            filled[key] = str(value)
    return filled


def what_if_changes(calculator: Calculator, profile: ApplicantProfile, changes: Mapping[str, Any]) -> dict[str, Any]:
    """The what-if values that differ from the profile's (the what-if form sends every fact).

    Each value is read as a profile reads it, in the region it would be in; a
    value that does not read is kept, so that what_if names the problem.
    """
    region = changes.get("region") or profile.region
    differing: dict[str, Any] = {}
    for key, value in changes.items():
        if value is None:
            if getattr(profile, key) is not None:
                differing[key] = None
            continue
        minimal = {"region": value} if key == "region" else {"region": region, key: value}
        try:
            read = getattr(calculator.parse(minimal), key)
        except InputError:
            differing[key] = value
            continue
        if read != getattr(profile, key):
            differing[key] = value
    return differing
