"""Reports, comparisons and the rule catalogue as a terminal shows them (rich tables), in Chinese or English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from eligibility.conditions.form import Group, Named, Node, Not, Test, tests
from eligibility.conditions.wording import GROUPS, field_name, value_name
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
from eligibility.facts.vocabulary import FIELDS, FieldKind
from eligibility.packs.catalogue import Catalogue
from eligibility.packs.programmes import Programme
from eligibility.presentation.labels import Language, label, words
from eligibility.presentation.money import money
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
    """The amount as shown to a person: 50万元 / 500,000 yuan (至少 / at least for a known part), 'amount not
    published', 'amount unknown', or a dash."""
    if item.amount_yuan is not None:
        shown = money(item.amount_yuan, language)
        return label("at_least", language) + shown if item.amount_state == AmountState.at_least else shown
    words_for = {AmountState.none: "no_amount", AmountState.not_published: "amount_not_published"}
    return label(words_for.get(AmountState(item.amount_state), "amount_unknown"), language)


def place_name(region: str, zone: str | None, catalogue: Catalogue, language: Language) -> str:
    """The region (and zone) by name: 阿克苏地区 / 阿克苏阿拉尔高新区."""
    known = catalogue.region_codes.by_code.get(region)
    name = words(known.name, language) if known is not None else region
    return name + (f" / {words(value_name('zone', zone), language)}" if zone else "")


def tested_codes(catalogue: Catalogue, benefit_id: str, field: str) -> list[str]:
    """The codes a rule's condition tests `field` for (the programmes it asks about), in rule order."""
    found: list[str] = []
    for test in tests(catalogue.condition(benefit_id)):
        if test.field == field:
            for code in test.operand if isinstance(test.operand, tuple) else (test.operand,):
                if str(code) not in found:
                    found.append(str(code))
    return found


def missing_text(item: Entitlement, catalogue: Catalogue, language: Language) -> str:
    """What to supply for a benefit that needs information, a programme asked for by its name.

    人才计划（programmes）：是否为托峰英才 / programmes: whether in Tuofeng talents.
    """
    parts = []
    for key in item.missing_facts:
        named = fact_names([key], language)
        if FIELDS[key].kind is FieldKind.codes:
            codes = tested_codes(catalogue, item.benefit_id, key)
            names = [
                words(catalogue.programmes.by_code[code].name, language)
                for code in codes
                if code in catalogue.programmes.by_code
            ]
            if names:
                named += label("whether_in", language) + ("、" if language == "zh" else ", ").join(names)
        parts.append(named)
    return ("、" if language == "zh" else "; ").join(parts)


def print_report(report: Report, catalogue: Catalogue, console: Console, language: Language) -> None:
    """A report as a person reads it: what is granted first, with the total; then what may also be granted
    once information is supplied, gathered by what to supply; then superseded and proposed benefits; then the
    sources and assumptions of what is granted."""
    from rich.table import Table

    def name(item: Entitlement) -> str:
        return words(item.name, language)

    console.print(
        f"{label('applicant', language)}: {report.applicant_id or '—'}  ·  "
        f"{place_name(report.region, report.zone, catalogue, language)}  ·  {label('as_of', language)}: "
        f"{report.as_of}  ·  {label('rules_version', language)}: {report.rules_version}",
        markup=False,
    )
    by_status: dict[str, list[Entitlement]] = {}
    for item in sorted(report.entitlements, key=lambda item: STATUS_ORDER[item.status]):
        by_status.setdefault(item.status, []).append(item)
    if not report.entitlements:
        console.print(label("nothing", language))
    granted = by_status.get("granted", [])
    if granted:
        table = Table(title=label("granted_heading", language), title_justify="left", show_lines=False)
        table.add_column(label("benefit", language), overflow="fold")  # ids are typed back: never cut them
        table.add_column(label("kind", language))
        table.add_column(label("amount_heading", language), justify="right")
        for item in granted:
            table.add_row(
                f"{_escaped(name(item))}\n[dim]{item.benefit_id}[/dim]",
                label(item.kind, language),
                amount_text(item, language),
            )
        console.print(table)
    console.print(f"[bold]{label('total', language)}: {money(report.total_cash_yuan, language)}[/bold]")
    if report.cash_not_summed:
        console.print(f"{label('not_summed', language)}: {', '.join(report.cash_not_summed)}", markup=False)
    needs_info = by_status.get("needs_info", [])
    if needs_info:
        console.print(f"\n[bold]{label('needs_info_heading', language)}[/bold]")
        groups: dict[str, list[Entitlement]] = {}
        for item in needs_info:
            groups.setdefault(missing_text(item, catalogue, language), []).append(item)
        for missing, items in groups.items():
            console.print(f"  {label('missing_facts', language)}: {missing}", markup=False)
            for item in items:
                amount = amount_text(item, language)
                shown = f" — {amount}" if item.amount_state != AmountState.none else ""
                console.print(f"    {name(item)} ({item.benefit_id}){shown}", markup=False)
    for status in ("superseded", "proposed"):
        for item in by_status.get(status, []):
            instead = f" → {item.superseded_by}" if item.superseded_by else ""
            console.print(f"{label(status, language)}: {name(item)} ({item.benefit_id}){instead}", markup=False)
    for item in [*granted, *by_status.get("superseded", [])]:
        console.print(f"\n[bold]{item.benefit_id}[/bold] — {_escaped(name(item))}")
        console.print(f"  {label('source', language)}: {item.source.document}: “{item.source.quote}”", markup=False)
        note = item.amount_note_zh if language == "zh" and item.amount_note_zh else item.amount_note
        if note:
            console.print(f"  {label('note', language)}: {note}", markup=False)
        for assumption in item.assumptions_zh if language == "zh" else item.assumptions:
            console.print(f"  {label('assumptions', language)}: {assumption}", markup=False)
    if report.near_misses:
        print_near_misses(report.near_misses, console, language)
    if report.explanation is not None:
        print_explanation(report.explanation, console, language)


