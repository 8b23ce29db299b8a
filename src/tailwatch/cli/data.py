"""``tailwatch data update|import|status``: the reference-data store."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.markup import escape
from rich.table import Table

from tailwatch.cli import _console
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run

if TYPE_CHECKING:
    from tailwatch.reference.update import Outcome

_DATASETS = ("plane-alert-db", "tar1090-db", "icao24-ranges", "country-borders", "ourairports")


def _report(outcomes: list[Outcome]) -> int:
    out, err = _console.stdout(), _console.stderr()
    failed = 0
    for o in outcomes:
        if o.status == "failed":
            failed += 1
            err.print(f"{o.dataset}: [red]failed[/red]: {escape(o.detail)}", highlight=False)
        else:
            out.print(f"{o.dataset}: {o.status}  [dim]{escape(o.detail)}[/dim]", highlight=False)
    if failed:
        err.print(f"{failed} dataset(s) failed; their earlier copies (if any) are kept")
    return EXIT_FAILURE if failed else EXIT_OK


@click.group("data")
def command() -> None:
    """Reference data: aircraft registry, watchlists, ICAO blocks, borders, airports."""


@command.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option("--only", multiple=True, type=click.Choice(_DATASETS), help="Dataset to import.")
def import_(folder: str, only: tuple[str, ...]) -> int:
    """Copy reference data from a local FOLDER (laid out like shared/data/reference)."""
    from tailwatch.reference.update import import_dir

    outcomes = import_dir(folder, only or None)
    if all(o.status == "absent" for o in outcomes):
        _console.stderr().print(f"error: no reference data found in {escape(folder)}")
        return EXIT_FAILURE
    return _report(outcomes)


@command.command("update")
@click.option("--only", multiple=True, type=click.Choice(_DATASETS), help="Dataset to fetch.")
def update_(only: tuple[str, ...]) -> int:
    """Fetch the current upstream files (the only command that uses the network)."""
    from tailwatch.reference.update import update

    outcomes = update(only or None)
    return _report(outcomes)


def _age(iso: str | None, now: datetime) -> str:
    if not iso:
        return "-"
    when = datetime.fromisoformat(iso)
    days = (now - when).total_seconds() / 86400
    if days < 1:
        return f"{iso[:10]} (today)"
    return f"{iso[:10]} ({days:.0f} d ago)"


@command.command("status")
def status() -> int:
    """What is in the store, from where, and how old."""
    from tailwatch.reference.store import DATASETS, data_dir, read_manifest

    out = _console.stdout()
    manifest = read_manifest()
    now = datetime.now(UTC)
    table = Table(title=f"reference data in {data_dir()}")
    table.add_column("dataset", no_wrap=True)
    for col in ("files", "size", "source", "fetched", "upstream date"):
        table.add_column(col, overflow="fold")
    for name in DATASETS:
        rec = manifest.get(name)
        if rec is None:
            table.add_row(name, "-", "-", "[red]not installed[/red]", "-", "-")
            continue
        table.add_row(
            name,
            str(len(rec["files"])),
            f"{rec['size'] / 1e6:.1f} MB",
            f"{rec['method']}: {escape(rec['source'])}",
            _age(rec["fetched"], now),
            _age(rec.get("upstream_date"), now),
        )
    out.print(table)
    if not manifest:
        out.print("nothing installed: run `tailwatch data import DIR` or `tailwatch data update`")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main"]
