"""The typed API, the HTTP service and batch scoring give the same answer for the same profile.

Hypothesis draws rosters of profiles: the applicants of the cases (cases/),
respelled, as they are or with one value made bad; random careful profiles; and
careless ones. Every fact is given by its key, its Chinese name or another
declared spelling; values come from the vocabulary (codes, Chinese and English
spellings, any case, spaces around) or are hostile (numbers as text with exponents, infinities and NaN, booleans where
numbers go, negative and huge integers (10**400, and beyond the 4,300 digits
Python converts to text), fractions where whole yuan go, dates as 0,
9999-12-31, 2019/4/1 or 2024-02-30, unknown values, empty and blank text, lone
surrogates, award amounts around 2**63, service years that disagree with the
start date, a zone of another region). Each profile goes through

- the API: `Calculator.evaluate` with the JSON value, as Python holds it;
- HTTP: a real uvicorn on a loopback port, the roster's profiles in one
  POST /v1/evaluate/batch (the refused ones named by index, the others sent
  again for their reports);
- batch: the roster as text cells, scored by the columnar path of
  `eligibility batch` (`RosterScorer.score_polars`, which `score_roster` is).

They must agree: the same benefits with the same status and amount, the same
total and id; or a refusal of the same facts. A fact a value is refused for is
the first part of the problem's field (`awards.0.amount_yuan` is `awards`): a
cell holds a whole fact. Facts that contradict each other (a zone of another
region, service years against the start date) are only checked by the API once
every value reads; the batch checks them beside the bad cells, so a refused
profile's contradictions are compared only when no value is refused.

How a JSON value becomes a cell (the text a CSV export holds):
- absent or null: an empty cell; a string: its text as is;
- true/false: `true`/`false`; an integer: its digits; a float: Python's repr
  (`5.0`, `1e+16`, `inf`, `nan`);
- a list of programme codes: its items joined by `;` (an empty list: `无`, a
  list of blanks: `;`); a list of awards: the flat form `level:amount[:name]`
  joined by `;`.

What a cell cannot say, and what each surface is expected to do:
- JSON `true`, `1.5` or a list as the `id` (text): the API and HTTP refuse it
  (an id is text or a whole number); the cell `true`/`1.5` is text, and batch
  takes it as the id. So `id` is drawn as text or an integer only.
- NaN has no JSON form, and a lone surrogate (`\\ud800`) no UTF-8 form: HTTP
  refuses a body holding one as `malformed_json` (no field: it is not JSON
  text); a CSV cell and a polars string cannot hold a lone surrogate, so such a
  profile is not in the batch roster; the API refuses it on its field.
- Infinity is sent to HTTP as `1e400`, which JSON readers take as infinity.
- An integer of more than 4,300 digits is written out digit by digit.
- A column that is no fact is carried through by batch and refused by the API
  and HTTP (an unknown field); a fact given twice (学历 and degree) is refused
  by all, but by batch for the whole roster: neither is drawn.

Bounds: 250 rosters of 1 to 10 profiles (derandomized, no example database):
1,383 profiles, all through the API, 1,351 through HTTP (the others hold NaN or
a lone surrogate: each sent alone, and refused as malformed JSON) and 1,351
through batch (the others hold a lone surrogate); 668 answered (378 granted
something, 126 cash), 715 refused. About 40 s on a 2-core machine:

    ELIGIBILITY_SOURCES=... pytest -q -s tests/test_surfaces_agree.py
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eligibility.batch import frames
from eligibility.batch.evaluator import benefit_amount
from eligibility.batch.frames import RosterScorer
from eligibility.batch.run import score_chunk
from eligibility.errors import InputError, Problem
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.outcome import STATUS_NAMES
from eligibility.facts.consistency import ZONE_REGIONS
from eligibility.facts.spelling import BOOLEAN_WORDS, MAX_TEXT
from eligibility.facts.vocabulary import AWARD_LEVELS, FIELDS, FieldKind
from tests.support import CASES
from tests.support.server import Server

ROSTERS = 250
PROFILES = 10  # at most, in one roster
AS_OF_DAYS = (date(2025, 6, 1), date(2024, 2, 29), date(2023, 12, 31), date(2026, 1, 1))
CONTRADICTIONS = ("disagrees with service_start_date", "give the zone of the region of work")
SEPARATORS = re.compile(r"[;；,，:：]")


class Digits:
    """An integer too long for Python to write as text (over 4,300 digits): kept as its digits."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:  # short, also in Hypothesis's report of a failing example
        return f"Digits({self.text[:2]}…, {len(self.text)} characters)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Digits) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    @property
    def value(self) -> int:
        sign = -1 if self.text.startswith("-") else 1
        digits = self.text.lstrip("-")
        power: int = 10 ** (len(digits) - 1)
        return sign * int(digits[0]) * power  # drawn as d000…0: no text conversion


