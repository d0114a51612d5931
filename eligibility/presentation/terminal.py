"""Reports, comparisons and the rule catalogue as a terminal shows them (rich tables), in Chinese or English."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eligibility.conditions.wording import field_name, value_name
from eligibility.evaluation.outcome import AmountState
from eligibility.evaluation.report import (
    STATUS_ORDER,
    ConditionExplanation,
    Entitlement,
    Explanation,
    NearMiss,
    NearMissWay,
    Report,
    RuleExplanation,
)
from eligibility.facts.vocabulary import FIELDS
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.programmes import Programme
from eligibility.presentation.labels import Language, label, words
from eligibility.presentation.rule_entries import RuleEntry

if TYPE_CHECKING:
    from rich.console import Console

    from eligibility.evaluation.compare import RegionOption
    from eligibility.evaluation.whatif import WhatIf


_NO_ZONE = FIELDS["zone"].when_absent.code if FIELDS["zone"].when_absent else ""


def fact_names(keys: Sequence[str], language: Language) -> str:
    """Profile keys as a reader asks for them: the Chinese column name first in zh."""
    if language == "en":
        return ", ".join(keys)
    return "、".join(f"{FIELDS[key].zh}（{key}）" if key in FIELDS else key for key in keys)


def amount_text(item: Entitlement, language: Language) -> str:
    """The amount as shown to a person: digits (≥ for a known part), 'amount not published', 'amount unknown', or a dash."""
    if item.amount_yuan is not None:
        return f"≥{item.amount_yuan:,}" if item.amount_state == AmountState.at_least else f"{item.amount_yuan:,}"
    words_for = {AmountState.none: "no_amount", AmountState.not_published: "amount_not_published"}
    return label(words_for.get(AmountState(item.amount_state), "amount_unknown"), language)


def print_report(report: Report, catalogue: Catalogue, console: Console, language: Language) -> None:
    """Print a report as a table with sources and assumptions below it."""
    from rich.table import Table

    def name(item: Entitlement) -> str:
        return item.name.zh if language == "zh" else item.name.en

    console.print(
        f"{label('applicant', language)}: {report.applicant_id or '—'}  ·  {report.region}"
        f"{' / ' + report.zone if report.zone else ''}  ·  {label('as_of', language)}: {report.as_of}"
        f"  ·  {label('rules_version', language)}: {report.rules_version}"
    )
    entitlements = sorted(report.entitlements, key=lambda item: STATUS_ORDER[item.status])
    if not entitlements:
        console.print(label("nothing", language))
    else:
        table = Table(show_lines=False)
        table.add_column(label("status", language))
        table.add_column(label("benefit", language), overflow="fold")  # ids are typed back: never cut them
        table.add_column(label("kind", language))
        table.add_column(label("amount", language), justify="right")
        for item in entitlements:
            status = label(item.status, language)
            if item.superseded_by:
                status += f" → {item.superseded_by}"
            if item.missing_facts:
                status += f" ({label('missing_facts', language)}: {fact_names(item.missing_facts, language)})"
            table.add_row(
                status,
                f"{name(item)}\n[dim]{item.benefit_id}[/dim]",
                label(item.kind, language),
                amount_text(item, language),
            )
        console.print(table)
    console.print(f"[bold]{label('total', language)}: {report.total_cash_yuan:,} {label('yuan', language)}[/bold]")
    if report.cash_not_summed:
        console.print(f"{label('not_summed', language)}: {', '.join(report.cash_not_summed)}")
    for item in entitlements:
        console.print(f"\n[bold]{item.benefit_id}[/bold] — {name(item)}")
        console.print(f"  {label('source', language)}: {item.source.document}: “{item.source.quote}”", markup=False)
        if item.amount_note:
            console.print(f"  {label('note', language)}: {item.amount_note}", markup=False)
        for assumption in item.assumptions_zh if language == "zh" else item.assumptions:
            console.print(f"  {label('assumptions', language)}: {assumption}", markup=False)
    if report.near_misses:
        print_near_misses(report.near_misses, console, language)
    if report.explanation is not None:
        print_explanation(report.explanation, console, language)


_MARKS = {"true": "✓", "false": "✗", "unknown": "?"}


def condition_lines(node: ConditionExplanation, language: Language, depth: int = 0) -> list[str]:
    """A condition tree as indented lines: ✓ met, ✗ not met, ? unknown; tests show the applicant's value."""
    indent = "    " * depth
    mark = _MARKS[node.outcome]
    named = f"{words(node.definition_name, language)}: " if node.definition_name else ""
    if node.kind == "test":
        value = words(node.value_text, language) if node.value_text else "—"
        line = f"{indent}{mark} {named}{words(node.text, language)}  ({label('applicant_value', language)}: {value})"
        return [line]
    lines = [f"{indent}{mark} {named}{words(node.text, language)}"]
    for part in node.parts:
        lines.extend(condition_lines(part, language, depth + 1))
    return lines