def _escaped(text: str) -> str:
    return text.replace("[", r"\[")


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
        amount = money(item.amount_yuan, language) if item.amount_yuan is not None else "—"
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
        named = words(catalogue.rule(item.benefit_id)[1].name, language)
        console.print(f"  {label(kind, language)}: {named} ({item.benefit_id}): {before} → {after}", markup=False)
    delta = result.total_cash_delta_yuan
    console.print(
        f"[bold]{label('total_delta', language)}: {'+' if delta > 0 else ''}{money(delta, language)}[/bold]"
        f" ({money(result.original.total_cash_yuan, language)} → {money(result.report.total_cash_yuan, language)})"
    )


def _status_amount(status: str | None, amount: int | None, language: Language) -> str:
    if status is None:
        return "—"
    return label(status, language) + (f" {money(amount, language)}" if amount is not None else "")


def print_comparison(options: list[RegionOption], catalogue: Catalogue, console: Console, language: Language) -> None:
    """Regions ranked by total known cash, then by the number of benefits granted; each with what it grants."""
    from rich.table import Table

    table = Table(title=label("compare_title", language))
    table.add_column(label("rank", language), justify="right")
    table.add_column(label("region", language))
    table.add_column(label("zone", language))
    table.add_column(label("total", language), justify="right")
    table.add_column(label("granted_benefits", language), overflow="fold")
    for rank, option in enumerate(options, start=1):
        granted = [item for item in option.entitlements if item.status == "granted"]
        zone = words(value_name("zone", option.zone or _NO_ZONE), language)
        table.add_row(
            str(rank),
            f"{_escaped(words(option.region_name, language))}\n[dim]{option.region}[/dim]",
            _escaped(zone),
            money(option.total_cash_yuan, language),
            "\n".join(f"{_escaped(words(item.name, language))} ({amount_text(item, language)})" for item in granted)
            or "—",
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


def condition_sentences(node: Node, language: Language, depth: int = 0) -> list[str]:
    """A condition as indented sentences: 学历为博士 / degree is doctorate; groups say all of / any of / not."""
    indent = "    " * depth
    if isinstance(node, Named):
        inner = condition_sentences(node.part, language, depth + 1)
        return [f"{indent}{words(node.names, language)} ({node.name}):", *inner]
    if isinstance(node, Test):
        return [f"{indent}{words(node.sentence, language)}"]
    kind = "not" if isinstance(node, Not) else "all" if isinstance(node, Group) and node.conjunction else "any"
    lines = [f"{indent}{words(GROUPS[kind], language)}:"]
    for part in node.parts:
        lines.extend(condition_sentences(part, language, depth + 1))
    return lines


def print_rule_detail(entry: RuleEntry, condition: Node, console: Console, language: Language) -> None:
    """One rule in full: every field, the condition in sentences (definitions named), the quote, the assumptions."""
    console.print(f"[bold]{entry.id}[/bold] — {_escaped(words(entry.name, language))}")
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
        note = entry.amount.get("note_zh") if language == "zh" else None
        rows.append(("note", str(note or entry.amount["note"])))
    for key, value in rows:
        console.print(f"  {label(key, language)}: {value}", markup=False)
    console.print(f"  {label('condition', language)}:", markup=False)
    for line in condition_sentences(condition, language, 1):
        console.print(line, markup=False)
    source = entry.source
    published = f", {source.date}" if source.date else ""
    console.print(
        f"  {label('source', language)}: {source.document} — {source.title} ({source.publisher}{published})",
        markup=False,
    )
    console.print(f"  {label('quote', language)}: “{source.quote}”", markup=False)
    for assumption in entry.assumptions_zh if language == "zh" else entry.assumptions:
        console.print(f"  {label('assumptions', language)}: {assumption}", markup=False)


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
