"""The web application over real HTTP (a real uvicorn on a free loopback port): pages, safety, rosters, files.

What a person sees in a browser is tested in test_web_browser.py; here, what the
server sends: every fact's control and its label, escaping, the security headers,
the refusals, and that roster files are gone after their download or expiry.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import polars as pl
import pytest
from fastapi import FastAPI
from markupsafe import escape

from eligibility import web
from eligibility.evaluation.calculator import Calculator
from eligibility.facts.vocabulary import FIELDS, FieldKind
from eligibility.presentation.labels import LABELS
from eligibility.presentation.money import money
from eligibility.web.roster import (
    EXPIRY_SECONDS,
    MAX_JOBS,
    MAX_RUNNING,
    MAX_UPLOAD_BYTES,
    TIMEOUT_SECONDS,
    RosterJobs,
)
from tests.support import REPO, invoke
from tests.support.server import Server

AS_OF = date(2025, 6, 1)
DOCTOR = {
    "id": "A1",
    "region": "aksu",
    "degree": "doctorate",
    "introduction": "full_time",
    "service_start_date": "2019-03-01",
    "bought_home_in_region": "true",
    "as_of": AS_OF.isoformat(),
}
ROSTER = REPO / "examples" / "roster.csv"


class Page(HTMLParser):
    """What a test reads of a page: labels by the control they name, options, scripts, attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}  # the control's id -> the label's text
        self.legends: list[str] = []
        self.options: dict[str, list[tuple[str, str]]] = {}  # a select's id -> (value, text)
        self.scripts: list[dict[str, str | None]] = []
        self.attributes: list[tuple[str, str]] = []
        self.resources: list[str] = []
        self._open: list[tuple[str, dict[str, str | None]]] = []
        self._text: list[str] = []
        self._select: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.attributes.extend((name, value or "") for name, value in attrs)
        if tag == "script":
            self.scripts.append(found)
        if tag in ("script", "img") and found.get("src"):
            self.resources.append(str(found["src"]))
        if tag == "link" and found.get("href"):
            self.resources.append(str(found["href"]))
        if tag == "select":
            self._select = found.get("id")
            self.options[str(self._select)] = []
        if tag in ("label", "legend", "option", "script"):
            self._open.append((tag, found))
            self._text = []

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            return
        _, found = self._open.pop()
        text = " ".join("".join(self._text).split())
        if tag == "label" and found.get("for"):
            self.labels[str(found["for"])] = text
        elif tag == "legend":
            self.legends.append(text)
        elif tag == "option" and self._select is not None:
            self.options[self._select].append((str(found.get("value")), text))
        elif tag == "script" and text:
            self.scripts.append({"inline": text})


@pytest.fixture(scope="module")
def server(calculator: Calculator) -> Iterator[Server]:
    with Server(calculator) as running:
        yield running


