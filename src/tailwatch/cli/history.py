"""``tailwatch history [--db FILE] [--since] [--until] [--icao24 X] [--airport ICAO]
[--json]``: the alerts raised, their deliveries, and the events seen, from the alert
store (default ``<data dir>/alerts.sqlite``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from tailwatch.cli._console import stdout
from tailwatch.cli._run import EXIT_OK, run
from tailwatch.errors import UnreadableFileError


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _short(t: str | None) -> str:
    return "" if not t else t[:16].replace("T", " ")


def _deliveries(alert: dict[str, Any]) -> str:
    parts = []
    for d in alert["deliveries"]:
        state = d["status"]
        if state == "pending" and d["last_error"]:
            state = f"retrying ({d['attempts']} failed)"
        elif state == "delivered" and d["attempts"] > 1:
            state = f"delivered after {d['attempts']} attempts"
        parts.append(f"v{d['version']} {d['sink']}: {state}")
    return "\n".join(parts) or ("not pushed (cooldown)" if alert["status"] == "cooldown" else "")


@click.command("history")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    help="alert store (default: alerts.sqlite in the tailwatch data dir)",
)
@click.option("--since", type=click.DateTime(), help="only events/alerts at or after (UTC)")
@click.option("--until", type=click.DateTime(), help="only events/alerts before (UTC)")
@click.option("--icao24", help="only this aircraft (hex)")
@click.option("--airport", help="only this airport (ICAO code)")
@click.option("--json", "as_json", is_flag=True, help="one JSON document with everything")
def command(
    db: Path | None,
    since: datetime | None,
    until: datetime | None,
    icao24: str | None,
    airport: str | None,
    as_json: bool,
) -> int:
    """Alerts raised and delivered, and the events behind them, with their evidence."""
    from tailwatch.alerts import AlertStore, default_db_path

    path = db or default_db_path()
    if not path.is_file():
        raise UnreadableFileError(path, "no alert history here (see --db)")
    with AlertStore(path) as store:
        events, alerts = store.history(
            since=_utc(since), until=_utc(until), icao24=icao24, airport=airport
        )
    out = stdout()
    if as_json:
        doc = {"database": str(path), "alerts": alerts, "events": events}
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=str))
        return EXIT_OK
    table = Table(title=f"{len(alerts)} alerts", show_lines=True)
    for col in ("time (UTC)", "kind", "aircraft", "airport", "rule", "v", "alert", "delivery"):
        table.add_column(col)
    for a in alerts:
        who = a.get("registration") or a["icao24"]
        table.add_row(
            _short(a["event_time"]),
            a["kind"],
            f"{who} ({a['icao24']})" if who != a["icao24"] else who,
            a.get("airport") or a.get("country") or "",
            a["rule"],
            str(a["version"]),
            a["title"],
            _deliveries(a),
        )
    out.print(table)
    ev = Table(title=f"{len(events)} events")
    for col in ("time (UTC)", "kind", "icao24", "airport", "runway", "confidence", "why"):
        ev.add_column(col)
    for e in events:
        ev.add_row(
            _short(e.get("time")),
            str(e.get("kind")),
            str(e.get("icao24")),
            e.get("airport") or "",
            e.get("runway") or "",
            str(e.get("confidence") or ""),
            e.get("reason") or "",
        )
    out.print(ev)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main"]
