"""The HTTP service, against a real uvicorn server on a free loopback port, over real HTTP."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from pydantic import TypeAdapter

from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compact import CompactReport
from eligibility.evaluation.report import Report
from eligibility.http.errors import RULES_VERSION_HEADER
from eligibility.http.routes import MAX_BATCH_PROFILES, MAX_PROFILE_BYTES, ReportBytes
from tests.support import CASES
from tests.support.server import Server

DOCTOR = {
    "id": "A1",
    "region": "aksu",
    "degree": "doctorate",
    "introduction": "full_time",
    "service_start_date": "2019-03-01",
    "bought_home_in_region": True,
}
DOCTOR_IN_CHINESE = {
    "编号": "A1",
    "地区": "阿克苏地区",
    "学历": "博士研究生",
    "引进方式": "全职引进",
    "本地工作起始日期": "2019年3月1日",
    "是否在本地购房": "是",
}
EVALUATION_DATE = date(2025, 6, 1)
AS_OF = {"as_of": EVALUATION_DATE.isoformat()}


@pytest.fixture(scope="module")
def server(calculator: Calculator) -> Iterator[Server]:
    with Server(calculator) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


def assert_error(response: httpx.Response, status: int, code: str, field: str | None = None) -> dict[str, Any]:
    """The response is the error envelope with this status, code and (first) field, and names the rules."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "rules_version"}
    assert body["rules_version"] == response.headers[RULES_VERSION_HEADER]
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field, body
    error: dict[str, Any] = body["error"]
    return error


def test_a_profile_posted_gets_its_report_with_the_rules_version_in_header_and_body(
    http: httpx.Client, calculator: Calculator
) -> None:
    response = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["rules_version"] == response.headers[RULES_VERSION_HEADER] == calculator.rules_version
    assert report["as_of"] == "2025-06-01"
    assert report["total_cash_yuan"] == 500_000
    expected = calculator.evaluate(DOCTOR, as_of=EVALUATION_DATE)
    assert report == expected.model_dump(mode="json")


def test_a_profile_in_chinese_keys_and_values_gets_the_same_report_as_in_english(
    http: httpx.Client, data_regression: Any
) -> None:
    chinese = http.post(
        "/v1/evaluate", content=json.dumps(DOCTOR_IN_CHINESE, ensure_ascii=False).encode(), params=AS_OF
    )
    english = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF)
    assert chinese.status_code == 200, chinese.text
    assert chinese.json() == english.json()
    data_regression.check(chinese.json() | {"rules_version": "<rules_version>"})


def test_explain_adds_every_condition_evaluated_and_is_off_by_default(http: httpx.Client) -> None:
    plain = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF).json()
    explained = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF | {"explain": "true"}).json()
    assert plain["explanation"] is None
    assert explained["explanation"] is not None
    assert explained | {"explanation": None} == plain


def test_near_misses_false_leaves_them_out_and_changes_nothing_else(http: httpx.Client) -> None:
    plain = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF).json()
    quick = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF | {"near_misses": "false"}).json()
    assert plain["near_misses"]
    assert quick == plain | {"near_misses": []}


def test_the_compact_view_is_the_compact_report_of_the_same_evaluation(
    http: httpx.Client, calculator: Calculator
) -> None:
    response = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF | {"view": "compact"})
    assert response.status_code == 200, response.text
    full = calculator.evaluate(DOCTOR, as_of=EVALUATION_DATE)
    assert response.json() == CompactReport.of(full).model_dump(mode="json")
    assert len(response.content) * 4 < len(http.post("/v1/evaluate", json=DOCTOR, params=AS_OF).content)
    both = http.post("/v1/evaluate", json=DOCTOR, params=AS_OF | {"view": "compact", "near_misses": "0"}).json()
    assert both == response.json() | {"near_misses": []}
    assert_error(http.post("/v1/evaluate", json=DOCTOR, params={"view": "short"}), 422, "invalid_request", "view")
    assert_error(http.post("/v1/evaluate", json=DOCTOR, params={"near_misses": "perhaps"}), 422, "invalid_request")


def test_without_as_of_the_report_is_for_today(http: httpx.Client) -> None:
    response = http.post("/v1/evaluate", json={"region": "aksu"})
    assert response.status_code == 200, response.text
    assert response.json()["as_of"] == date.today().isoformat()