@pytest.fixture(scope="module")
def http(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        yield client


def page(http: httpx.Client, path: str, status: int = 200, **params: Any) -> str:
    response = http.get(path, params=params) if params else http.get(path)
    assert response.status_code == status, response.text[:2000]
    assert response.headers["content-type"].startswith("text/html")
    return response.text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_form_has_a_control_for_every_fact_labelled_with_its_name_and_values_by_their_names(
    http: httpx.Client, language: str
) -> None:
    read = Page(page(http, "/", lang=language))
    for key, spec in FIELDS.items():
        name = spec.zh if language == "zh" else spec.names.en
        if spec.kind is FieldKind.codes:
            assert name in read.legends, key
        else:
            assert read.labels[f"f-{key}"] == name, key
        if spec.kind in (FieldKind.ordered, FieldKind.choice):
            offered = dict(read.options[f"f-{key}"])
            for value in spec.values:
                assert offered[value.code] == (value.names.zh if language == "zh" else value.names.en)


def test_a_profile_in_the_link_gives_the_calculators_result_with_amounts_in_wan_yuan(
    http: httpx.Client, calculator: Calculator
) -> None:
    html = page(http, "/", **DOCTOR, lang="zh")
    report = calculator.evaluate({key: value for key, value in DOCTOR.items() if key != "as_of"}, as_of=AS_OF)
    granted = next(item for item in report.by_status("granted") if item.kind == "cash")
    assert granted.amount_yuan == 500_000 and "50万元" in html
    assert granted.name.zh in html and escape(granted.source.quote) in html and granted.source.document in html
    assert all(escape(assumption) in html for assumption in granted.assumptions_zh)
    assert "2025-06-01" in html and calculator.rules_version in html
    english = page(http, "/", **DOCTOR, lang="en")
    assert "500,000 yuan" in english and granted.name.en in english


def test_an_applicant_id_with_markup_is_sent_escaped_as_text(http: httpx.Client) -> None:
    html = page(http, "/", **(DOCTOR | {"id": "<script>alert(1)</script>"}))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path",
    ["/", "/?region=aksu&degree=doctorate&set.title=senior", "/rules", "/rules?q=购房", "/roster", "/docs"],
)
def test_every_page_has_a_content_security_policy_and_no_inline_script_or_style(http: httpx.Client, path: str) -> None:
    response = http.get(path)
    assert response.status_code == 200
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"  # the profile is in the URL
    read = Page(response.text)
    assert read.scripts and all(script.get("src") for script in read.scripts), read.scripts
    assert not [name for name, _ in read.attributes if name.startswith("on") or name == "style"]
    assert all(resource.startswith(("/", "data:")) for resource in read.resources), read.resources


def test_the_api_docs_and_every_asset_a_page_names_are_served_from_this_server(http: httpx.Client) -> None:
    for path in ("/", "/docs", "/roster"):
        for resource in Page(page(http, path)).resources:
            if resource.startswith("/"):
                response = http.get(resource)
                assert response.status_code == 200, resource
                assert response.headers["x-content-type-options"] == "nosniff"
    assert http.get("/openapi.json").status_code == 200
    assert http.get("/redoc").status_code == 404  # it would load from a CDN: not served


@pytest.mark.parametrize(
    "query",
    [
        {"region": "aksu", "programmes": "none"},  # two questions that both ask the degree first
        {"region": "aksu", "degree": "master", "set.title": "senior", "set.region": "qijiang"},
        {"region": "qijiang", "applicant_kind": "organisation"},
    ],
)
def test_every_id_on_a_result_page_is_unique_so_each_label_names_one_control(
    http: httpx.Client, query: dict[str, str]
) -> None:
    read = Page(page(http, "/", **query, as_of="2025-06-01"))
    ids = [value for name, value in read.attributes if name == "id"]
    assert len(ids) == len(set(ids)), sorted(identifier for identifier in ids if ids.count(identifier) > 1)
    assert set(read.labels) <= set(ids)


def test_the_language_switch_is_a_relative_link_whatever_host_the_request_names(http: httpx.Client) -> None:
    html = http.get("/?region=aksu&lang=zh", headers={"Host": "attacker.example"}).text
    assert 'href="/?region=aksu&amp;lang=en"' in html and "attacker.example" not in html


def test_a_bad_value_gets_422_naming_the_field_the_value_and_what_is_allowed(http: httpx.Client) -> None:
    html = page(http, "/", 422, region="aksu", degree="phd", years_served="-1", lang="zh", salary="1")
    assert "学历" in html and "“phd”" in html and "不是可选的值；可选：none (无)" in html
    assert "本地工作年限" in html and "超出范围；应为不小于0且不大于100的数" in html
    assert "salary" in html and "不是可填的项目" in html
    english = page(http, "/", 422, region="mars", lang="en")
    assert "region" in english and "“mars”" in english and "aksu" in english
    assert "as_of" in page(http, "/", 422, region="aksu", as_of="2025-02-30")
    what_if = page(http, "/", 422, region="aksu", degree="master", **{"set.degree": "phd", "lang": "en"})
    assert "“phd”" in what_if and "allowed: none" in what_if and '<section class="result"' in what_if


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"region": "aksu", "years_served": "9" * 20}, "years_served"),
        ({"region": "aksu", "service_start_date": "9999-12-31"}, "service_start_date"),
        ({"region": "qijiang", "awards": "national:" + "9" * 400}, "awards"),
        ({"region": "aksu", "degree": "master", "set.years_served": "1e308"}, "years_served"),
    ],
    ids=["twenty nines for years", "a date in the year 9999", "an award of 400 digits", "a what-if of 1e308 years"],
)
def test_a_value_beyond_every_bound_is_a_422_page_naming_the_field_never_a_500(
    http: httpx.Client, params: dict[str, str], field: str
) -> None:
    html = page(http, "/", 422, **params, lang="en")
    problems = html[html.index('<div class="problems" role="alert">') :]
    assert field in problems[: problems.index("</div>")]


