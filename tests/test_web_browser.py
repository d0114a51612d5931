"""The web pages in a real browser: Debian's chromium, headless, driven by Playwright, as a person uses them.

Forms are filled by their labels (the vocabulary's names), results read off the
page, a roster uploaded and its result downloaded, the report printed to PDF. Every
test fails on a console error, an uncaught script error, a dialog (a script that
ran), a failed request or an error response it did not ask for. One browser for the
session; a fresh context (its own language) per test.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compare import compare_regions
from eligibility.facts.vocabulary import FIELDS
from eligibility.presentation.labels import LABELS
from tests.support import REPO, invoke
from tests.support.server import Server

pytestmark = pytest.mark.browser

CHROMIUM = Path(os.environ.get("ELIGIBILITY_CHROMIUM", "/usr/bin/chromium"))
if not CHROMIUM.exists():  # CI installs it (.ci/run): there a missing browser fails, it never skips
    if os.environ.get("CI"):
        raise RuntimeError(f"the browser tests need Debian's chromium at {CHROMIUM}; .ci/run installs it")
    pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402

ROSTER = REPO / "examples" / "roster.csv"
AS_OF = "2025-06-01"
expect.set_options(timeout=15_000)


def say(key: str, language: str = "zh") -> str:
    return LABELS[key][language]


def fact(key: str, language: str = "zh") -> str:
    return FIELDS[key].zh if language == "zh" else FIELDS[key].names.en


def value(key: str, code: str, language: str = "zh") -> str:
    declared = FIELDS[key].value(code)
    assert declared is not None
    return declared.names.zh if language == "zh" else declared.names.en


@dataclass
class Watched:
    """A page, and everything that went wrong on it that the test did not expect."""

    page: Page
    problems: list[str] = field(default_factory=list)
    expected: list[tuple[int, str]] = field(default_factory=list)  # (status, a part of the URL)

    def expect_status(self, status: int, url_part: str) -> None:
        self.expected.append((status, url_part))

    def _expected(self, status: int, url: str) -> bool:
        return any(status == wanted and part in url for wanted, part in self.expected)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(calculator: Calculator) -> Iterator[Server]:
    with Server(calculator) as running:
        yield running


@pytest.fixture
def open_page(browser: Browser, server: Server) -> Iterator[Callable[..., Watched]]:
    """A new page in its own context (locale: the browser's language), watched for problems."""
    opened: list[Watched] = []

    def open_one(locale: str = "zh-CN") -> Watched:
        context = browser.new_context(locale=locale, base_url=server.url, accept_downloads=True)
        watched = Watched(context.new_page())

        def on_console(message: Any) -> None:
            if message.type == "error":
                status = re.search(r"status of (\d+)", message.text)
                if not (status and any(int(status.group(1)) == wanted for wanted, _ in watched.expected)):
                    watched.problems.append(f"console error: {message.text}")

        def on_response(response: Any) -> None:
            if response.status >= 400 and not watched._expected(response.status, response.url):
                watched.problems.append(f"{response.status} {response.url}")

        def on_dialog(dialog: Any) -> None:
            watched.problems.append(f"a dialog opened (a script ran): {dialog.message}")
            dialog.dismiss()

        watched.page.on("console", on_console)
        watched.page.on("pageerror", lambda error: watched.problems.append(f"script error: {error}"))
        watched.page.on("requestfailed", lambda request: watched.problems.append(f"failed: {request.url}"))
        watched.page.on("response", on_response)
        watched.page.on("dialog", on_dialog)
        opened.append(watched)
        return watched

    yield open_one
    for watched in opened:
        watched.page.context.close()
    assert [problem for watched in opened for problem in watched.problems] == []


def fill_doctor(page: Page, home: str | None = "true", start: str = "2019-03-01", applicant_id: str = "A1") -> None:
    """The form filled as a person would: by the labels the vocabulary names, values by their names."""
    page.goto("/")
    form = page.locator("form.profile")
    form.get_by_label(fact("id"), exact=True).fill(applicant_id)
    form.get_by_label(fact("region"), exact=True).select_option(label=value("region", "aksu"))
    form.get_by_label(fact("degree"), exact=True).select_option(label=value("degree", "doctorate"))
    form.get_by_label(fact("introduction"), exact=True).select_option(label=value("introduction", "full_time"))
    form.get_by_label(fact("service_start_date"), exact=True).fill(start)
    if home is not None:
        form.get_by_label(fact("bought_home_in_region"), exact=True).select_option(
            label=say("yes") if home == "true" else say("no")
        )
    form.get_by_label(say("as_of"), exact=True).fill(AS_OF)
    form.get_by_role("button", name=say("check_button"), exact=True).click()
    expect(page.locator("#result")).to_be_visible()


def test_a_person_fills_the_form_by_label_and_reads_the_benefit_its_amount_quote_document_and_assumptions(
    open_page: Callable[..., Watched], calculator: Calculator
) -> None:
    page = open_page().page
    fill_doctor(page)
    granted = page.locator("#granted")
    report = calculator.evaluate(
        {
            "region": "aksu",
            "degree": "doctorate",
            "introduction": "full_time",
            "service_start_date": "2019-03-01",
            "bought_home_in_region": True,
        },
        as_of=date(2025, 6, 1),
    )
    benefits = report.by_status("granted")
    expect(granted.locator("article.benefit")).to_have_count(len(benefits))  # the cash and the services
    (benefit,) = [item for item in benefits if item.kind == "cash"]
    card = granted.locator("article.kind-cash")
    expect(card).to_have_count(1)
    expect(card.locator("h4")).to_have_text(benefit.name.zh)
    expect(card.locator(".amount")).to_have_text("50万元")
    expect(card.locator("blockquote")).to_have_text(benefit.source.quote)
    expect(card.locator(".source")).to_contain_text(benefit.source.document)
    expect(card.locator(".assumptions li")).to_have_text(list(benefit.assumptions_zh))
    expect(granted.locator(".total")).to_contain_text("50万元")
    expect(page.locator(".as-of")).to_have_text(AS_OF)
    expect(page.locator("#result .rules-version")).to_have_text(calculator.rules_version)
    # The profile is the link: only what was given, nothing kept on the server.
    assert "region=aksu" in page.url and "degree=doctorate" in page.url and "years_served" not in page.url


def test_the_link_of_a_result_reproduces_it_in_another_browser(open_page: Callable[..., Watched]) -> None:
    first = open_page().page
    fill_doctor(first)
    second = open_page().page
    second.goto(first.url)
    for section in ("#granted", "#needs-info", "#near-misses"):
        assert second.locator(section).inner_text() == first.locator(section).inner_text()


def test_a_missing_fact_is_asked_in_place_and_answering_it_updates_the_result(
    open_page: Callable[..., Watched],
) -> None:
    page = open_page().page
    fill_doctor(page, home=None)
    expect(page.locator("#granted article.kind-cash")).to_have_count(0)
    question = page.locator("#needs-info form").filter(has=page.get_by_label(fact("bought_home_in_region")))
    expect(question).to_have_count(1)
    expect(question.locator("select, input:not([type=hidden])")).to_have_count(1)  # exactly the missing fact
    question.get_by_label(fact("bought_home_in_region")).select_option(label=say("yes"))
    question.get_by_role("button", name=say("update")).click()
    expect(page.locator("#granted article.kind-cash .amount")).to_have_text(["50万元"])
    assert "bought_home_in_region=true" in page.url


def test_a_near_miss_says_from_which_day_it_is_granted(open_page: Callable[..., Watched]) -> None:
    page = open_page().page
    fill_doctor(page, start="2022-03-01")
    near = page.locator("#near-misses article").filter(has_text="50万元")
    expect(near).to_contain_text(f"{say('eligible_from')} 2027-03-01")


def test_programmes_are_offered_for_the_chosen_region_only(
    open_page: Callable[..., Watched], calculator: Calculator
) -> None:
    page = open_page().page
    page.goto("/")
    form = page.locator("form.profile")
    programmes = form.locator("fieldset").filter(has_text=fact("programmes"))
    for region in ("qijiang", "aksu", "linhe"):
        form.get_by_label(fact("region"), exact=True).select_option(region)
        names = [item.name.zh for item in calculator.catalogue.programmes.in_region(region)]
        expect(programmes.locator("label.choice:visible")).to_have_text([*names, say("none_of_these")])
    tuofeng = programmes.get_by_label(calculator.catalogue.programmes.by_code["tuofeng"].name.zh)
    form.get_by_label(fact("region"), exact=True).select_option("aksu")
    tuofeng.check()
    programmes.get_by_label(say("none_of_these")).check()
    expect(tuofeng).not_to_be_checked()


def test_what_if_shows_the_benefits_gained_lost_and_changed_and_the_change_in_cash(
    open_page: Callable[..., Watched],
) -> None:
    page = open_page().page
    page.goto(
        "/?region=aksu&degree=master&introduction=full_time&service_start_date=2019-03-01"
        f"&bought_home_in_region=true&programmes=none&as_of={AS_OF}"
    )
    expect(page.locator("#granted article.kind-cash .amount")).to_have_text(["40万元"])
    what_if = page.locator("#what-if")
    what_if.locator("summary").click()
    what_if.get_by_label(fact("title"), exact=True).select_option(label=value("title", "senior"))
    what_if.get_by_role("button", name=say("what_if_button")).click()
    result = page.locator(".what-if-result")
    expect(result).to_contain_text(f"{fact('title')}: {LABELS['unknown_option']['zh']} → {value('title', 'senior')}")
    expect(result.locator(".change-changed")).to_have_count(2)
    expect(result.locator(".changes")).to_contain_text(f"{say('granted')} 50万元")
    expect(result.locator(".changes")).to_contain_text(say("superseded"))
    expect(result.locator(".total")).to_contain_text("+10万元")
    expect(page.locator("#granted article.kind-cash .amount")).to_have_text(["40万元"])  # the original stays as it was


def test_the_same_person_is_compared_across_every_region_best_first(
    open_page: Callable[..., Watched], calculator: Calculator
) -> None:
    page = open_page("en-US").page
    fill_english = "/?region=qijiang&degree=doctorate&awards=national:200000&lang=en&as_of=" + AS_OF
    page.goto(fill_english)
    page.locator("#compare summary").click()
    rows = page.locator("#compare tbody tr")
    options = compare_regions(calculator, {"region": "qijiang", "degree": "doctorate", "awards": "national:200000"})
    expect(rows).to_have_count(len(options))
    expect(rows.first).to_contain_text(options[0].region_name.en)
    expect(rows.first).to_contain_text(f"{options[0].total_cash_yuan:,} yuan")


def test_the_language_switch_keeps_the_profile_and_shows_yuan_in_english(open_page: Callable[..., Watched]) -> None:
    page = open_page().page
    fill_doctor(page)
    page.get_by_role("link", name=say("other_language")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#granted article.kind-cash .amount")).to_have_text(["500,000 yuan"])
    form = page.locator("form.profile")
    expect(form.get_by_label(fact("degree", "en"), exact=True)).to_have_value("doctorate")
    expect(form.get_by_label(fact("degree", "en"), exact=True).locator("option:checked")).to_have_text(
        value("degree", "doctorate", "en")
    )
    page.get_by_role("link", name=say("other_language", "en")).click()
    expect(page.locator("#granted article.kind-cash .amount")).to_have_text(["50万元"])


@pytest.mark.parametrize(("locale", "language"), [("en-US", "en"), ("zh-CN", "zh"), ("fr-FR", "zh")])
def test_a_first_visit_is_in_the_browsers_language_chinese_by_default(
    open_page: Callable[..., Watched], locale: str, language: str
) -> None:
    page = open_page(locale).page
    page.goto("/")
    expect(page.locator("h1")).to_have_text(say("nav_check", language))
    expect(page.locator("form.profile").get_by_label(fact("degree", language), exact=True)).to_be_visible()


def test_an_applicant_id_that_is_a_script_shows_as_text_and_runs_nothing(open_page: Callable[..., Watched]) -> None:
    watched = open_page()
    page = watched.page
    fill_doctor(page, applicant_id="<script>alert(1)</script>")
    expect(page.locator(".applicant-id")).to_have_text("<script>alert(1)</script>")
    expect(page.locator("form.profile").get_by_label(fact("id"), exact=True)).to_have_value("<script>alert(1)</script>")
    assert page.evaluate("[...document.scripts].map(s => s.getAttribute('src') || 'inline')") == [
        page.evaluate("document.scripts[0].getAttribute('src')")
    ]


def test_a_roster_is_uploaded_scored_and_downloaded_as_eligibility_batch_writes_it(
    open_page: Callable[..., Watched], tmp_path: Path
) -> None:
    page = open_page().page
    page.goto("/roster")
    page.get_by_label(say("roster_file")).set_input_files(ROSTER)
    page.get_by_label(say("as_of")).fill(AS_OF)
    page.get_by_label(say("output_format")).select_option("csv")
    page.get_by_role("button", name=say("score_button")).click()
    expect(page.locator("#job")).to_have_attribute("data-state", re.compile("scoring|done"))
    download_link = page.get_by_role("link", name=re.compile(say("download")))
    expect(download_link).to_be_visible(timeout=60_000)
    expect(page.locator("#summary-rows")).to_have_text("5")
    expect(page.locator("#summary-errors")).to_have_text("1")
    expect(page.locator("#summary-total")).to_have_text("145万元")
    with page.expect_download() as download:
        download_link.click()
    downloaded = tmp_path / download.value.suggested_filename
    download.value.save_as(downloaded)
    assert downloaded.name == f"roster-{say('scored_file')}.csv"
    expected = tmp_path / "expected.csv"
    assert (
        invoke("batch", str(ROSTER), "--out", str(expected), "--as-of", AS_OF, "--lang", "zh", "--quiet").exit_code == 0
    )
    assert downloaded.read_bytes() == expected.read_bytes()
    expect(page.get_by_text(say("downloaded"))).to_be_visible()  # the page says the file is gone


def test_a_roster_too_large_or_of_another_type_is_refused_with_a_message_on_the_page(
    open_page: Callable[..., Watched], tmp_path: Path
) -> None:
    watched = open_page("en-US")
    page = watched.page
    page.goto("/roster")
    large = tmp_path / "large.csv"
    large.write_bytes(b"id,region\n" + b"A,aksu\n" * 1_600_000)  # 11.2 MB
    page.get_by_label(say("roster_file", "en")).set_input_files(large)
    page.get_by_role("button", name=say("score_button", "en")).click()
    alert = page.locator("#roster-form [role=alert]")
    expect(alert).to_contain_text("large.csv")
    expect(alert).to_contain_text("10 MB")
    notes = tmp_path / "notes.txt"
    notes.write_text("id,region\n")
    watched.expect_status(415, "/roster/jobs")
    page.get_by_label(say("roster_file", "en")).set_input_files(notes)
    page.get_by_role("button", name=say("score_button", "en")).click()
    expect(alert).to_contain_text("'notes.txt'")
    expect(alert).to_contain_text(".csv, .xlsx, .xls")


def test_the_rules_are_browsed_and_searched_by_a_word_in_chinese_or_english(
    open_page: Callable[..., Watched], calculator: Calculator
) -> None:
    page = open_page().page
    page.goto("/rules")
    rules = [rule for _, rule in calculator.catalogue.rules()]
    expect(page.locator("article.rule")).to_have_count(len(rules))
    card = page.locator("#rule-aksu\\.housing\\.prefecture_high_level")
    for text in ("50万元", say("cash"), say("in_force"), "2024-08-07", "学历为博士", "阿克苏日报"):
        expect(card).to_contain_text(text)
    _, rule = calculator.catalogue.rule("aksu.housing.prefecture_high_level")
    expect(card.locator("blockquote")).to_have_text(rule.source.quote)
    expect(card).to_contain_text(rule.assumptions[0].zh)
    page.locator("#region-aksu details.programmes summary").click()
    expect(page.locator("#region-aksu details.programmes")).to_contain_text("tuofeng")
    page.get_by_label(say("search"), exact=True).fill("购房")
    page.get_by_role("button", name=say("search"), exact=True).click()
    found = page.locator("article.rule")
    expect(found.first).to_be_visible()
    assert found.count() < len(rules)
    for index in range(found.count()):
        expect(found.nth(index)).to_contain_text("购房")
    page.get_by_role("link", name=say("other_language")).click()
    page.get_by_label(say("search", "en"), exact=True).fill("home-purchase")
    page.get_by_role("button", name=say("search", "en"), exact=True).click()
    expect(page.locator("article.rule")).to_have_count(found.count())


def test_the_printed_report_is_a_clean_a4_document_with_the_rules_version_and_as_of_date(
    open_page: Callable[..., Watched], calculator: Calculator
) -> None:
    from pypdf import PdfReader

    page = open_page().page
    fill_doctor(page, home=None)
    pdf = PdfReader(BytesIO(page.pdf(prefer_css_page_size=True)))
    assert 1 <= len(pdf.pages) <= 4
    for sheet in pdf.pages:
        assert (round(float(sheet.mediabox.width)), round(float(sheet.mediabox.height))) == (595, 842)  # A4
    text = "".join("".join(sheet.extract_text().split()) for sheet in pdf.pages)
    for shown in (calculator.rules_version, AS_OF, say("rules_version"), "地区高层次人才购房补助", "50万元"):
        assert shown in text, shown
    for hidden in (say("update"), say("what_if"), say("nav_roster"), say("other_language"), say("print")):
        assert hidden not in text, hidden  # no form, no navigation, no buttons


def test_the_api_docs_render_from_assets_served_here(open_page: Callable[..., Watched], server: Server) -> None:
    page = open_page("en-US").page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/docs")
    expect(page.locator(".opblock-summary-path").filter(has_text="/v1/evaluate").first).to_be_visible()
    assert requested and all(url.startswith(server.url) or url.startswith("data:") for url in requested), requested
