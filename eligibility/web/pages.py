"""The web pages: check one applicant, score a roster, browse the rules; and the API docs, served locally.

Each handler reads its query, calls the library, and renders a template with
Jinja2 (every value escaped). Words come from presentation/labels.py, names of
facts and values from the vocabulary, amounts from presentation/money.py.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlencode

import jinja2
from starlette.background import BackgroundTask
from starlette.requests import ClientDisconnect, Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response

from eligibility.conditions.form import Group, Named, Node, Not, Test
from eligibility.conditions.wording import GROUPS, value_name
from eligibility.errors import InputError, Problem, shown
from eligibility.evaluation.calculator import Calculator
from eligibility.evaluation.compare import compare_regions
from eligibility.evaluation.outcome import AmountState
from eligibility.evaluation.report import STATUS_ORDER, Entitlement, Report
from eligibility.evaluation.whatif import what_if
from eligibility.facts import spelling
from eligibility.facts.names import Names
from eligibility.facts.profile import ApplicantProfile
from eligibility.facts.vocabulary import AWARD_LEVELS, FIELDS
from eligibility.presentation.labels import Language, label, words
from eligibility.presentation.money import money
from eligibility.web.browse import region_catalogues, search
from eligibility.web.forms import (
    AS_OF,
    LANGUAGE,
    WHAT_IF,
    PageQuery,
    form_controls,
    form_values,
    read_query,
    what_if_changes,
)
from eligibility.web.roster import OUTPUT_FORMATS, Job, Refused, RosterJobs, check_content, file_type

HERE: Final = Path(__file__).resolve().parent
STATIC: Final = HERE / "static"
LANGUAGES: Final[tuple[Language, ...]] = ("zh", "en")
MAX_SEARCH_CHARACTERS: Final = 200
_QUALITY: Final = re.compile(r"^\s*q\s*=\s*([0-9.]+)\s*$")
_PAGE_INPUTS: Final = {"roster": "roster_file", "format": "output_format", AS_OF: "as_of", "q": "search"}
_UNSAFE_NAME: Final = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")

_ENVIRONMENT: Final = jinja2.Environment(
    loader=jinja2.FileSystemLoader(HERE / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
    auto_reload=False,
)


def swagger_assets() -> Path:
    """Swagger UI's files, shipped by the fastapi-offline package (only its files are used: its page has inline script)."""
    spec = importlib.util.find_spec("fastapi_offline")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency of the package
        raise RuntimeError("fastapi-offline is not installed: the API docs have no assets")
    return Path(spec.origin).parent / "static"


def asset_versions() -> dict[str, str]:
    """Each of our static files with a digest of its content, for URLs that change when the file does."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()[:10] for path in STATIC.iterdir() if path.is_file()
    }


def accepted_language(header: str) -> Language:
    """The first of zh and en in the browser's Accept-Language, by preference; Chinese when it names neither."""
    ranked: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")[:32]):
        tag, _, parameters = part.partition(";")
        match = _QUALITY.match(parameters) if parameters else None
        try:
            quality = float(match.group(1)) if match else 1.0
        except ValueError:
            quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, "zh" if primary == "zh" else "en"))
    return min(ranked)[2] if ranked else "zh"


def page_language(request: Request) -> tuple[Language, list[Problem]]:
    """The page's language: `lang` in the query, else the browser's; Chinese by default."""
    given = request.query_params.get(LANGUAGE)
    if given is None:
        return accepted_language(request.headers.get("accept-language", "")), []
    if given in LANGUAGES:
        return ("zh" if given == "zh" else "en"), []
    return "zh", [Problem(LANGUAGE, "allowed: " + ", ".join(LANGUAGES), given)]