def test_a_fact_given_twice_and_an_unknown_language_are_refused_by_name(http: httpx.Client) -> None:
    assert "given more than once" in page(http, "/?region=aksu&degree=master&degree=doctorate", 422)
    assert "given twice" in page(http, "/", 422, region="aksu", degree="master", 学历="博士")
    assert "allowed: zh, en" in page(http, "/", 422, lang="fr")


def test_chinese_keys_and_values_in_a_link_read_as_the_canonical_ones(http: httpx.Client) -> None:
    chinese = {"地区": "阿克苏", "学历": "博士", "引进方式": "全职引进", "本地工作起始日期": "2019年3月1日"}
    html = page(http, "/", **chinese, 是否在本地购房="是", as_of="2025-06-01", lang="zh")
    assert "50万元" in html


@pytest.mark.parametrize(
    ("header", "language"),
    [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"), ("fr-FR,en;q=0.5", "en"), ("fr", "zh"), ("", "zh")],
)
def test_without_lang_in_the_link_the_browsers_language_decides_and_chinese_is_the_default(
    http: httpx.Client, header: str, language: str
) -> None:
    response = http.get("/", headers={"Accept-Language": header})
    assert f'<html lang="{"zh-CN" if language == "zh" else "en"}">' in response.text
    assert LABELS["nav_check"][language] in response.text
    assert "Accept-Language" in response.headers["vary"]


def test_the_rules_page_shows_every_rule_and_a_search_keeps_those_holding_every_word(
    http: httpx.Client, calculator: Calculator
) -> None:
    everything = page(http, "/rules", lang="en")
    rules = [rule for _, rule in calculator.catalogue.rules()]
    assert all(f'id="rule-{rule.id}"' in everything for rule in rules)
    assert f'<span id="rule-count">{len(rules)}</span>' in everything
    housing = page(http, "/rules", q="购房", lang="zh")
    found = set(re.findall(r'id="rule-([a-z_]+\.[^"]+)"', housing))
    assert found and all("housing" in rule_id for rule_id in found)
    assert found == set(re.findall(r'id="rule-([a-z_]+\.[^"]+)"', page(http, "/rules", q="home-purchase", lang="zh")))
    both = set(re.findall(r'id="rule-([a-z_]+\.[^"]+)"', page(http, "/rules", q="购房 master", lang="en")))
    assert both and both < found
    qijiang = page(http, "/rules", region="qijiang", lang="zh")
    assert set(re.findall(r'id="rule-([a-z_]+\.[^"]+)"', qijiang)) == {
        rule.id for rule in rules if rule.id.startswith("qijiang.")
    }
    assert "50万元" in page(http, "/rules", q="aksu.housing.prefecture_high_level", lang="zh")
    assert LABELS["no_match"]["en"] in page(http, "/rules", q="no-such-word-anywhere", lang="en")
    assert "allowed: aksu" in page(http, "/rules", 422, region="mars")


# Rosters: each test has its own jobs, with limits small enough to reach.


@pytest.fixture
def roster_server(calculator: Calculator, request: pytest.FixtureRequest) -> Iterator[tuple[Server, RosterJobs]]:
    limits = getattr(request, "param", {})
    directory = {loaded.path.parent for loaded in calculator.catalogue.loaded}.pop()
    jobs = RosterJobs(directory, calculator.rules_version, **limits)
    app = FastAPI()
    web.mount(app, calculator, jobs)
    with Server(calculator, app) as running:
        yield running, jobs
    jobs.close()
    assert jobs.root is None or not jobs.root.exists()


def upload(
    client: httpx.Client, content: bytes, name: str, output_format: str = "csv", as_of: str = "2025-06-01"
) -> httpx.Response:
    return client.post(
        "/roster/jobs", params={"name": name, "format": output_format, "as_of": as_of, "lang": "en"}, content=content
    )


def scored(client: httpx.Client, response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 202, response.text
    status_url = response.json()["url"].split("?")[0] + "/status"
    deadline = time.monotonic() + 60
    while (status := client.get(status_url).json())["state"] == "scoring":
        assert time.monotonic() < deadline, "the roster was not scored within a minute"
        time.sleep(0.1)
    result: dict[str, Any] = status | {"job": response.json()["job"]}
    return result


def test_a_scored_roster_is_what_eligibility_batch_writes_and_its_files_go_with_the_download(
    roster_server: tuple[Server, RosterJobs], tmp_path: Path
) -> None:
    server, jobs = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, ROSTER.read_bytes(), "名单.csv"))
        assert status["state"] == "done"
        assert jobs.root is not None
        directory = jobs.root / status["job"]
        assert sorted(path.name for path in directory.iterdir() if path.name != "worker.log") == ["scored.csv"]
        summary = client.get(f"/roster/jobs/{status['job']}", params={"lang": "zh"}).text
        assert '<dd id="summary-rows">5</dd>' in summary and '<dd id="summary-errors">1</dd>' in summary
        assert money(1_450_000, "zh") in summary
        download = client.get(f"/roster/jobs/{status['job']}/download", params={"lang": "zh"})
        assert download.status_code == 200
        assert "filename*=utf-8''%E5%90%8D%E5%8D%95-" in download.headers["content-disposition"]
        expected = tmp_path / "expected.csv"
        result = invoke(
            "batch", str(ROSTER), "--out", str(expected), "--as-of", "2025-06-01", "--lang", "en", "--quiet"
        )
        assert result.exit_code == 0, result.output
        assert download.content == expected.read_bytes()
        assert not directory.exists()
        again = client.get(f"/roster/jobs/{status['job']}/download")
        assert again.status_code == 410
        assert "rows" in client.get(f"/roster/jobs/{status['job']}").text  # the summary stays until it expires


