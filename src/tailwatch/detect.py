"""Public entry of the detection core: positions in, events and flights out.

>>> from tailwatch.detect import detect
>>> det = detect(positions)            # doctest: +SKIP
>>> det.events, det.flights, det.rejected

``detect`` is a pure function of each aircraft's positions (plus reference data):
the output for one aircraft does not depend on other aircraft, on row order or on
duplicated rows. See ``docs/detection.md`` for the rules and how it runs per
partition on Spark and incrementally on a live feed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from tailwatch._schema import EVENTS, FLIGHTS, REJECTED
from tailwatch.events.classify import build_events, stable_id
from tailwatch.flights.clean import clean
from tailwatch.flights.ground import add_state
from tailwatch.flights.params import DetectionParams
from tailwatch.flights.segment import prepare, segment, segments
from tailwatch.reference.airports import AirportIndex


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` found.

    ``events``: EVENTS schema, one row per take-off / landing / touch-and-go, sorted by
    icao24 and time. ``flights``: FLIGHTS schema. ``rejected``: positions not used as
    evidence, with ``reason``. ``counts``: rows in, duplicates merged, rejected by reason.
    ``positions``: the cleaned positions with their ground/air state and segment (for
    ``tailwatch explain``).
    """

    events: pl.DataFrame
    flights: pl.DataFrame
    rejected: pl.DataFrame
    counts: dict[str, int] = field(default_factory=dict)
    positions: pl.DataFrame | None = None


def _empty(schema: pl.Schema) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def detect(
    positions: pl.DataFrame | pl.LazyFrame,
    params: DetectionParams | None = None,
    index: AirportIndex | None = None,
    *,
    keep_positions: bool = False,
) -> Detection:
    """Detect flights and their take-off / landing events in POSITIONS rows."""
    params = params or DetectionParams()
    index = index or AirportIndex.default()
    frame, rejected, duplicates = clean(positions, params)
    counts = {"rows_used": frame.height, "merged_duplicates_or_repeats": duplicates}
    for reason, n in rejected.group_by("reason").len().sort("reason").iter_rows():
        counts[f"rejected_{reason}"] = int(n)
    if frame.height == 0:
        return Detection(_empty(EVENTS), _empty(FLIGHTS), rejected, counts)
    frame = add_state(frame, params, index)
    frame = segment(prepare(frame), params, index)
    segs = segments(frame)
    if segs.filter(~pl.col("ground")).height == 0:
        return Detection(
            _empty(EVENTS), _empty(FLIGHTS), rejected, counts, frame if keep_positions else None
        )
    events = build_events(frame, segs, params, index)
    events, flights = _assemble(events, segs)
    return Detection(events, flights, rejected, counts, frame if keep_positions else None)


def _assemble(events: pl.DataFrame, segs: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    air = segs.filter(~pl.col("ground")).select("_seg", "icao24", "callsign", "t0", "t1", "n")
    air = air.with_columns(
        flight_id=pl.Series(
            [
                stable_id(ic, "flight", t.isoformat())
                for ic, t in zip(air["icao24"], air["t0"], strict=True)
            ],
            dtype=pl.String,
        )
    )
    events = events.join(
        air.select("_seg", pl.col("flight_id").alias("_fid")), on="_seg", how="left"
    ).with_columns(flight_id=pl.col("_fid"))
    events = events.with_columns(
        event_id=pl.Series(
            [
                stable_id(ic, k, t.isoformat())
                for ic, k, t in zip(events["icao24"], events["kind"], events["time"], strict=True)
            ],
            dtype=pl.String,
        )
    )
    ends = {}
    for kind in ("takeoff", "landing"):
        ends[kind] = events.filter(pl.col("kind") == kind).select(
            "_seg",
            pl.col("airport").alias(f"{kind}_airport"),
            pl.col("time").alias(f"{kind}_time"),
            pl.col("confidence").alias(f"{kind}_confidence"),
            pl.col("runway").alias(f"{kind}_runway"),
            pl.col("runner_up").alias(f"{kind}_runner_up"),
            pl.col("runner_up_margin_km").alias(f"{kind}_runner_up_margin_km"),
            pl.col("reason").alias(f"{kind}_reason"),
            pl.col("evidence").alias(f"{kind}_evidence"),
        )
    tgs = (
        events.filter(pl.col("kind") == "touch_and_go")
        .group_by("_seg")
        .agg(pl.col("airport").sort_by("time").alias("touch_and_gos"))
    )
    flights = (
        air.join(ends["takeoff"], on="_seg", how="left")
        .join(ends["landing"], on="_seg", how="left")
        .join(tgs, on="_seg", how="left")
        .with_columns(
            first_seen="t0",
            last_seen="t1",
            n_positions=pl.col("n").cast(pl.Int64),
            touch_and_gos=pl.col("touch_and_gos").fill_null([]),
        )
        .select([pl.col(c).cast(t) for c, t in FLIGHTS.items()])
        .sort("icao24", "first_seen")
    )
    events = events.select([pl.col(c).cast(t) for c, t in EVENTS.items()]).sort(
        "icao24", "time", "kind"
    )
    return events, flights


__all__ = ["REJECTED", "Detection", "DetectionParams", "detect"]