def test_a_batch_returns_one_report_per_profile_in_order(http: httpx.Client, calculator: Calculator) -> None:
    profiles = [DOCTOR, {"region": "aksu", "degree": "master"}, DOCTOR_IN_CHINESE]
    response = http.post("/v1/evaluate/batch", json=profiles, params=AS_OF)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["rules_version"] == response.headers[RULES_VERSION_HEADER]
    assert body["count"] == 3
    expected = calculator.evaluate_many(profiles, as_of=EVALUATION_DATE)
    assert body["reports"] == [report.model_dump(mode="json") for report in expected]


@pytest.mark.parametrize(
    ("body", "message_part"),
    [
        (b'{"region": "aksu",', "not valid JSON"),
        (b"", "empty"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
        (b'{"region": NaN}', "not valid JSON"),
        (b"[" * 10_000 + b"]" * 10_000, "not valid JSON"),
    ],
    ids=["truncated", "empty", "not_utf8", "nan", "nested_too_deeply"],
)
def test_malformed_json_is_a_422_in_the_envelope(http: httpx.Client, body: bytes, message_part: str) -> None:
    error = assert_error(http.post("/v1/evaluate", content=body), 422, "malformed_json")
    assert message_part in error["message"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"region": "aksu", "years_served": 1e400}',
        b'{"region": "aksu", "years_served": ' + b"9" * 4000 + b"}",
        b'{"region": "aksu", "years_served": ' + b"9" * 5000 + b"}",
        b'{"region": "qijiang", "awards": [{"level": "national", "amount_yuan": ' + b"9" * 300 + b"}]}",
        b'{"region": "aksu", "awards": [' + b"[" * 900 + b"]" * 900 + b"]}",
        b'{"region": "aksu", "id": "' + b"x" * 60_000 + b'", "degree": "phd"}',
        b'{"region": "aksu", "\\u0000": 1}',
        b'{"region": "aksu", "degree": "\\ud800"}',
        b'{"region": "aksu", "service_start_date": "0001-01-01"}',
        b'{"region": "aksu", "programmes": [1, {"a": []}]}',
        b'{"region": null}',
    ],
    ids=[
        "infinite_years",
        "huge_integer",
        "integer_over_the_digit_limit",
        "huge_award",
        "deeply_nested_award",
        "long_id_and_bad_degree",
        "nul_key",
        "lone_surrogate",
        "year_one",
        "programmes_of_wrong_types",
        "null_region",
    ],
)
def test_hostile_input_gets_a_report_or_an_envelope_never_a_500(http: httpx.Client, body: bytes) -> None:
    response = http.post("/v1/evaluate", content=body)
    assert response.status_code in (200, 422), response.text[:500]
    if response.status_code == 422:
        error = assert_error(response, 422, response.json()["error"]["code"])
        assert len(error["message"]) < 1_000
    else:
        assert response.json()["rules_version"] == response.headers[RULES_VERSION_HEADER]


def test_a_duplicate_key_is_refused_not_silently_overwritten(http: httpx.Client) -> None:
    body = b'{"region": "aksu", "degree": "master", "degree": "doctorate"}'
    assert_error(http.post("/v1/evaluate", content=body), 422, "malformed_json", field="degree")


def test_wrong_types_and_values_are_422_naming_each_field_and_what_is_allowed(http: httpx.Client) -> None:
    profile = {"region": "aksu", "degree": "phd", "years_served": "many", "bought_home_in_region": [1]}
    error = assert_error(http.post("/v1/evaluate", json=profile), 422, "invalid_profile")
    by_field = {problem["field"]: problem for problem in error["problems"]}
    assert set(by_field) == {"degree", "years_served", "bought_home_in_region"}
    assert by_field["degree"]["value"] == "phd"
    assert "doctorate" in by_field["degree"]["message"]
    assert "and 2 more problems" in error["message"]


def test_an_unknown_field_is_422_listing_the_allowed_fields(http: httpx.Client) -> None:
    error = assert_error(
        http.post("/v1/evaluate", json={"region": "aksu", "salary": 9000}), 422, "invalid_profile", field="salary"
    )
    assert "unknown field" in error["message"]
    assert "degree" in error["message"]


def test_a_missing_region_and_a_body_that_is_not_an_object_are_422(http: httpx.Client) -> None:
    assert_error(http.post("/v1/evaluate", json={"degree": "master"}), 422, "invalid_profile", field="region")
    assert_error(http.post("/v1/evaluate", json=["aksu"]), 422, "invalid_profile", field="profile")
    assert_error(http.post("/v1/evaluate", json="aksu"), 422, "invalid_profile")