def _rule_heading(item: RuleExplanation, language: Language) -> str:
    status = label(item.status, language)
    if item.status == "not_in_force":
        dates = []
        if item.effective_from:
            dates.append(f"{label('in_force_from', language)} {item.effective_from}")
        if item.effective_until:
            dates.append(f"{label('in_force_until', language)} {item.effective_until}")
        status += f"; {', '.join(dates)}" if dates else ""
    return f"{item.benefit_id} — {words(item.name, language)} [{status}]"


def print_explanation(explanation: Explanation, console: Console, language: Language) -> None:
    """Each entitlement's conditions in full; for the other rules, the conditions that failed."""
    console.print(f"\n[bold]{label('why', language)}[/bold]")
    for item in explanation.entitlements:
        console.print(_rule_heading(item, language), markup=False)
        for line in condition_lines(item.condition, language, 1):
            console.print(line, markup=False)
    if explanation.not_granted:
        console.print(f"\n[bold]{label('why_not', language)}[/bold]")
    for item in explanation.not_granted:
        console.print(_rule_heading(item, language), markup=False)
        for failed in item.failed:
            for line in condition_lines(failed, language, 1):
                console.print(line, markup=False)


def _way_text(way: NearMiss | NearMissWay, language: Language) -> str:
    condition = way.failing_condition
    value = words(condition.value_text, language) if condition.value_text else "—"
    text = f"{words(condition.text, language)} ({label('applicant_value', language)}: {value})"
    if way.eligible_from:
        text += f"; {label('eligible_from', language)} {way.eligible_from}"
    if way.missing_facts:
        text += f"; {label('then_needs_info', language)}: {fact_names(way.missing_facts, language)}"
    return text


def print_near_misses(near_misses: tuple[NearMiss, ...], console: Console, language: Language) -> None:
    """Rules one condition away, with what would meet it and, for service time, the date."""
    console.print(f"\n[bold]{label('near_misses', language)}[/bold]")
    for item in near_misses:
        amount = f"{item.amount_yuan:,} {label('yuan', language)}" if item.amount_yuan is not None else "—"
        console.print(f"{item.benefit_id} — {words(item.name, language)}: {amount}", markup=False)
        console.print(f"    {_way_text(item, language)}", markup=False)
        for way in item.alternatives:
            console.print(f"    {label('or', language)}: {_way_text(way, language)}", markup=False)


def print_what_if(result: WhatIf, catalogue: Catalogue, console: Console, language: Language) -> None:
    """The changed facts, the report under them, then what changed against the original."""
    console.print(f"[bold]{label('what_if', language)}[/bold]")
    for change in result.changed_facts:
        before = words(value_name(change.key, change.before), language)
        after = words(value_name(change.key, change.after), language)
        console.print(f"  {words(field_name(change.key), language)}: {before} → {after}", markup=False)
    console.print()
    print_report(result.report, catalogue, console, language)
    console.print(f"\n[bold]{label('changes_against_original', language)}[/bold]")
    rows = [("gained", item) for item in result.gained]
    rows += [("lost", item) for item in result.lost]
    rows += [("changed", item) for item in result.changed]
    if not rows:
        console.print(f"  {label('no_change', language)}")
    for kind, item in rows:
        before = _status_amount(item.before_status, item.before_amount_yuan, language)
        after = _status_amount(item.after_status, item.after_amount_yuan, language)
        console.print(f"  {label(kind, language)}: {item.benefit_id}: {before} → {after}", markup=False)
    delta = result.total_cash_delta_yuan
    console.print(
        f"[bold]{label('total_delta', language)}: {delta:+,} {label('yuan', language)}[/bold]"
        f" ({result.original.total_cash_yuan:,} → {result.report.total_cash_yuan:,})"
    )


def _status_amount(status: str | None, amount: int | None, language: Language) -> str:
    if status is None:
        return "—"
    return label(status, language) + (f" {amount:,}" if amount is not None else "")


