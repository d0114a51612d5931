"""JSON Schemas (Draft 2020-12) of the public documents: applicant, report, rule pack, case file.

Generated from the pydantic models, so the schema and the validator cannot
disagree. The applicant schema describes the canonical form (English keys and
values); each property names its Chinese column and spellings, which the
calculator and the service also accept and translate before validation.
"""

from __future__ import annotations

from typing import Any, Literal

from eligibility.evaluation.cases import Case
from eligibility.evaluation.report import Report
from eligibility.facts.profile import ApplicantProfile
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.schema import RulePack

SchemaName = Literal["applicant", "report", "rules", "cases"]
SCHEMA_NAMES: tuple[SchemaName, ...] = ("applicant", "report", "rules", "cases")
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def applicant_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    """What one applicant profile may contain (input of evaluate); programme codes those of `catalogue`'s packs."""
    catalogue = catalogue or Catalogue.from_directory()
    schema = ApplicantProfile.model_json_schema(mode="validation")  # each property described by the vocabulary
    for branch in schema["properties"]["region"].get("anyOf", [schema["properties"]["region"]]):
        if branch.get("type") == "string":
            branch["enum"] = [region.code for region in catalogue.region_codes]
    programmes = catalogue.programmes.in_region()
    for branch in schema["properties"]["programmes"].get("anyOf", []):
        if branch.get("type") == "array":
            branch["items"] = {"type": "string", "enum": [item.code for item in programmes]}
    names = "; ".join(f"{item.code}: {item.name.zh} / {item.name.en}" for item in programmes)
    schema["properties"]["programmes"]["description"] += f" Codes: {names}. Their names and aliases are accepted too."
    schema["description"] = (
        "An applicant profile in canonical form. A field left out is unknown (rules depending on it end as "
        "needs_info); zone left out means outside any zone. Chinese keys and values (see each property) are "
        "also accepted and translated before validation."
    )
    return _document(schema)


def report_schema() -> dict[str, Any]:
    """What an evaluation returns (output of evaluate, as JSON)."""
    return _document(Report.model_json_schema(mode="serialization"))


def rules_schema() -> dict[str, Any]:
    """What a rule-pack file (rules/*.yaml) may contain. The loader checks more: fields, values, ids, sources."""
    return _document(RulePack.model_json_schema(mode="validation", by_alias=True))


def cases_schema() -> dict[str, Any]:
    """What a case file (cases/*.yaml, REGION.cases.yaml) may contain: one case or a list of cases.

    The applicant is any profile (English or Chinese keys): checked when the case runs.
    """
    case = Case.model_json_schema(mode="validation")
    definitions = case.pop("$defs", {})
    definitions["Case"] = case
    reference = {"$ref": "#/$defs/Case"}
    return _document(
        {
            "title": "Case file",
            "description": "One case (name, as_of, applicant, expected) or a list of cases, run by `eligibility test`.",
            "anyOf": [reference, {"type": "array", "items": reference, "minItems": 1}],
            "$defs": definitions,
        }
    )


def schema(name: SchemaName, catalogue: Catalogue | None = None) -> dict[str, Any]:
    """One of the schemas by name: applicant (for `catalogue`'s packs), report, rules or cases."""
    if name == "applicant":
        return applicant_schema(catalogue)
    if name == "cases":
        return cases_schema()
    return report_schema() if name == "report" else rules_schema()


def _document(schema: dict[str, Any]) -> dict[str, Any]:
    return {"$schema": DIALECT, **schema}