def test_an_invalid_as_of_is_422_naming_the_parameter(http: httpx.Client) -> None:
    response = http.post("/v1/evaluate", json=DOCTOR, params={"as_of": "2025-02-30"})
    assert_error(response, 422, "invalid_request", field="as_of")


def test_a_batch_with_bad_profiles_names_each_by_index_and_evaluates_none(http: httpx.Client) -> None:
    profiles = [DOCTOR, {"region": "mars"}, 7, {"region": "aksu", "学历": "博士后"}]
    error = assert_error(http.post("/v1/evaluate/batch", json=profiles), 422, "invalid_profile", field="1.region")
    assert [problem["field"] for problem in error["problems"]] == ["1.region", "2", "3.degree"]


def test_a_batch_body_that_is_not_a_list_is_422(http: httpx.Client) -> None:
    assert_error(http.post("/v1/evaluate/batch", json=DOCTOR), 422, "invalid_request")


def test_a_batch_over_the_profile_limit_is_413(http: httpx.Client) -> None:
    profiles = [{"region": "aksu"}] * (MAX_BATCH_PROFILES + 1)
    error = assert_error(http.post("/v1/evaluate/batch", json=profiles), 413, "too_many_profiles")
    assert str(MAX_BATCH_PROFILES) in error["message"]


def test_a_batch_at_the_profile_limit_is_evaluated(http: httpx.Client) -> None:
    profiles = [{"region": "aksu", "degree": "master"}] * MAX_BATCH_PROFILES
    response = http.post("/v1/evaluate/batch", json=profiles, params=AS_OF)
    assert response.status_code == 200, response.text
    assert response.json()["count"] == MAX_BATCH_PROFILES


def test_a_body_over_the_limit_is_413_from_its_content_length(http: httpx.Client) -> None:
    huge = b'{"region": "aksu", "id": "' + b"x" * (MAX_PROFILE_BYTES + 1) + b'"}'
    error = assert_error(http.post("/v1/evaluate", content=huge), 413, "body_too_large")
    assert str(MAX_PROFILE_BYTES) in error["message"]


def test_a_chunked_body_without_content_length_is_cut_off_at_the_limit(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"region": "aksu", "id": "'
        for _ in range(64):
            yield b"x" * 4096  # 256 KiB in all, never announced
        yield b'"}'

    response = http.post("/v1/evaluate", content=chunks())
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "body_too_large")


def test_the_server_still_answers_after_refusing_bodies(http: httpx.Client) -> None:
    oversized = b'{"region": "aksu", "id": "' + b"x" * (MAX_PROFILE_BYTES + 1) + b'"}'
    for body in (oversized, b"[" * 10_000, b'{"region": "aksu",'):  # refused: too large, too deep, cut short
        assert http.post("/v1/evaluate", content=body).status_code in (413, 422)
    assert http.get("/healthz").status_code == 200
    response = http.post("/v1/evaluate", json={"region": "aksu", "degree": "master"})
    assert response.status_code == 200 and response.json()["region"] == "aksu"


def test_rules_are_listed_and_one_rule_is_shown_whole(http: httpx.Client, calculator: Calculator) -> None:
    listing = http.get("/v1/rules")
    assert listing.status_code == 200
    body = listing.json()
    assert body["rules_version"] == listing.headers[RULES_VERSION_HEADER]
    ids = [rule["id"] for rule in body["rules"]]
    assert ids == [rule.id for _, rule in calculator.catalogue.rules()]
    assert "aksu.housing.prefecture_high_level" in ids
    shown = http.get("/v1/rules/aksu.housing.prefecture_high_level")
    assert shown.status_code == 200
    rule = shown.json()["rule"]
    assert rule["amount"] == {"yuan": 500000}
    assert rule["source"]["quote"]
    assert shown.json()["rules_version"] == calculator.rules_version


def test_a_shown_rule_keeps_its_english_assumptions_and_adds_the_chinese_in_the_same_order(
    http: httpx.Client, calculator: Calculator
) -> None:
    rule = http.get("/v1/rules/aksu.housing.prefecture_high_level").json()["rule"]
    _, loaded = calculator.catalogue.rule("aksu.housing.prefecture_high_level")
    assert rule["assumptions"] == [assumption.en for assumption in loaded.assumptions]
    assert rule["assumptions_zh"] == [assumption.zh for assumption in loaded.assumptions]
    assert len(rule["assumptions"]) >= 2


