"""Trips (itineraries): consecutive flights chained through short ground stops.

A *leg* is one flight (its take-off and landing events). Legs of one aircraft chain
into one trip while the link between them is a ground stop we can vouch for:

* the previous leg landed at a known airport A (``observed``/``inferred``), and
* the next leg took off from A, or entered coverage airborne (then the stop's departure
  is an upper bound), and
* the time on the ground is at most ``TripParams.trip_break`` (default 12 h), and
* A is not the airport the trip started from (back home ends a round trip).

Inside a trip, a stop is a *stop-over* when its ground time is at most
``TripParams.stopover_max`` (default 90 min: refuelling or a pick-up), else a *stay*.
The trip's *destination* is its longest stay; a trip with only stop-overs has as
destination its final airport (if it does not come back), else its longest stop.

The seed: HLLB → LCLK (40 min: stop-over) → LLBG (2 h 03 min: stay, the destination)
→ HLLB (back at the origin: the trip ends).

Legs with no known airport at all (overflights, aircraft only seen at altitude) make no
trip. Vectorised per aircraft with polars window expressions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import polars as pl

from tailwatch._schema import EVENTS, STOP_KINDS, TRIPS


@dataclass(frozen=True)
class TripParams:
    """How flights chain into trips (see the module docstring and docs/stays.md).

    ``stopover_max``: a stop this short or shorter is a stop-over, longer is a stay.
    ``trip_break``: a stop longer than this ends the trip (an overnight stay splits
    outbound and return; raise it to keep multi-day visits in one trip).
    ``break_at_origin``: returning to the trip's first airport ends the trip.
    """

    stopover_max: timedelta = timedelta(minutes=90)
    trip_break: timedelta = timedelta(hours=12)
    break_at_origin: bool = True


def _seconds(expr: pl.Expr) -> pl.Expr:
    return expr.dt.total_microseconds().cast(pl.Float64) / 1e6


def _longest(col: str, mask: pl.Expr) -> pl.Expr:
    """In a group: ``col`` at the longest ground time among the rows where ``mask``."""
    return (
        pl.col(col).filter(mask).sort_by(pl.col("ground_s").filter(mask), descending=True).first()
    )


def legs(events: pl.DataFrame) -> pl.LazyFrame:
    """One row per flight: its take-off and landing, ordered per aircraft."""
    ev = events.lazy().filter(pl.col("kind").is_in(["takeoff", "landing"]))
    fields = ("time", "airport", "confidence", "event_id")

    def first_of(kind: str, col: str) -> pl.Expr:
        sel = (
            pl.col(col)
            .filter(pl.col("kind") == kind)
            .sort_by(pl.col("time").filter(pl.col("kind") == kind))
        )
        return (sel.first() if kind == "takeoff" else sel.last()).alias(f"{kind}_{col}")

    return (
        ev.group_by("icao24", "flight_id")
        .agg(
            *(first_of(k, c) for k in ("takeoff", "landing") for c in fields),
            callsign=pl.col("callsign").drop_nulls().first(),
        )
        .with_columns(start=pl.coalesce("takeoff_time", "landing_time"))
        .sort("icao24", "start", "flight_id")
    )


def build_trips(events: pl.DataFrame, params: TripParams | None = None) -> pl.DataFrame:
    """Trips (TRIPS schema) from take-off / landing events (EVENTS schema)."""
    p = params or TripParams()
    missing = [
        c
        for c in ("icao24", "flight_id", "kind", "time", "airport", "confidence")
        if c not in events.columns
    ]
    if missing:
        msg = f"events frame lacks columns {missing}"
        raise ValueError(msg)
    events = events.select([pl.col(c).cast(t) for c, t in EVENTS.items() if c in events.columns])
    lg = legs(events).with_columns(
        prev_airport=pl.col("landing_airport").shift(1).over("icao24"),
        prev_time=pl.col("landing_time").shift(1).over("icao24"),
        prev_confidence=pl.col("landing_confidence").shift(1).over("icao24"),
    )
    ground_s = _seconds(pl.col("takeoff_time") - pl.col("prev_time"))
    same_airport = pl.col("takeoff_airport").is_null() | (
        pl.col("takeoff_airport") == pl.col("prev_airport")
    )
    linked = (
        pl.col("prev_airport").is_not_null()
        & (ground_s <= p.trip_break.total_seconds())
        & same_airport
    ).fill_null(value=False)
    lg = lg.with_columns(
        ground_s=ground_s,
        why_break=pl.when(pl.col("prev_time").is_null() & pl.col("prev_airport").is_null())
        .then(pl.lit("end of data"))
        .when(pl.col("prev_airport").is_null())
        .then(pl.lit("left coverage airborne"))
        .when(~same_airport)
        .then(pl.lit("next take-off seen from another airport"))
        .when(ground_s > p.trip_break.total_seconds())
        .then(pl.lit("stayed longer than the trip break"))
        .otherwise(None),
        _brk=~linked,
    )
    lg = lg.with_columns(_seg=pl.col("_brk").cum_sum().over("icao24"))
    if p.break_at_origin:
        at_origin = (
            pl.col("prev_airport") == pl.col("takeoff_airport").first().over("icao24", "_seg")
        ).fill_null(value=False)
        lg = lg.with_columns(_brk=pl.col("_brk") | at_origin)
    lg = lg.with_columns(
        _trip=pl.col("_brk").cum_sum().over("icao24"),
        stop=pl.struct(
            airport=pl.col("prev_airport"),
            arrival_time=pl.col("prev_time"),
            arrival_confidence=pl.col("prev_confidence"),
            departure_time=pl.col("takeoff_time"),
            departure_confidence=pl.when(pl.col("takeoff_airport").is_not_null())
            .then(pl.col("takeoff_confidence"))
            .otherwise(None),
            departure_is_upper_bound=pl.col("takeoff_airport").is_null(),
            dwell_s=pl.col("ground_s"),
            kind=pl.when(pl.col("ground_s") <= p.stopover_max.total_seconds())
            .then(pl.lit("stopover"))
            .otherwise(pl.lit("stay"))
            .cast(STOP_KINDS),
        ),
    )
    inner = ~pl.col("_brk")
    is_stay = inner & (pl.col("ground_s") > p.stopover_max.total_seconds())
    trips = lg.group_by("icao24", "_trip").agg(
        trip_id=pl.format("trip-{}", pl.col("flight_id").first()),
        callsigns=pl.col("callsign").drop_nulls().unique(maintain_order=True),
        flight_ids=pl.col("flight_id"),
        n_legs=pl.len(),
        route=pl.col("takeoff_airport")
        .first()
        .fill_null("?")
        .append(pl.col("landing_airport").fill_null("?"))
        .str.join(" → "),
        origin=pl.col("takeoff_airport").first(),
        departure_time=pl.col("takeoff_time").first(),
        departure_confidence=pl.col("takeoff_confidence").first(),
        final_airport=pl.col("landing_airport").last(),
        arrival_time=pl.col("landing_time").last(),
        arrival_confidence=pl.col("landing_confidence").last(),
        _main=_longest("prev_airport", is_stay),
        _main_arr=_longest("prev_time", is_stay),
        _main_dep=_longest("takeoff_time", is_stay),
        _long=_longest("prev_airport", inner),
        _long_arr=_longest("prev_time", inner),
        _long_dep=_longest("takeoff_time", inner),
        stops=pl.col("stop").filter(inner),
        _known=pl.col("takeoff_airport").is_not_null().any()
        | pl.col("landing_airport").is_not_null().any(),
        _start=pl.col("start").first(),
    )
    trips = trips.sort("icao24", "_trip").with_columns(
        _next_origin=pl.col("origin").shift(-1).over("icao24"),
        _next_dep=pl.col("departure_time").shift(-1).over("icao24"),
        _next_why=pl.col("_trip").shift(-1).over("icao24"),
    )
    # Why each trip ended: the break reason of the next trip's first leg.
    first_why = lg.filter(pl.col("_brk")).select("icao24", "_trip", "why_break")
    trips = trips.join(
        first_why.rename({"_trip": "_next_why", "why_break": "_why"}),
        on=["icao24", "_next_why"],
        how="left",
    )
    round_trip = (pl.col("final_airport") == pl.col("origin")).fill_null(value=False)
    final_is_dest = pl.col("_main").is_null() & pl.col("final_airport").is_not_null() & ~round_trip
    stays_at_final = final_is_dest & (pl.col("_next_origin") == pl.col("final_airport")).fill_null(
        value=False
    )
    trips = trips.with_columns(
        round_trip=round_trip,
        destination=pl.when(pl.col("_main").is_not_null())
        .then(pl.col("_main"))
        .when(final_is_dest)
        .then(pl.col("final_airport"))
        .otherwise(pl.col("_long")),
        destination_arrival=pl.when(pl.col("_main").is_not_null())
        .then(pl.col("_main_arr"))
        .when(final_is_dest)
        .then(pl.col("arrival_time"))
        .otherwise(pl.col("_long_arr")),
        destination_departure=pl.when(pl.col("_main").is_not_null())
        .then(pl.col("_main_dep"))
        .when(stays_at_final)
        .then(pl.col("_next_dep"))
        .when(final_is_dest)
        .then(None)
        .otherwise(pl.col("_long_dep")),
        ends_because=pl.when(pl.col("final_airport").is_null())
        .then(pl.lit("left coverage airborne"))
        .when(round_trip)
        .then(pl.lit("back at its origin"))
        .when(pl.col("_why").is_not_null())
        .then(pl.col("_why"))
        .otherwise(pl.lit("end of data")),
    )
    trips = trips.with_columns(
        destination_dwell_s=_seconds(
            pl.col("destination_departure") - pl.col("destination_arrival")
        ),
    )
    out = (
        trips.filter(pl.col("_known"))
        .sort("icao24", "_start")
        .select([pl.col(c).cast(t) for c, t in TRIPS.items()])
    )
    return out.collect()


__all__ = ["TripParams", "build_trips", "legs"]