# --- values as a JSON client sends them


def python(value: Any) -> Any:
    """The value as the API receives it."""
    if isinstance(value, Digits):
        return value.value
    if isinstance(value, list):
        return [python(item) for item in value]
    if isinstance(value, dict):
        return {key: python(item) for key, item in value.items()}
    return value


def has_surrogate(text: str) -> bool:
    return any("\ud800" <= character <= "\udfff" for character in text)


def holds_surrogate(value: Any) -> bool:
    """Whether a lone surrogate is anywhere in the value (keys included)."""
    if isinstance(value, str):
        return has_surrogate(value)
    if isinstance(value, list):
        return any(holds_surrogate(item) for item in value)
    if isinstance(value, dict):
        return any(holds_surrogate(key) or holds_surrogate(item) for key, item in value.items())
    return False


def carried_by_json(value: Any) -> bool:
    """Whether JSON text can carry the value (no NaN, no lone surrogate)."""
    if isinstance(value, float):
        return not math.isnan(value)
    if isinstance(value, str):
        return not has_surrogate(value)
    if isinstance(value, list):
        return all(carried_by_json(item) for item in value)
    if isinstance(value, dict):
        return all(carried_by_json(key) and carried_by_json(item) for key, item in value.items())
    return True


def to_json(value: Any) -> str:
    """JSON text; infinity as 1e400, NaN as the NaN a careless encoder writes, a surrogate escaped."""
    if isinstance(value, Digits):
        return value.text
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isinf(value):
            return "1e400" if value > 0 else "-1e400"
        return "NaN" if math.isnan(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=has_surrogate(value))
    if isinstance(value, list):
        return "[" + ", ".join(to_json(item) for item in value) + "]"
    assert isinstance(value, dict)
    return "{" + ", ".join(f"{to_json(key)}: {to_json(item)}" for key, item in value.items()) + "}"


def cell(key: str, value: Any) -> str:
    """The text a roster's cell holds for the JSON value of a fact (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, Digits):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | str):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    assert isinstance(value, list), (key, value)
    if FIELDS[key].kind is FieldKind.awards:
        items = []
        for record in value:
            name = record.get("name", record.get("名称"))
            level = cell("awards", record.get("level", record.get("级别")))
            amount = cell("awards", record.get("amount_yuan", record.get("金额")))
            items.append(f"{level}:{amount}" + ("" if name is None else f":{name}"))
        return ";".join(items) if items else "无"
    items = [cell(key, item) for item in value]
    if not items:
        return "无"
    return ";".join(items) + (";" if not any(item.strip() for item in items) else "")


# --- strategies


def cased(text: str) -> st.SearchStrategy[str]:
    return st.sampled_from([text, text.upper(), text.title(), f" {text} ", f"\t{text}\u3000", f"\x1c{text}\x1f"])


BLANKS = st.sampled_from(["", " ", "\t", "\u3000", "\xa0", " \n ", "\x1f", "\x1c\x1d\x1e"])  # str.strip()'s space
HOSTILE_NUMBERS: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            "1e16",
            "5e-324",
            "1E2",
            "inf",
            "-inf",
            "nan",
            "Infinity",
            "0x10",
            "1_000",
            "٣",  # an Arabic-Indic digit: int() reads it, a roster's reader must not
            "５",  # a full-width digit
            "+5",
            "-0",
            ".5",
            "5.",
            "1,000",
            "10**400",
        ]
    ),
    st.sampled_from([math.inf, -math.inf, math.nan, 1e16, 5e-324, -1.0, 0.001, 1e308, -0.0, 2.0**63]),
    st.sampled_from([True, False]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([10**400, -(10**400), 2**63, 2**63 - 1, -(2**63), 2**64]),
    st.sampled_from([Digits("1" + "0" * 4400), Digits("-9" + "0" * 5000)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
HOSTILE_TEXT: st.SearchStrategy[Any] = st.one_of(
    BLANKS,
    st.sampled_from(
        ["\ud800", "a\udfffb", "不存在的值", "phd", "none;none", "无", "null", "None", "x" * (MAX_TEXT + 1)]
    ),
    st.text(max_size=8),
)
HOSTILE_DATES: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(
        [
            0,
            20200301,
            "0",
            "9999-12-31",
            "1899-12-31",
            "2201-01-01",
            "2019/4/1",
            "2024-02-30",
            "2023-02-29",
            "2024-02-29",
            "2020-3-1 00:00:00",
            "2020-03-01T00:00:00",
            "2020-03-01 12:00:00",
            "2020年3月1日",
            "2020.03.01",
            "01/03/2020",
            "2020-13-01",
            "２０２０-03-01",
            "２０２０年３月１日",
            "٢٠٢٠-03-01",
        ]
    ),
    HOSTILE_NUMBERS,
)
HOSTILE: st.SearchStrategy[Any] = st.one_of(HOSTILE_NUMBERS, HOSTILE_TEXT, HOSTILE_DATES)


def value_spellings(key: str, calculator: Calculator) -> list[str]:
    """Every spelling the vocabulary (and, for regions, the packs) accepts for the fact's values."""
    if key == "region":
        return sorted({spelling for code in calculator.catalogue.region_codes for spelling in code.accepted()})
    spec = FIELDS[key]
    found = []
    for value in spec.values:
        found += [value.code, *value.spellings, value.names.zh, value.names.en]
    return sorted(set(found))