def test_an_unknown_rule_id_is_404(http: httpx.Client) -> None:
    error = assert_error(http.get("/v1/rules/aksu.housing.palace"), 404, "unknown_rule", field="rule_id")
    assert "aksu.housing.palace" in error["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_rules_cannot_be_uploaded_or_changed(http: httpx.Client, method: str) -> None:
    for path in ("/v1/rules", "/v1/rules/aksu.housing.prefecture_high_level"):
        assert_error(http.request(method, path, json={"id": "aksu.x"}), 405, "method_not_allowed")


def test_an_unknown_path_is_404_in_the_envelope(http: httpx.Client) -> None:
    assert_error(http.get("/v2/evaluate"), 404, "not_found")


def test_the_applicant_schema_is_served_and_names_the_rules_version(http: httpx.Client) -> None:
    response = http.get("/v1/schema/applicant")
    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "ApplicantProfile"
    assert body["rules_version"] == response.headers[RULES_VERSION_HEADER]
    assert_error(http.get("/v1/schema/salary"), 404, "unknown_schema", field="name")


def test_health_openapi_and_docs_are_served_with_the_rules_version_header(http: httpx.Client) -> None:
    health = http.get("/healthz")
    assert health.json() == {"status": "ok", "rules_version": health.headers[RULES_VERSION_HEADER]}
    openapi = http.get("/openapi.json")
    assert openapi.status_code == 200
    document = openapi.json()
    assert {"/v1/evaluate", "/v1/evaluate/batch", "/v1/rules", "/v1/rules/{rule_id}", "/healthz"} <= set(
        document["paths"]
    )
    request_schema = document["paths"]["/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]
    assert request_schema["schema"]["$ref"].split("/")[-1] in document["components"]["schemas"]
    assert RULES_VERSION_HEADER in openapi.headers
    docs = http.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def test_the_serve_command_binds_loopback_by_default_and_stops_cleanly(tmp_path: Path) -> None:
    port = _free_port()
    command = [sys.executable, "-m", "eligibility", "serve", "--port", str(port), "--no-access-log"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=os.environ | {"PYTHONUNBUFFERED": "1"}
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert response.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert f"Uvicorn running on http://127.0.0.1:{port}" in output.decode()
    assert "Traceback" not in output.decode()


def test_the_serve_command_with_a_broken_rules_directory_exits_1_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "aksu.yaml").write_text("region: aksu\nrules: [\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "eligibility", "serve", "--rules", str(tmp_path), "--port", str(_free_port())],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "aksu.yaml" in result.stderr and "Traceback" not in result.stderr


def readme_curl_block() -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## For integrators") :]
    blocks = [block for block in re.findall(r"```sh\n(.*?)```", section, flags=re.DOTALL) if "curl" in block]
    assert blocks, "the integrators' section shows curl examples"
    return blocks[0]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_the_readme_curl_examples_work_against_the_server(server: Server) -> None:
    script = readme_curl_block().replace("http://127.0.0.1:8000", server.url)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    decoder, documents, rest = json.JSONDecoder(), [], result.stdout.strip()
    while rest:
        document, end = decoder.raw_decode(rest)
        documents.append(document)
        rest = rest[end:].strip()
    assert len(documents) == 4, documents
    report, batch, rule, error = documents
    assert report["total_cash_yuan"] == 500_000
    assert batch["count"] == 2 and [item["region"] for item in batch["reports"]] == ["aksu", "qijiang"]
    assert rule["rule"]["id"] == "aksu.housing.prefecture_high_level"
    assert error["error"]["code"] == "invalid_profile" and error["error"]["field"] == "degree"
    assert all(document["rules_version"] for document in documents)


def test_a_report_is_sent_as_exactly_the_bytes_pydantic_dumps(calculator: Calculator) -> None:
    dump, compact = ReportBytes(), ReportBytes(compact=True)
    adapter: TypeAdapter[Report] = TypeAdapter(Report)
    cases = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in sorted(CASES.rglob("*.yaml"))]
    for _ in range(2):  # dumped, then from what was kept
        for case in cases:
            for explain in (False, True):
                report = calculator.evaluate(case["applicant"], as_of=case["as_of"], explain=explain)
                assert dump(report) == adapter.dump_json(report), case["name"]
                assert compact(report) == CompactReport.of(report).model_dump_json().encode(), case["name"]
    tricky = calculator.evaluate(DOCTOR | {"id": '"entitlements":[]'}, as_of=EVALUATION_DATE)
    assert dump(tricky) == adapter.dump_json(tricky)