def test_an_xlsx_roster_scored_to_xlsx_holds_the_rows_eligibility_batch_writes(
    roster_server: tuple[Server, RosterJobs], tmp_path: Path
) -> None:
    server, _ = roster_server
    workbook = tmp_path / "roster.xlsx"
    pl.read_csv(ROSTER, infer_schema=False).write_excel(workbook)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, workbook.read_bytes(), "roster.xlsx", "xlsx"))
        assert status["state"] == "done", client.get(f"/roster/jobs/{status['job']}").text
        downloaded = tmp_path / "downloaded.xlsx"
        downloaded.write_bytes(client.get(f"/roster/jobs/{status['job']}/download").content)
    expected = tmp_path / "expected.xlsx"
    arguments = ("--out", str(expected), "--as-of", "2025-06-01", "--lang", "en", "--quiet")
    assert invoke("batch", str(workbook), *arguments).exit_code == 0
    assert pl.read_excel(downloaded).equals(pl.read_excel(expected))


@pytest.mark.parametrize("roster_server", [{"expiry": 0.5}], indirect=True)
def test_a_result_not_downloaded_is_deleted_with_its_job_after_the_expiry(
    roster_server: tuple[Server, RosterJobs],
) -> None:
    server, jobs = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, ROSTER.read_bytes(), "roster.csv"))
        assert status["state"] == "done"
        assert jobs.root is not None
        deadline = time.monotonic() + 10
        while (jobs.root / status["job"]).exists():
            assert time.monotonic() < deadline, "the scored file outlived its expiry"
            time.sleep(0.1)
        assert client.get(f"/roster/jobs/{status['job']}/download").status_code == 404
        assert LABELS["job_missing"]["en"] in client.get(f"/roster/jobs/{status['job']}", params={"lang": "en"}).text
    assert list(jobs.root.iterdir()) == []