def valid_value(key: str, calculator: Calculator) -> st.SearchStrategy[Any]:
    spec = FIELDS[key]
    if key == "id":
        return st.one_of(st.text(alphabet="AP0123456789-张", min_size=1, max_size=8), st.integers(0, 10**9))
    if spec.kind in (FieldKind.ordered, FieldKind.choice):
        spellings = st.sampled_from(value_spellings(key, calculator)).flatmap(cased)
        if key == "region" or not spec.values:
            return spellings
        high = spec.values[-2:]  # the two highest ranks (full-time and flexible hires) half the time: more cash
        return st.one_of(
            spellings, st.sampled_from([spelling for value in high for spelling in (value.code, *value.spellings)])
        )
    if spec.kind is FieldKind.boolean:
        return st.one_of(st.booleans(), st.sampled_from([0, 1]), st.sampled_from(sorted(BOOLEAN_WORDS)).flatmap(cased))
    if spec.kind is FieldKind.number:
        quarters = st.integers(0, 400).map(lambda quarter: quarter / 4)
        return st.one_of(st.integers(0, 100), quarters, quarters.map(str), st.integers(0, 100).map(str))
    if spec.kind is FieldKind.date:
        days = st.dates(min_value=date(1990, 1, 1), max_value=date(2027, 12, 31))
        return days.flatmap(
            lambda day: st.sampled_from(
                [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日"]
            )
        )
    if spec.kind is FieldKind.codes:
        programmes = calculator.catalogue.programmes
        names = sorted(
            {
                spelling
                for item in programmes.by_code.values()
                for spelling in (item.code, item.name.zh, item.name.en, *item.aliases)
                if not SEPARATORS.search(spelling)
            }
        )
        chosen = st.lists(st.sampled_from(names), max_size=3)
        return st.one_of(
            chosen, chosen.map(";".join).filter(bool), st.sampled_from(["无", "none", "NONE"]), st.just([])
        )
    assert spec.kind is FieldKind.awards
    levels = sorted({spelling for value in AWARD_LEVELS for spelling in (value.code, *value.spellings)})
    amounts = st.one_of(st.none(), st.sampled_from([0, 5000, 100_000, 200_001, 10**9]), st.integers(0, 10**7))
    record = st.fixed_dictionaries(
        {"level": st.sampled_from(levels), "amount_yuan": amounts},
        optional={"name": st.sampled_from(["", "某奖", "国家科技进步奖"])},
    )
    chinese = record.map(
        lambda item: {
            {"level": "级别", "amount_yuan": "金额", "name": "名称"}[key]: value for key, value in item.items()
        }
    )
    record = st.one_of(record, chinese)
    return st.one_of(st.lists(record, max_size=3), st.sampled_from(["无", "none"]))


def hostile_value(key: str, calculator: Calculator) -> st.SearchStrategy[Any]:
    spec = FIELDS[key]
    if key == "id":  # a cell cannot tell JSON true or 1.5 from the text: see the docstring
        return st.one_of(
            HOSTILE_TEXT,
            st.integers(),
            st.sampled_from([10**400, Digits("1" + "0" * 4400)]),
        )
    if spec.kind is FieldKind.codes:
        item = st.one_of(HOSTILE_TEXT.filter(lambda text: not SEPARATORS.search(text)), st.integers(0, 9))
        return st.one_of(HOSTILE, st.lists(item, max_size=3), st.just(";;"), st.just("tuofeng;不存在"))
    if spec.kind is FieldKind.awards:
        levels = st.one_of(
            st.sampled_from([value.code for value in AWARD_LEVELS]),
            HOSTILE.filter(lambda value: not isinstance(value, str) or not SEPARATORS.search(value)),
        )
        amounts = st.one_of(
            HOSTILE_NUMBERS.filter(lambda value: not isinstance(value, str) or not SEPARATORS.search(value)),
            st.sampled_from([2**63 - 1, 2**63, 10**9, 10**9 + 1, 5.5, 5.0, "5.0", "5000", " 5000 ", -1, None]),
        )
        name = st.one_of(st.just("某奖"), st.text(max_size=4).filter(lambda text: not SEPARATORS.search(text)))
        record = st.fixed_dictionaries(
            {"level": levels, "amount_yuan": amounts},
            optional={"name": st.one_of(name, st.just("长" * (MAX_TEXT + 1)), st.just("\ud800"))},
        )
        flat = st.sampled_from(
            [
                "national:200000:国家科技进步奖",
                "国家级:9223372036854775808",
                "national:1e5",
                "national:-5",
                "national:5.0",
                "national::某奖",
                "national",
                "galactic:5",
                "district:5000;;",
                "national:5:" + "长" * (MAX_TEXT + 1),
            ]
        )
        return st.one_of(st.lists(record, min_size=1, max_size=2), flat, HOSTILE)
    return HOSTILE


@dataclass(frozen=True)
class Example:
    as_of: date
    headers: dict[str, str]  # fact key -> how this roster spells it (its column, and each profile's key)
    profiles: list[dict[str, Any]]  # by canonical key; Digits for integers too long to write


def key_spellings(key: str) -> list[str]:
    spec = FIELDS[key]
    return [key, spec.zh, *spec.aliases, key.upper(), f" {key} "]


def case_profiles() -> list[dict[str, Any]]:
    """The applicants of the cases (cases/): profiles known to be entitled to something, cash among it."""
    found = []
    for path in sorted(CASES.glob("*/*.yaml")):
        applicant = yaml.safe_load(path.read_text(encoding="utf-8")).get("applicant")
        if isinstance(applicant, dict) and set(applicant) <= set(FIELDS):
            found.append(
                {key: value.isoformat() if isinstance(value, date) else value for key, value in applicant.items()}
            )
    assert len(found) >= 50, "the cases hold the applicants that are entitled to something"
    return found


def respelled(key: str, value: Any, calculator: Calculator) -> st.SearchStrategy[Any]:
    """A case's value in any accepted spelling of it (a code as its Chinese name, in another case, ...)."""
    spec = FIELDS[key]
    if spec.kind not in (FieldKind.ordered, FieldKind.choice) or not isinstance(value, str):
        return st.just(value)
    if key == "region":
        names = [code.accepted() for code in calculator.catalogue.region_codes if code.code == value]
    else:
        names = [
            (item.code, *item.spellings, item.names.zh, item.names.en) for item in spec.values if item.code == value
        ]
    return st.sampled_from(names[0] if names else [value]).flatmap(cased)


def examples(calculator: Calculator) -> st.SearchStrategy[Example]:
    """Rosters of profiles; the strategies of each fact's values made once."""
    valid = {key: valid_value(key, calculator) for key in FIELDS}
    hostile = {key: hostile_value(key, calculator) for key in FIELDS}
    spellings = {key: st.sampled_from(key_spellings(key)) for key in FIELDS}
    cases = st.sampled_from(case_profiles()).flatmap(
        lambda profile: st.fixed_dictionaries(
            {key: respelled(key, value, calculator) for key, value in profile.items()}
        )
    )
    return rosters(calculator, valid, hostile, spellings, cases)


@st.composite
def rosters(
    draw: st.DrawFn,
    calculator: Calculator,
    valid: dict[str, st.SearchStrategy[Any]],
    hostile: dict[str, st.SearchStrategy[Any]],
    spellings: dict[str, st.SearchStrategy[str]],
    cases: st.SearchStrategy[dict[str, Any]],
) -> Example:
    as_of = draw(st.sampled_from(AS_OF_DAYS))
    headers = {key: draw(spellings[key]) for key in FIELDS}
    profiles = []
    for _ in range(draw(st.integers(1, PROFILES))):
        kind = draw(st.sampled_from(["case", "careful", "case with a bad value", "careless"]))
        if kind.startswith("case"):  # an applicant of the cases, respelled, one fact made bad or not
            profile = draw(cases)
            if kind == "case with a bad value":
                key = draw(st.sampled_from(list(FIELDS)))
                profile[key] = draw(hostile[key])
            profiles.append(profile)
            continue
        careless = kind == "careless"
        profile = {}
        for key in FIELDS:
            if key != "region" and draw(st.integers(0, 2 if careless else 5)) == 0:
                continue  # unknown
            bad = careless and draw(st.integers(0, 2)) == 0
            profile[key] = draw(hostile[key] if bad else valid[key])
        if not careless and "region" in profile:
            _agree(profile, calculator, as_of, draw)
        if careless and draw(st.integers(0, 4)) == 0:
            profile.pop("region", None)
        profiles.append(profile)
    return Example(as_of, headers, profiles)


def _agree(profile: dict[str, Any], calculator: Calculator, as_of: date, draw: st.DrawFn) -> None:
    """A careful profile's facts agree with each other: a zone of its region, years no other than the start gives."""
    region = calculator.catalogue.region_codes.resolve(profile["region"])
    if "zone" in profile:
        zone = FIELDS["zone"].spelling_table.get(str(profile["zone"]).strip().lower())
        if ZONE_REGIONS.get(zone or "", region) != region:
            del profile["zone"]
    if "service_start_date" in profile and "years_served" in profile:
        del profile[draw(st.sampled_from(["service_start_date", "years_served"]))]


# --- outcomes: what each surface says of one profile


@dataclass(frozen=True)
class Outcome:
    """An answer (id, total, each listed benefit's status and amount) or a refusal (the facts refused)."""

    refused: frozenset[str] = frozenset()  # facts whose values are refused
    contradicting: frozenset[str] = frozenset()  # facts that contradict another (zone, years_served)
    applicant_id: str | None = None
    total: int | None = None
    benefits: frozenset[tuple[str, str, int | None]] = frozenset()

    @property
    def ok(self) -> bool:
        return not self.refused and not self.contradicting

    def comparable(self) -> Outcome:
        """A refusal for bad values says nothing of contradictions (the API does not get to them)."""
        return Outcome(self.refused) if self.refused else self


def refusal(fields: list[tuple[str, str]]) -> Outcome:
    """An outcome from (field, message) pairs; a field `3.awards.0.level` in a batch names `awards`."""
    refused: set[str] = set()
    contradicting: set[str] = set()
    for field, message in fields:
        fact = field.split(".")[0]
        (contradicting if any(phrase in message for phrase in CONTRADICTIONS) else refused).add(fact)
    return Outcome(frozenset(refused), frozenset(contradicting))


def api_outcome(calculator: Calculator, profile: dict[str, Any], as_of: date) -> Outcome:
    try:
        report = calculator.evaluate(profile, as_of=as_of)
    except InputError as error:
        assert error.problems, "an input error names its problems"
        return refusal([(problem.field, problem.message) for problem in error.problems])
    return Outcome(
        applicant_id=report.applicant_id,
        total=report.total_cash_yuan,
        benefits=frozenset((item.benefit_id, item.status, item.amount_yuan) for item in report.entitlements),
    )


def report_outcome(report: dict[str, Any]) -> Outcome:
    return Outcome(
        applicant_id=report["applicant_id"],
        total=report["total_cash_yuan"],
        benefits=frozenset(
            (item["benefit_id"], item["status"], item["amount_yuan"]) for item in report["entitlements"]
        ),
    )


def http_outcomes(client: httpx.Client, example: Example, carried: list[int]) -> dict[int, Outcome]:
    """The outcome of each profile JSON can carry, sent as one batch; the refused named by index."""
    outcomes: dict[int, Outcome] = {}
    pending = list(carried)
    params = {"as_of": example.as_of.isoformat()}
    while pending:
        body = "[" + ", ".join(to_json(spelled(example, example.profiles[index])) for index in pending) + "]"
        response = client.post("/v1/evaluate/batch", content=body.encode(), params=params)
        assert response.status_code in (200, 422), response.text[:500]
        document = json.loads(response.text, parse_constant=_not_json)  # strict: no NaN or Infinity
        if response.status_code == 200:
            assert document["count"] == len(pending)
            for index, report in zip(pending, document["reports"], strict=True):
                outcomes[index] = report_outcome(report)
            break
        assert document["error"]["code"] == "invalid_profile", document
        problems: dict[int, list[tuple[str, str]]] = {}
        for problem in document["error"]["problems"]:
            position, _, field = problem["field"].partition(".")
            problems.setdefault(int(position), []).append((field, problem["message"]))
        for position, fields in problems.items():
            outcomes[pending[position]] = refusal(fields)
        pending = [index for position, index in enumerate(pending) if position not in problems]
    return outcomes


def _not_json(name: str) -> Any:
    raise AssertionError(f"the response holds {name}, which is not JSON")


def malformed_by_http(client: httpx.Client, example: Example, index: int) -> bool:
    body = to_json(spelled(example, example.profiles[index])).encode("utf-8", "surrogatepass")
    response = client.post("/v1/evaluate", content=body, params={"as_of": example.as_of.isoformat()})
    assert response.status_code == 422, response.text[:500]
    return bool(response.json()["error"]["code"] == "malformed_json")


def spelled(example: Example, profile: dict[str, Any]) -> dict[str, Any]:
    """The profile with its keys as the roster spells them."""
    return {example.headers[key]: value for key, value in profile.items()}


def batch_outcomes(
    scorer: RosterScorer, example: Example, rows: list[int], chunks: list[pl.DataFrame]
) -> dict[int, Outcome]:
    """Each profile of `rows` as a row of text cells, the roster scored as `eligibility batch` scores it.

    `chunks` receives the scored chunk behind the result columns: each benefit's amount is there.
    """
    used = [key for key in FIELDS if any(key in example.profiles[index] for index in rows)]
    columns = {example.headers[key]: [cell(key, example.profiles[index].get(key)) for index in rows] for key in used}
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String)) if used else pl.DataFrame()
    frame = frame if used else pl.DataFrame({"姓名": [f"row {index}" for index in rows]})  # a roster of no fact
    chunks.clear()
    scored = scorer.score_polars(frame)
    assert scored.height == len(rows)
    (chunk,) = chunks
    amounts = chunk.iter_rows(named=True)
    outcomes: dict[int, Outcome] = {}
    for index, row, amount in zip(rows, scored.iter_rows(named=True), amounts, strict=True):
        if row["status"] == "error":
            outcomes[index] = refusal(_problems(row["error"], example.headers, used))
            continue
        assert row["status"] == "ok" and row["error"] is None, row
        benefits = frozenset(
            (benefit, status, amount[benefit_amount(benefit)])
            for status in STATUS_NAMES.values()
            for benefit in (row[status].split(";") if row[status] else [])
        )
        outcomes[index] = Outcome(applicant_id=row["id"], total=row["total_cash_yuan"], benefits=benefits)
    return outcomes


