"""``tailwatch explain ICAO24 INPUT... [--at TIME]``: why an event was or was not detected.

Shows the aircraft's ground/air segmentation, the events with the rule that fired
(``reason``), the runner-up and candidate airports, and the deciding positions. With
``--at``, focuses on that time: the nearest event, and the positions around it with
their raw and final ground/air state, so a missing event can be traced to the rule
that kept it from firing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import polars as pl
from rich.table import Table

from tailwatch.cli._console import stdout
from tailwatch.cli._inputs import read_inputs
from tailwatch.cli._run import EXIT_FAILURE, EXIT_OK, run
from tailwatch.detect import detect, detection_params
from tailwatch.sources import FORMATS

_WINDOW = timedelta(minutes=10)


def _parse_time(text: str) -> datetime:
    try:
        t = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"not an ISO-8601 time: {text!r}"
        raise click.BadParameter(msg, param_hint="--at") from exc
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return f"{v:%Y-%m-%d %H:%M:%S}"
    if isinstance(v, float):
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.1f}"
    return str(v)


def _segments(pos: pl.DataFrame) -> Table:
    segs = pos.group_by("_seg", maintain_order=True).agg(
        pl.col("ground").first(),
        pl.col("_split").first(),
        pl.col("time").first().alias("from"),
        pl.col("time").last().alias("to"),
        pl.len().alias("n"),
        pl.col("height_ft").min().alias("hmin"),
        pl.col("height_ft").max().alias("hmax"),
        pl.col("callsign").drop_nulls().last(),
    )
    table = Table(title="ground/air segmentation")
    for c in ("state", "from", "to", "positions", "height min-max (ft)", "callsign", "note"):
        table.add_column(c)
    for r in segs.iter_rows(named=True):
        note = "split from previous by gap rule" if r["_split"] else ""
        table.add_row(
            "ground" if r["ground"] else "air",
            _fmt(r["from"]),
            _fmt(r["to"]),
            str(r["n"]),
            f"{_fmt(r['hmin'])}-{_fmt(r['hmax'])}",
            r["callsign"] or "",
            note,
        )
    return table


def _events(events: pl.DataFrame) -> Table:
    table = Table(title="events")
    for c in (
        "kind",
        "time",
        "airport",
        "runway",
        "confidence",
        "runner-up (margin km)",
        "rule that fired",
    ):
        table.add_column(c)
    for r in events.iter_rows(named=True):
        ru = f"{r['runner_up']} ({r['runner_up_margin_km']:.1f})" if r["runner_up"] else ""
        table.add_row(
            r["kind"],
            _fmt(r["time"]),
            r["airport"] or "—",
            r["runway"] or "",
            r["confidence"],
            ru,
            r["reason"] or "",
        )
    return table


def _points(rows: list[dict[str, Any]], title: str) -> Table:
    table = Table(title=title)
    cols = ("time", "lat", "lon", "alt_ft", "gs_kt", "track_deg", "on_ground")
    for c in cols:
        table.add_column(c)
    for p in rows:
        table.add_row(
            *[
                f"{p[c]:.5f}" if c in ("lat", "lon") and p[c] is not None else _fmt(p[c])
                for c in cols
            ]
        )
    return table


def _around(pos: pl.DataFrame, at: datetime) -> Table:
    near = pos.filter(pl.col("time").is_between(at - _WINDOW, at + _WINDOW))
    step = max(1, near.height // 40)
    table = Table(title=f"positions within 10 min of {at:%Y-%m-%d %H:%M:%S} (every {step})")
    cols = ("time", "alt_baro_ft", "height_ft", "speed_kt", "on_ground", "raw_ground", "ground")
    for c in (*cols[:-2], "raw state", "final state"):
        table.add_column(c)
    for r in near.gather_every(step).iter_rows(named=True):
        raw = {True: "ground", False: "air", None: "unknown"}[r["raw_ground"]]
        table.add_row(*[_fmt(r[c]) for c in cols[:-2]], raw, "ground" if r["ground"] else "air")
    return table


@click.command("explain")
@click.argument("icao24")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--at", "at_text", help="focus on this time (ISO-8601, UTC if no offset)")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="force an input reader")
def command(icao24: str, inputs: tuple[Path, ...], at_text: str | None, fmt: str | None) -> int:
    """Why an event was or was not detected for ICAO24, with the deciding points."""
    at = _parse_time(at_text) if at_text else None
    result = read_inputs(inputs, format=fmt)
    out = stdout()
    hexid = icao24.strip().lower()
    # Detection is per aircraft: explaining one aircraft needs only its positions.
    mine = result.positions.filter(pl.col("icao24") == hexid)
    if mine.height == 0:
        out.print(f"no positions for {hexid} in the input")
        return EXIT_FAILURE
    det = detect(mine, detection_params(), keep_positions=True)
    counts = ", ".join(f"{k}: {v:,}" for k, v in det.counts.items())
    out.print(f"{hexid}: {mine.height:,} positions read ({counts})", highlight=False)
    if det.positions is not None:
        out.print(_segments(det.positions))
    events = det.events
    if at is not None and events.height:
        events = events.with_columns(_d=(pl.col("time") - at).abs()).sort("_d").drop("_d")
        nearest = events.row(0, named=True)
        if abs(nearest["time"] - at) > _WINDOW:
            out.print(
                f"no event within 10 min of {at:%Y-%m-%d %H:%M:%S}; nearest is a "
                f"{nearest['kind']} at {nearest['time']:%Y-%m-%d %H:%M:%S}. "
                "The states below show which rule kept one from firing.",
                highlight=False,
            )
    out.print(_events(events.sort("time")))
    focus = events.head(1) if at is not None else events
    for r in focus.iter_rows(named=True):
        out.print(_points(r["evidence"] or [], f"deciding points: {r['kind']} {_fmt(r['time'])}"))
        if r["confidence"] == "none" and r["candidates"]:
            cands = ", ".join(
                f"{c['airport']} {c['distance_km']:.0f} km at {c['bearing_deg']:.0f}°"
                for c in r["candidates"]
            )
            out.print(f"airports around (none claimed): {cands}", highlight=False)
    if at is not None and det.positions is not None:
        out.print(_around(det.positions, at))
        rej = det.rejected.filter(pl.col("time").is_between(at - _WINDOW, at + _WINDOW))
        if rej.height:
            reasons = rej.group_by("reason").len().rows()
            out.print(f"not used as evidence near that time: {dict(reasons)}", highlight=False)
    return EXIT_FAILURE if result.errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["command", "main"]