@pytest.mark.parametrize("roster_server", [{"max_bytes": 2_000}], indirect=True)
def test_an_upload_over_the_size_limit_or_of_another_type_is_refused_with_a_clear_message(
    roster_server: tuple[Server, RosterJobs],
) -> None:
    server, jobs = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        large = upload(client, b"id,region\n" + b"A,aksu\n" * 1_000, "roster.csv")
        assert large.status_code == 413 and "the limit is 2000 bytes" in large.json()["error"]["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            yield from [b"id,region\n" + b"A,aksu\n" * 100] * 5

        streamed = client.post("/roster/jobs", params={"name": "roster.csv"}, content=chunks())
        assert streamed.status_code == 413
        pdf = upload(client, b"%PDF-1.4", "roster.pdf")
        assert pdf.status_code == 415
        assert (
            "'roster.pdf'" in pdf.json()["error"]["message"] and ".csv, .xlsx, .xls" in pdf.json()["error"]["message"]
        )
        renamed = upload(client, b"id,region\nA,aksu\n", "roster.xlsx")
        assert renamed.status_code == 415 and "not a .xlsx workbook" in renamed.json()["error"]["message"]
        workbook = upload(client, b"PK\x03\x04rest of a zip", "roster.csv")
        assert workbook.status_code == 415 and "name it .xlsx" in workbook.json()["error"]["message"]
        empty = upload(client, b"", "roster.csv")
        assert empty.status_code == 422 and "empty" in empty.json()["error"]["message"]
        bad = upload(client, b"id,region\n", "roster.csv", output_format="pdf", as_of="2025-13-01")
        assert bad.status_code == 422
        assert "allowed: xlsx, csv" in bad.json()["error"]["message"] and "not a date" in bad.json()["error"]["message"]
    assert jobs.root is None or list(jobs.root.iterdir()) == []  # nothing refused is kept


@pytest.mark.parametrize("roster_server", [{"max_running": 1, "max_jobs": 1}], indirect=True)
def test_rosters_beyond_the_limit_held_at_once_are_refused_until_one_goes(
    roster_server: tuple[Server, RosterJobs],
) -> None:
    server, _ = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, ROSTER.read_bytes(), "roster.csv"))
        busy = upload(client, ROSTER.read_bytes(), "roster.csv")
        assert busy.status_code == 503 and "try again" in busy.json()["error"]["message"]
        assert client.get(f"/roster/jobs/{status['job']}/download").status_code == 200
        assert scored(client, upload(client, ROSTER.read_bytes(), "roster.csv"))["state"] == "done"


def test_an_old_xls_roster_is_scored_as_eligibility_batch_scores_it(
    roster_server: tuple[Server, RosterJobs], tmp_path: Path
) -> None:
    import xlwt  # type: ignore[import-untyped]

    book = xlwt.Workbook()
    sheet = book.add_sheet("名单")
    for row, line in enumerate(ROSTER.read_text(encoding="utf-8").splitlines()):
        for column, cell in enumerate(line.split(",")):
            sheet.write(row, column, cell)
    workbook = tmp_path / "名单.xls"
    book.save(str(workbook))
    server, _ = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, workbook.read_bytes(), "名单.xls"))
        assert status["state"] == "done", client.get(f"/roster/jobs/{status['job']}").text
        downloaded = client.get(f"/roster/jobs/{status['job']}/download").content
    expected = tmp_path / "expected.csv"
    arguments = ("--out", str(expected), "--as-of", "2025-06-01", "--lang", "en", "--quiet")
    assert invoke("batch", str(workbook), *arguments).exit_code == 0
    assert downloaded == expected.read_bytes()