def _problems(error: str, headers: dict[str, str], used: list[str]) -> list[tuple[str, str]]:
    """(fact, message) of each problem of a batch row's error: `header (key): message; ...`."""
    starts = []
    for key in FIELDS:
        header = headers[key] if key in used else key
        wheres = {header, f"{header} ({key})"}
        for where in wheres:
            for found in re.finditer(re.escape(f"{where}: "), error):
                if found.start() == 0 or error[: found.start()].endswith("; "):
                    starts.append((found.start(), key))
    assert starts, f"a batch error that names no fact: {error!r}"
    starts.sort()
    ends = [start for start, _ in starts[1:]] + [len(error)]
    return [(key, error[start:end]) for (start, key), end in zip(starts, ends, strict=True)]


# --- the property


@pytest.fixture(scope="module")
def server(calculator: Calculator) -> Iterator[Server]:
    with Server(calculator) as running:
        yield running


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as http:
        yield http


def test_the_api_http_and_batch_give_the_same_answer_or_refuse_the_same_facts(
    calculator: Calculator, client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    scorers = {day: RosterScorer(calculator.catalogue, day) for day in AS_OF_DAYS}
    chunks: list[pl.DataFrame] = []

    def recording(*arguments: Any, **options: Any) -> tuple[pl.DataFrame, Any]:
        scored, tallies = score_chunk(*arguments, **options)
        chunks.append(scored)
        return scored, tallies

    monkeypatch.setattr(frames, "score_chunk", recording)
    seen: Counter[str] = Counter()

    @settings(
        max_examples=ROSTERS,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(example=examples(calculator))
    def agree(example: Example) -> None:
        api = {
            index: api_outcome(calculator, python(profile), example.as_of)
            for index, profile in enumerate(example.profiles)
        }
        carried = [index for index, profile in enumerate(example.profiles) if carried_by_json(profile)]
        http = http_outcomes(client, example, carried)
        for index in set(api) - set(carried):  # NaN or a lone surrogate: not JSON text
            assert malformed_by_http(client, example, index), example.profiles[index]
            assert not api[index].ok, f"the API took what HTTP cannot carry: {example.profiles[index]}"
        in_roster = [index for index, profile in enumerate(example.profiles) if not holds_surrogate(profile)]
        batch = batch_outcomes(scorers[example.as_of], example, in_roster, chunks)
        for index in range(len(example.profiles)):
            context = f"as of {example.as_of}, profile {index} of {example.profiles}"
            expected = api[index]
            if index in http:
                assert http[index] == expected, f"HTTP {http[index]} != API {expected}: {context}"
            if index in batch:
                assert batch[index].comparable() == expected.comparable(), (
                    f"batch {batch[index]} != API {expected}: {context}"
                )
            seen["profiles"] += 1
            seen["http"] += index in http
            seen["batch"] += index in batch
            seen["answered" if expected.ok else "refused"] += 1
            seen["with cash"] += bool(expected.total)
            seen["granted"] += any(status == "granted" for _, status, _ in expected.benefits)
            seen["with an amount"] += any(amount for _, _, amount in expected.benefits)

    agree()
    print(f"surfaces agree: {dict(seen)}")
    assert seen["profiles"] >= ROSTERS
    assert seen["http"] >= seen["profiles"] * 9 // 10 and seen["batch"] >= seen["profiles"] * 9 // 10, seen
    # Valid profiles, entitled to something and to cash: the comparison is not of refusals alone.
    assert seen["answered"] >= seen["profiles"] // 4, seen
    assert seen["granted"] >= seen["profiles"] // 10, seen
    assert seen["with cash"] >= seen["profiles"] // 50, seen
    assert seen["refused"] >= seen["profiles"] // 10, seen


def test_outcome_comparison_notices_a_difference() -> None:
    """The comparison itself can fail: a refusal is not an answer, nor one fact another."""
    answer = Outcome(applicant_id="A", total=5, benefits=frozenset({("x", "granted", 5)}))
    assert refusal([("degree", "not an allowed value")]) != answer
    assert refusal([("degree", "x")]) != refusal([("title", "x")])
    assert refusal([("awards.0.level", "x")]) == refusal([("awards", "y")])
    assert _problems(
        "学历 (degree): 'phd': not an allowed value; allowed: none (无); 地区 (region): required",
        {"degree": "学历", "region": "地区"},
        ["degree", "region"],
    ) == [
        ("degree", "学历 (degree): 'phd': not an allowed value; allowed: none (无); "),
        ("region", "地区 (region): required"),
    ]
    assert str(Problem("x", "m")) == "x: m"
