"""The routes of the API, over one calculator: each a plain handler, with what it serves prepared once."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from eligibility.errors import InputError, UnknownRuleError
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compact import compact_entitlement, compact_json
from eligibility.evaluation.report import Entitlement, Report
from eligibility.http.errors import ApiError
from eligibility.http.requests import BODY_SECONDS, evaluation_query, query, read_json
from eligibility.packs.schema import Rule
from eligibility.presentation.schemas import SCHEMA_NAMES, schema

MAX_PROFILE_BYTES = 64 * 1024
MAX_BATCH_PROFILES = 1_000
MAX_BATCH_BYTES = 2 * 1024 * 1024


class BatchReports(BaseModel):
    """The reports of a batch, in the order of the profiles sent."""

    rules_version: str
    as_of: date
    count: int
    reports: tuple[Report, ...]


# The same bytes as model_dump_json(), without decoding them to str for Response to encode
# again: for a report of 10 KB, mostly Chinese, that round trip cost a third of the dump.
_REPORT_JSON: TypeAdapter[Report] = TypeAdapter(Report)
_BATCH_JSON: TypeAdapter[BatchReports] = TypeAdapter(BatchReports)
_ENTITLEMENT_JSON: TypeAdapter[Entitlement] = TypeAdapter(Entitlement)
_SHARED_AMOUNTS = frozenset({"none", "fixed", "not_published"})  # what the calculator shares: amounts of no one


class ReportBytes:
    """A report as JSON bytes, exactly `_REPORT_JSON.dump_json(report)` (or, `compact`, the compact view's
    `compact_json(report)`), each shared entitlement dumped once.

    The calculator gives every applicant with the same outcome of a rule the same
    Entitlement object (its name, source quote and assumptions: most of a report's
    bytes); their JSON is kept, by object, and spliced into the rest of the report,
    dumped without them. Matching funds depend on the applicant: dumped each time.
    """

    LIMIT = 4096  # entitlements kept: a few outcomes per rule of every pack

    def __init__(self, compact: bool = False) -> None:
        self._dumped: dict[int, tuple[Entitlement, bytes]] = {}
        self._compact = compact

    def __call__(self, report: Report) -> bytes:
        whole = compact_json if self._compact else _REPORT_JSON.dump_json
        if not report.entitlements:
            return whole(report)
        entitlement = _compact_entitlement_json if self._compact else _ENTITLEMENT_JSON.dump_json
        parts = []
        for item in report.entitlements:
            known = self._dumped.get(id(item))
            if known is not None and known[0] is item:  # the entry holds the object: its id is not reused
                parts.append(known[1])
                continue
            dumped = entitlement(item)
            if item.amount_state in _SHARED_AMOUNTS and len(self._dumped) < self.LIMIT:
                self._dumped[id(item)] = (item, dumped)
            parts.append(dumped)
        rest = whole(report.model_copy(update={"entitlements": ()}))
        # The first `"entitlements":[]` is the field itself: a quote inside a string value is escaped.
        return rest.replace(b'"entitlements":[]', b'"entitlements":[' + b",".join(parts) + b"]", 1)


def _compact_entitlement_json(item: Entitlement) -> bytes:
    return to_json(compact_entitlement(item))


def _json(content: Any) -> Response:
    return Response(json.dumps(content, ensure_ascii=False), media_type="application/json")


def rule_document(rule: Rule) -> dict[str, Any]:
    """A rule as its pack writes it, but with the assumptions as this API has always given them.

    Packs write each assumption as {zh, en}; the response keeps `assumptions` a list of
    English strings (fields are added, never changed) and adds the Chinese, same order.
    """
    data = rule.model_dump(mode="json", by_alias=True)
    data["assumptions"] = [assumption.en for assumption in rule.assumptions]
    data["assumptions_zh"] = [assumption.zh for assumption in rule.assumptions]
    return data


class Routes:
    """The handlers of every route, over one calculator."""

    def __init__(self, calculator: Calculator, body_seconds: float = BODY_SECONDS) -> None:
        self.calculator = calculator
        self.body_seconds = body_seconds
        self.rules_version = calculator.rules_version
        catalogue = calculator.catalogue
        self._listing = {
            "rules_version": self.rules_version,
            "packs": [
                {"region": pack.region, "name": pack.name.model_dump(), "version": pack.version}
                for pack in catalogue.packs
            ],
            "rules": [
                {
                    "id": rule.id,
                    "region": pack.region,
                    "name": rule.name.model_dump(),
                    "kind": rule.kind,
                    "applicant": rule.applicant,
                    "status": rule.status,
                    "exclusivity_group": rule.exclusivity_group,
                }
                for pack, rule in catalogue.rules()
            ],
        }
        self._schemas = {name: schema(name, catalogue) | {"rules_version": self.rules_version} for name in SCHEMA_NAMES}
        self._health = {"status": "ok", "rules_version": self.rules_version}
        self._report_bytes = ReportBytes()
        self._compact_bytes = ReportBytes(compact=True)

    async def evaluate(self, request: Request) -> Response:
        """One applicant's report. The body is one profile (canonical or Chinese keys and values).

        `explain=true` adds `explanation`: every condition of every rule of the region, evaluated.
        """
        asked = evaluation_query(request)
        data = await read_json(request, MAX_PROFILE_BYTES, self.body_seconds)
        try:
            report = self.calculator.evaluate(  # inline: cheaper than a thread hop
                data, as_of=asked.as_of, explain=asked.explain, near_misses=asked.near_misses
            )
        except InputError as error:
            raise ApiError(422, "invalid_profile", str(error), problems=error.problems) from None
        if asked.compact:
            return Response(self._compact_bytes(report), media_type="application/json")
        return Response(self._report_bytes(report), media_type="application/json")

    async def evaluate_batch(self, request: Request) -> Response:
        """The reports of a JSON list of profiles, in order; all are validated before any is evaluated."""
        as_of = evaluation_query(request, ("as_of",)).as_of
        data = await read_json(request, MAX_BATCH_BYTES, self.body_seconds)
        if not isinstance(data, list):
            raise ApiError(422, "invalid_request", f"a batch is a JSON list of profiles, not {type(data).__name__}")
        if len(data) > MAX_BATCH_PROFILES:
            message = f"{len(data)} profiles; a batch holds at most {MAX_BATCH_PROFILES}: split it"
            raise ApiError(413, "too_many_profiles", message)
        day = as_of or date.today()
        try:
            reports = await run_in_threadpool(self.calculator.evaluate_many, data, day)
        except InputError as error:
            raise ApiError(422, "invalid_profile", str(error), problems=error.problems) from None
        batch = BatchReports(rules_version=self.rules_version, as_of=day, count=len(reports), reports=tuple(reports))
        return Response(_BATCH_JSON.dump_json(batch), media_type="application/json")

    async def list_rules(self, request: Request) -> Response:
        """Every loaded rule pack and a summary of each rule (GET /v1/rules/{id} for the whole rule)."""
        query(request, ())
        return _json(self._listing)

    async def show_rule(self, request: Request, rule_id: str) -> Response:
        """One rule as its pack defines it: conditions, amount, dates, source quote, assumptions."""
        query(request, ())
        try:
            pack, rule = self.calculator.catalogue.rule(rule_id)
        except UnknownRuleError as error:
            raise ApiError(404, "unknown_rule", f"{error}; GET /v1/rules lists them", field="rule_id") from None
        document = {"rules_version": self.rules_version, "region": pack.region, "pack_version": pack.version}
        return _json(document | {"rule": rule_document(rule)})

    async def show_schema(self, request: Request, name: str) -> Response:
        """The JSON Schema (Draft 2020-12) of `applicant`, `report` or `rules` (rules_version is an annotation)."""
        query(request, ())
        if name not in self._schemas:
            message = f"no schema named {name!r}; allowed: {', '.join(SCHEMA_NAMES)}"
            raise ApiError(404, "unknown_schema", message, field="name")
        return _json(self._schemas[name])

    async def healthz(self, request: Request) -> Response:
        """Liveness: the service is up and the rule packs are loaded."""
        query(request, ())
        return _json(self._health)
