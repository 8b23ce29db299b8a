"""``tailwatch whois QUERY``: who an aircraft is, by hex or registration."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.markup import escape

from tailwatch.cli import _console
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, EXIT_USAGE, run
from tailwatch.errors import ReferenceDataError

if TYPE_CHECKING:
    from tailwatch.reference.identify import AircraftIdentity, WatchEntry


class _When(click.ParamType[datetime, object]):
    name = "date"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            parsed = datetime.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD or ISO 8601)", param, ctx)
        return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _day(at: datetime) -> str:
    if (at.hour, at.minute, at.second) == (0, 0, 0):
        return at.strftime("%Y-%m-%d")
    return at.strftime("%Y-%m-%d %H:%M:%SZ")


def _entry_lines(entry: WatchEntry, at: datetime) -> list[str]:
    head = f"[bold]{escape(entry.label or '(no label)')}[/bold]"
    if entry.category:
        head += f"  [{escape(entry.category)}]"
    where = f"{entry.list} ({entry.file}:{entry.line})"
    if entry.valid:
        state = f"valid {entry.interval}" if entry.bounded else ""
    else:
        state = f"[red]not valid on {_day(at)}: valid {entry.interval}[/red]"
    lines = [f"  - {head}  {state}".rstrip(), f"      source: {escape(where)}"]
    if entry.tags:
        lines.append(f"      tags: {escape(', '.join(entry.tags))}")
    lines.extend(f"      link: {escape(link)}" for link in entry.sources)
    if entry.notes:
        lines.append(f"      notes: {escape(entry.notes)}")
    return lines


def render(ident: AircraftIdentity) -> list[str]:
    """The answer as rich-markup lines."""
    reg = ident.registration or "(registration unknown)"
    lines = [f"[bold]{escape(reg)}[/bold]  hex {ident.icao24 or '?'}"]
    kind = " ".join(x for x in (ident.typecode, ident.type_name or ident.description) if x)
    if ident.type_name and ident.description and ident.type_name != ident.description:
        kind += f" (registry: {ident.description})"
    lines.append(f"  type:         {escape(kind or 'unknown')}")
    lines.append(f"  operator:     {escape(ident.operator or 'unknown')}")
    if ident.country:
        iso = f" ({ident.country_iso})" if ident.country_iso else ""
        lines.append(
            f"  registered:   {escape(ident.country)}{iso}"
            f"  [dim]ICAO block {ident.icao_block}[/dim]"
        )
    if ident.flags:
        lines.append(f"  flags:        {', '.join(ident.flags)}")
    if not ident.in_registry:
        lines.append("  [dim]not in the aircraft registry[/dim]")
    if ident.also_registered:
        lines.append(f"  same registration also on: {', '.join(ident.also_registered)}")
    valid = sum(e.valid for e in ident.entries)
    lines.append(f"watchlists on {_day(ident.at)}: {len(ident.entries)} entries, {valid} valid")
    for entry in ident.entries:
        lines.extend(_entry_lines(entry, ident.at))
    if ident.conflicts:
        lines.append("[yellow]conflicts between entries:[/yellow]")
        lines.extend(f"  - {escape(c)}" for c in ident.conflicts)
    return lines


@click.command("whois")
@click.argument("query")
@click.option("--at", "at", type=_When(), help="Date (UTC) the entries must be valid on.")
@click.option(
    "--watchlist",
    "watchlists",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Extra watchlist file (.yaml, .toml, or plane-alert-db .csv); repeatable.",
)
def command(query: str, at: datetime | None, watchlists: tuple[str, ...]) -> int:
    """Who is QUERY (hex like 018019, or registration like 5A-DCN)."""
    from tailwatch.reference.identify import whois

    out, err = _console.stdout(), _console.stderr()
    try:
        ident = whois(query, at, watchlists=list(watchlists))
    except ReferenceDataError as exc:
        err.print(f"error: {escape(str(exc))}", highlight=False)
        return EXIT_USAGE
    if not ident.known:
        msg = f"unknown aircraft: {query!r} is in neither the registry nor any watchlist"
        err.print(escape(msg), highlight=False)
        if ident.country:
            err.print(f"ICAO block of {ident.icao24}: {escape(ident.country)}", highlight=False)
        return EXIT_FAILURE
    for line in render(ident):
        out.print(line, highlight=False)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main", "render"]