def test_a_file_that_is_no_roster_ends_its_job_with_a_message_not_the_server(
    roster_server: tuple[Server, RosterJobs],
) -> None:
    server, jobs = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        broken = scored(client, upload(client, b"PK\x03\x04" + bytes(range(256)) * 20, "名单.xlsx"))
        assert broken["state"] == "failed"
        html = client.get(f"/roster/jobs/{broken['job']}", params={"lang": "en"}).text
        assert "<strong>名单.xlsx</strong>" in html and "not a readable .xlsx workbook" in html
        assert (
            jobs.root is not None and str(jobs.root) not in html and "Traceback" not in html
        )  # where the server keeps files is its own
        # A broken .xls is taken by its type and handed to the batch reader; what that reader says is shown.
        workbook = scored(client, upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "名单.xls"))
        assert workbook["state"] == "failed"
        assert "<strong>名单.xls</strong>" in client.get(f"/roster/jobs/{workbook['job']}").text
        assert client.get("/roster").status_code == 200
    assert jobs.root is not None and not list(
        jobs.root.glob("*/roster.*")
    )  # uploads are deleted once scored, even when it failed


@pytest.mark.parametrize("roster_server", [{"timeout": 0.05}], indirect=True)
def test_a_scoring_that_runs_past_its_time_is_stopped_and_says_so(roster_server: tuple[Server, RosterJobs]) -> None:
    server, _ = roster_server
    with httpx.Client(base_url=server.url, timeout=30) as client:
        status = scored(client, upload(client, ROSTER.read_bytes(), "roster.csv"))
        assert status["state"] == "failed"
        assert "took longer than 0.05 s" in client.get(f"/roster/jobs/{status['job']}").text


def test_the_worker_reports_rows_as_they_are_scored_then_the_summary(calculator: Calculator, tmp_path: Path) -> None:
    lines = ROSTER.read_text(encoding="utf-8").splitlines()
    roster = tmp_path / "large.csv"
    roster.write_text("\n".join([lines[0], *lines[1:4] * 10_000]) + "\n", encoding="utf-8")  # 30,000 rows
    directory = {loaded.path.parent for loaded in calculator.catalogue.loaded}.pop()
    command = [sys.executable, "-m", "eligibility.web.worker", str(roster), str(tmp_path / "out.csv")]
    command += ["--as-of", "2025-06-01", "--format", "csv", "--rules", str(directory)]
    result = subprocess.run(
        [*command, "--rules-version", calculator.rules_version], capture_output=True, text=True, check=True
    )
    messages = [json.loads(line) for line in result.stdout.splitlines()]
    rows = [message["rows"] for message in messages[:-1]]
    assert len(rows) >= 2 and rows == sorted(rows) and rows[-1] == 30_000  # 1.6 MB: two chunks of 1 MB
    assert messages[-1]["summary"]["rows"] == 30_000
    stale = subprocess.run([*command, "--rules-version", "0" * 12], capture_output=True, text=True)
    assert stale.returncode == 2 and "changed on disk" in stale.stdout


def test_the_web_package_imports_neither_the_http_service_nor_the_command_line() -> None:
    package = REPO / "eligibility" / "web"
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith(("eligibility.http", "eligibility.cli")), (path, node.module)


def test_checking_one_applicant_on_the_command_line_loads_no_web_stack() -> None:
    code = (
        "import runpy, sys\n"
        "sys.argv = ['eligibility', 'check', '--region', 'aksu', '--degree', 'master', '--json']\n"
        "try:\n    runpy.run_module('eligibility', run_name='__main__')\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('jinja2', 'fastapi', 'starlette', 'uvicorn', 'eligibility.web') if m in sys.modules),"
        " file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert '"region": "aksu"' in result.stdout
    assert result.stderr.strip().splitlines()[-1] == "[]"


def test_the_roster_limits_are_the_ones_the_readme_documents() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = " ".join(readme[readme.index("## The web page") : readme.index("## For integrators")].split())
    assert f"**{MAX_UPLOAD_BYTES // (1024 * 1024)} MB**" in section
    assert f"{TIMEOUT_SECONDS} s of scoring" in section and f"after {EXPIRY_SECONDS // 60} minutes" in section
    assert f"{MAX_RUNNING} rosters scored at once and {MAX_JOBS} waiting for their download" in section
