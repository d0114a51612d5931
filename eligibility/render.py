"""Reports as a terminal reads them: a table, then each benefit's source and assumptions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eligibility.i18n import Language, label
from eligibility.report import STATUS_ORDER, Entitlement, Report

if TYPE_CHECKING:
    from rich.console import Console


def amount_text(item: Entitlement, language: Language) -> str:
    """The amount as shown to a person: digits, 'amount not published', or a dash."""
    if item.amount_yuan is not None:
        return f"{item.amount_yuan:,}"
    if item.kind != "cash":
        return label("no_amount", language)
    if item.amount_note and item.amount_note.startswith("amount not published"):
        return label("amount_not_published", language)
    return label("amount_unknown", language)


def print_report(report: Report, console: Console, language: Language) -> None:
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
        table.add_column(label("benefit", language))
        table.add_column(label("kind", language))
        table.add_column(label("amount", language), justify="right")
        for item in entitlements:
            status = label(item.status, language)
            if item.superseded_by:
                status += f" → {item.superseded_by}"
            if item.missing_facts:
                status += f" ({label('missing_facts', language)}: {', '.join(item.missing_facts)})"
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
        for assumption in item.assumptions:
            console.print(f"  {label('assumptions', language)}: {assumption}", markup=False)