def print_comparison(options: list[RegionOption], catalogue: Catalogue, console: Console, language: Language) -> None:
    """Regions ranked by total known cash, with granted benefits and those without a known amount."""
    from rich.table import Table

    table = Table(title=label("compare_title", language))
    table.add_column(label("rank", language), justify="right")
    table.add_column(label("region", language))
    table.add_column(label("zone", language))
    table.add_column(label("total", language), justify="right")
    table.add_column(label("granted_benefits", language), overflow="fold")
    table.add_column(label("unpriced", language), overflow="fold")
    for rank, option in enumerate(options, start=1):
        granted = [item for item in option.entitlements if item.status == "granted"]
        zone = words(value_name("zone", option.zone or _NO_ZONE), language)
        table.add_row(
            str(rank),
            f"{words(option.region_name, language)}\n[dim]{option.region}[/dim]",
            zone,
            f"{option.total_cash_yuan:,}",
            "\n".join(f"{item.benefit_id} ({amount_text(item, language)})" for item in granted) or "—",
            "\n".join(option.unpriced_benefits) or "—",
        )
    console.print(table)


def _effective(entry: RuleEntry, language: Language) -> str:
    start = str(entry.effective_from) if entry.effective_from else label("open_start", language)
    end = str(entry.effective_until) if entry.effective_until else label("open_end", language)
    return f"{start} – {end}"


def print_rule_table(entries: list[RuleEntry], console: Console, language: Language) -> None:
    """The catalogue as a table: one row per rule, with its source and quote."""
    from rich.table import Table

    if not entries:
        console.print(label("no_rules", language))
        return
    table = Table(show_lines=True, expand=True)
    # Short words keep their width; the rest share the room, the quote the most.
    for key, ratio in (
        ("region", None),
        ("benefit", 3),
        ("kind", None),
        ("applicant_kind", None),
        ("amount_heading", 2),
        ("status", None),
        ("source", 5),
    ):
        table.add_column(label(key, language), overflow="fold", ratio=ratio, no_wrap=ratio is None)
    for entry in entries:
        table.add_row(
            words(entry.region_name, language),
            f"{words(entry.name, language)}\n[dim]{entry.id}[/dim]",
            label(entry.kind, language),
            words(value_name("applicant_kind", entry.applicant), language),
            words(entry.amount_text, language),
            label(entry.status, language),
            f"{entry.source.document}\n“{entry.source.quote}”".replace("[", r"\["),
        )
    console.print(table)
    console.print(f"{len(entries)} {label('rules_count', language)}")


def print_rule_detail(entry: RuleEntry, console: Console, language: Language) -> None:
    """One rule in full: every field, the condition and definitions, the quote, the assumptions."""
    console.print(f"[bold]{entry.id}[/bold] — {words(entry.name, language)}")
    rows = [
        ("region", words(entry.region_name, language)),
        ("kind", label(entry.kind, language)),
        ("applicant_kind", words(value_name("applicant_kind", entry.applicant), language)),
        ("amount_heading", words(entry.amount_text, language)),
        ("status", label(entry.status, language)),
        ("frequency", label(entry.frequency, language)),
        ("effective", _effective(entry, language)),
    ]
    if entry.exclusivity_group:
        rows.append(("exclusivity_group", entry.exclusivity_group))
    if entry.amount and "note" in entry.amount:
        rows.append(("note", str(entry.amount["note"])))
    condition = (
        json.dumps(entry.when, ensure_ascii=False) if entry.when != {"all": []} else label("no_condition", language)
    )
    rows.append(("condition", condition))
    for name, definition in entry.definitions.items():
        rows.append(
            (
                "definition",
                f"{name} ({words(definition.name, language)}): {json.dumps(definition.when, ensure_ascii=False)}",
            )
        )
    source = entry.source
    published = f", {source.date}" if source.date else ""
    rows.append(("source", f"{source.document} — {source.title} ({source.publisher}{published})"))
    rows.append(("quote", f"“{source.quote}”"))
    assumptions = entry.assumptions_zh if language == "zh" else entry.assumptions
    rows.extend(("assumptions", assumption) for assumption in assumptions)
    for key, value in rows:
        console.print(f"  {label(key, language)}: {value}", markup=False)


def print_programmes(
    programmes: Sequence[Programme], catalogue: Catalogue, console: Console, language: Language
) -> None:
    """The programme codes as a table: code, name, regions, meaning, other names."""
    from rich.table import Table

    if not programmes:
        console.print(label("no_programmes", language))
        return
    table = Table(show_lines=True, expand=True)
    for key in ("programme_code", "programme_name", "region", "meaning", "aliases"):
        table.add_column(label(key, language), overflow="fold")
    for item in programmes:
        regions = ", ".join(words(catalogue.region_codes.by_code[region].name, language) for region in item.regions)
        meanings = "\n".join(words(meaning, language) for _, meaning in item.meanings)
        table.add_row(item.code, words(item.name, language), regions, meanings, "、".join(item.aliases) or "—")
    console.print(table)