class Words:
    """Everything a template says, in the page's language."""

    def __init__(self, language: Language, calculator: Calculator) -> None:
        self.language = language
        self._catalogue = calculator.catalogue

    def __call__(self, key: str, **values: Any) -> str:
        text = label(key, self.language)
        return text.format(**values) if values else text

    def name(self, names: Names) -> str:
        return words(names, self.language)

    def money(self, yuan: int) -> str:
        return money(yuan, self.language)

    def signed_money(self, yuan: int) -> str:
        return ("+" if yuan > 0 else "") + money(yuan, self.language)

    def field(self, key: str) -> str:
        """What a problem's field is called on the page: a fact's name, or the name of the page's own input."""
        head = key.removeprefix(WHAT_IF).removeprefix("changes.").split(".")[0]
        if head in FIELDS:
            return words(FIELDS[head].names, self.language)
        return label(_PAGE_INPUTS[head], self.language) if head in _PAGE_INPUTS else key

    def facts(self, keys: tuple[str, ...] | list[str]) -> str:
        return ("、" if self.language == "zh" else ", ").join(self.field(key) for key in keys)

    def value(self, key: str, value: Any) -> str:
        return words(value_name(key, value), self.language)

    def amount(self, item: Entitlement) -> str:
        """An entitlement's amount: 50万元 / 500,000 yuan, or why there is none."""
        if item.amount_yuan is not None:
            at_least = label("at_least", self.language) if item.amount_state == AmountState.at_least else ""
            return at_least + money(item.amount_yuan, self.language)
        key = {AmountState.none: "no_amount", AmountState.not_published: "amount_not_published"}.get(
            AmountState(item.amount_state), "amount_unknown"
        )
        return label(key, self.language)

    def status_amount(self, status: str | None, yuan: int | None) -> str:
        if status is None:
            return "—"
        return label(status, self.language) + (f" {money(yuan, self.language)}" if yuan is not None else "")

    def awards_hint(self) -> str:
        levels = ("、" if self.language == "zh" else ", ").join(
            words(level.names, self.language) for level in AWARD_LEVELS
        )
        return self("awards_hint", levels=levels)


@dataclass(frozen=True)
class Source:
    """A seed document as the page names it."""

    title: str
    publisher: str
    date: date | None


def _condition_kind(node: Node) -> str:
    if isinstance(node, Test):
        return "test"
    if isinstance(node, Named):
        return "named"
    if isinstance(node, Not):
        return "not"
    return "all" if isinstance(node, Group) and node.conjunction else "any"


class Pages:
    """The handlers of the web pages, over one calculator and one set of roster jobs."""

    def __init__(self, calculator: Calculator, jobs: RosterJobs) -> None:
        self.calculator = calculator
        self.jobs = jobs
        catalogue = calculator.catalogue
        self.controls = form_controls(catalogue)
        self.controls_by_key = {control.key: control for control in self.controls}
        self.regions = region_catalogues(catalogue)
        self.sources = {
            source.document: Source(source.title, source.publisher, source.date)
            for pack in catalogue.packs
            for source in pack.sources
        }
        self.pack_versions = catalogue.pack_versions
        self.rule_names = {rule.id: rule.name for _, rule in catalogue.rules()}
        self.versions = asset_versions()

    # rendering

    def render(
        self, request: Request, template: str, language: Language, status: int = 200, **context: Any
    ) -> HTMLResponse:
        other: Language = "en" if language == "zh" else "zh"
        page = _ENVIRONMENT.get_template(template).render(
            w=Words(language, self.calculator),
            lang=language,
            other_language_url=_with_language(request, other),
            path=request.url.path,
            asset=lambda name: f"/static/{name}?v={self.versions[name]}",
            rules_version=self.calculator.rules_version,
            condition_kind=_condition_kind,
            groups=GROUPS,
            **context,
        )
        return HTMLResponse(page, status_code=status, headers={"Vary": "Accept-Language"})

    # check one applicant

    async def check(self, request: Request) -> HTMLResponse:
        """The form, and for a profile in the query its report, explanation, what-if and comparison."""
        language, problems = page_language(request)
        query = read_query(request.query_params)
        problems.extend(query.problems)
        profile: ApplicantProfile | None = None
        if query.given:
            try:
                profile = self.calculator.parse(query.profile)
            except InputError as error:
                problems.extend(error.problems)
        context: dict[str, Any] = {
            "controls": self.controls,
            "controls_by_key": self.controls_by_key,
            "values": form_values(profile if profile is not None else query.profile),
            "as_of_text": query.as_of_text,
            "problems": problems,
            "errors": _by_fact(problems),
            "report": None,
        }
        if profile is not None and not problems:
            context.update(self._result(profile, query))
        refused = problems or context.get("what_if_problems")
        return self.render(request, "check.html", language, 422 if refused else 200, **context)

    def _result(self, profile: ApplicantProfile, query: PageQuery) -> dict[str, Any]:
        as_of = query.as_of or date.today()
        report = self.calculator.evaluate(profile, as_of=as_of, explain=True)
        values = form_values(profile)
        result: dict[str, Any] = {
            "report": report,
            "as_of": as_of,
            "profile": profile,
            "given": [key for key in FIELDS if getattr(profile, key) is not None and key != "id"],
            "groups_of": _status_groups(report),
            "needs_groups": _needs_groups(report),
            "sources": self.sources,
            "rule_names": self.rule_names,
            "pack_version": self.pack_versions.get(report.region, ""),
            "comparison": compare_regions(self.calculator, profile, as_of),
            "what_if": None,
            "what_if_problems": [],
            "what_if_values": values,
        }
        if query.changes:
            changes = what_if_changes(self.calculator, profile, query.changes)
            # The what-if form shows the changed facts as given (a fact made unknown: blank).
            given = form_values({key: value for key, value in query.changes.items() if value is not None})
            cleared = {key for key, value in query.changes.items() if value is None}
            result["what_if_values"] = {key: value for key, value in {**values, **given}.items() if key not in cleared}
            if changes:
                try:
                    result["what_if"] = what_if(self.calculator, profile, changes, as_of)
                except InputError as error:
                    result["what_if_problems"] = error.problems
        return result

    # the rule catalogue

    async def rules(self, request: Request) -> HTMLResponse:
        """Every region and rule; `q` keeps the rules holding every word, `region` one region."""
        language, problems = page_language(request)
        words_given = request.query_params.get("q", "")[:MAX_SEARCH_CHARACTERS]
        region = request.query_params.get("region") or None
        known = [item.region for item in self.regions]
        if region is not None and region not in known:
            problems.append(Problem("region", "allowed: " + ", ".join(known), region))
            region = None
        found = search(self.regions, words_given, region)
        return self.render(
            request,
            "rules.html",
            language,
            422 if problems else 200,
            problems=problems,
            regions=self.regions,
            found=found,
            q=words_given,
            region=region,
            count=sum(len(item.cards) for item in found),
        )

    # rosters

    async def roster(self, request: Request) -> HTMLResponse:
        language, problems = page_language(request)
        return self.render(
            request,
            "roster.html",
            language,
            422 if problems else 200,
            problems=problems,
            formats=OUTPUT_FORMATS,
            megabytes=self.jobs.max_bytes // (1024 * 1024),
            minutes=round(self.jobs.expiry / 60),
            max_bytes=self.jobs.max_bytes,
            columns=("、" if language == "zh" else ", ").join(
                spec.zh if language == "zh" else spec.key for spec in FIELDS.values()
            ),
        )

    async def upload(self, request: Request) -> JSONResponse:
        """A roster as the request's body (`name`, `format`, `as_of` in the query): 202 with the job's page."""
        language, problems = page_language(request)
        name = request.query_params.get("name", "").strip()[:255]
        output_format = request.query_params.get("format", OUTPUT_FORMATS[0])
        as_of_text = request.query_params.get(AS_OF, "").strip()
        as_of = date.today()
        try:
            file_type(name)
        except Refused as refused:
            return self._refusal(refused.status, [refused.problem], language)
        if output_format not in OUTPUT_FORMATS:
            problems.append(Problem("format", "allowed: " + ", ".join(OUTPUT_FORMATS), output_format))
        if as_of_text:
            try:
                as_of = spelling.day(FIELDS["service_start_date"], as_of_text)
            except spelling.Misspelt as error:
                problems.append(Problem(AS_OF, str(error), as_of_text))
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.jobs.max_bytes:
            return self._too_large(int(declared), language)
        if problems:
            return self._refusal(422, problems, language)
        try:
            job = self.jobs.reserve(name, output_format, as_of, language)
        except Refused as refused:
            return self._refusal(refused.status, [refused.problem], language)
        try:
            size = 0
            start = b""
            with job.input.open("wb") as stream:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > self.jobs.max_bytes:
                        self.jobs.discard(job)
                        return self._too_large(size, language)
                    if len(start) < 8:
                        start += chunk[:8]
                    stream.write(chunk)
            check_content(name, job.input.suffix, start)
            self.jobs.start(job)
        except Refused as refused:
            self.jobs.discard(job)
            return self._refusal(refused.status, [refused.problem], language)
        except ClientDisconnect:  # the upload was cut off: nobody is left to tell
            self.jobs.discard(job)
            return self._refusal(400, [Problem("roster", "the upload was cut off")], language)
        except BaseException:
            self.jobs.discard(job)
            raise
        return JSONResponse({"job": job.id, "url": f"/roster/jobs/{job.id}?{LANGUAGE}={language}"}, status_code=202)

    def _too_large(self, size: int, language: Language) -> JSONResponse:
        limit = self.jobs.max_bytes
        message = f"{size} bytes or more; the limit is {limit} bytes ({limit // (1024 * 1024)} MB)"
        return self._refusal(413, [Problem("roster", message)], language)

    def _refusal(self, status: int, problems: list[Problem], language: Language) -> JSONResponse:
        """An upload refused, as JSON for the page's script: one line per problem, and the problems."""
        field = Words(language, self.calculator).field
        lines = [
            f"{field(problem.field)}: "
            + (f"{shown(problem.value)}: " if problem.value is not None else "")
            + (problem.message_zh if language == "zh" and problem.message_zh else problem.message)
            for problem in problems
        ]
        return JSONResponse(
            {"error": {"message": "\n".join(lines), "problems": [problem.__dict__ for problem in problems]}},
            status_code=status,
        )

    def _job(self, identifier: str) -> Job | None:
        return self.jobs.get(identifier) if len(identifier) <= 64 else None

    async def job(self, request: Request) -> HTMLResponse:
        """A roster's page: its progress, then its summary and download, or why it could not be scored."""
        language, problems = page_language(request)
        job = self._job(request.path_params["job"])
        if job is None:
            return self.render(request, "job.html", language, 404, job=None, problems=problems)
        benefits = [
            tally for tally in (job.summary or {}).get("benefits", []) if tally["granted"] or tally["needs_info"]
        ]
        return self.render(
            request,
            "job.html",
            language,
            200,
            job=job,
            problems=problems,
            benefits=benefits,
            minutes=round(self.jobs.expiry / 60),
        )

    async def job_status(self, request: Request) -> JSONResponse:
        job = self._job(request.path_params["job"])
        if job is None:
            return JSONResponse({"state": "missing"}, status_code=404)
        return JSONResponse({"state": job.state, "rows": job.rows})

    async def download(self, request: Request) -> Response:
        """The scored file, once; deleted when sent."""
        language, _ = page_language(request)
        job = self._job(request.path_params["job"])
        path = self.jobs.take_output(job) if job is not None else None
        if job is None or path is None:
            status = 404 if job is None else 410 if job.state == "downloaded" else 409
            return self.render(request, "job.html", language, status, job=job, problems=[], benefits=[], minutes=0)
        stem = _UNSAFE_NAME.sub("_", Path(job.name).stem)[:100] or "roster"
        filename = f"{stem}-{label('scored_file', language)}.{job.output_format}"
        return FileResponse(path, filename=filename, background=BackgroundTask(self.jobs.delete_files, job))

    # the API docs

    async def docs(self, request: Request) -> HTMLResponse:
        """Swagger UI with its assets served from this server (no CDN)."""
        page = _ENVIRONMENT.get_template("docs.html").render(
            asset=lambda name: f"/static/{name}?v={self.versions[name]}", openapi_url="/openapi.json"
        )
        return HTMLResponse(page)


def _with_language(request: Request, language: Language) -> str:
    """This page's address in another language, relative: the Host header never makes a link."""
    query = [(name, value) for name, value in request.query_params.multi_items() if name != LANGUAGE]
    return f"{request.url.path}?{urlencode([*query, (LANGUAGE, language)])}"


def _by_fact(problems: list[Problem]) -> dict[str, list[Problem]]:
    """Problems by the fact they are about (programmes.0 -> programmes), to show each beside its control."""
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.field.split(".")[0], []).append(problem)
    return grouped


def _needs_groups(report: Report) -> list[tuple[tuple[str, ...], list[Entitlement]]]:
    """The benefits that need information, by the facts they need: each question asked once."""
    grouped: dict[tuple[str, ...], list[Entitlement]] = {}
    for item in report.entitlements:
        if item.status == "needs_info":
            grouped.setdefault(item.missing_facts, []).append(item)
    return list(grouped.items())


def _status_groups(report: Report) -> dict[str, list[Entitlement]]:
    groups: dict[str, list[Entitlement]] = {status: [] for status in STATUS_ORDER}
    for item in report.entitlements:
        groups[item.status].append(item)
    return groups
