"""Ground stays: a landing at an airport to the next take-off from it.

Built from the take-off / landing events of the detector (EVENTS schema), per
aircraft, in one vectorised pass: each event is compared with the aircraft's previous
and next event (``shift().over("icao24")``).

* landing at A (observed/inferred), next event a take-off from A -> a stay, both ends seen;
* landing at A, next event anything else (a take-off with confidence ``none``, i.e. the
  aircraft entered coverage airborne, or a take-off from another airport B) -> the
  departure from A was not seen: ``departure_time`` is the first time the aircraft was
  seen again airborne, an *upper bound*, and ``departure_is_upper_bound`` says so;
* landing at A with no later event -> the stay is *open*: still there at the end of the
  data (``data_end``);
* take-off from A with no landing at A just before it -> the arrival was not seen:
  ``arrival_time`` is a *lower bound* (the previous sighting, or the start of the data);
* landing with confidence ``none`` (left coverage airborne) -> no airport, no stay.

An aircraft parked for days with its transponder off is one stay: nothing happens
between its landing and its next take-off. Touch-and-goes are not stays.
"""

from __future__ import annotations

from datetime import datetime

import polars as pl

from tailwatch._schema import EVENTS, STAYS
from tailwatch.flights._time import seconds

_KNOWN = pl.col("confidence").is_in(["observed", "inferred"])


def _bound(events: pl.DataFrame, col: str, fallback: str, agg: str) -> datetime | None:
    if events.height == 0:
        return None
    expr = pl.coalesce(col, fallback)
    value = events.select(expr.min() if agg == "min" else expr.max()).item()
    return value if isinstance(value, datetime) else None


def _hhmm(col: str) -> pl.Expr:
    return pl.col(col).dt.strftime("%Y-%m-%d %H:%M UTC")


def build_stays(
    events: pl.DataFrame,
    *,
    data_start: datetime | None = None,
    data_end: datetime | None = None,
) -> pl.DataFrame:
    """Stays (STAYS schema) from take-off / landing events (EVENTS schema).

    ``data_start`` / ``data_end`` are the span the data covers (the first and last
    position of the whole recording, not of one aircraft: an aircraft with its
    transponder off is still "covered"); by default the span of the events.
    """
    missing = [c for c in EVENTS if c not in events.columns]
    if missing:
        msg = f"events frame lacks columns {missing}"
        raise ValueError(msg)
    start = data_start or _bound(events, "time_earliest", "time", "min")
    end = data_end or _bound(events, "time_latest", "time", "max")
    ev = (
        events.lazy()
        .filter(pl.col("kind").is_in(["takeoff", "landing"]))
        .unique("event_id", keep="first")
        .sort("icao24", "time", "event_id")
    )
    cols = ("kind", "time", "airport", "confidence", "runway", "callsign", "event_id", "flight_id")
    ev = ev.with_columns(
        *(pl.col(c).shift(-1).over("icao24").alias(f"next_{c}") for c in cols),
        *(pl.col(c).shift(1).over("icao24").alias(f"prev_{c}") for c in cols),
        pl.lit(start, dtype=STAYS["data_start"]).alias("data_start"),
        pl.lit(end, dtype=STAYS["data_end"]).alias("data_end"),
    )
    null_conf = pl.lit(None, dtype=STAYS["arrival_confidence"])
    null_str = pl.lit(None, dtype=pl.String)

    # Stays that begin with a landing.
    closed = (
        (pl.col("next_kind") == "takeoff")
        & (pl.col("next_airport") == pl.col("airport"))
        & pl.col("next_confidence").is_in(["observed", "inferred"])
    ).fill_null(value=False)
    is_open = pl.col("next_kind").is_null()
    upper = ~closed & ~is_open
    from_landing = ev.filter(
        (pl.col("kind") == "landing") & _KNOWN & pl.col("airport").is_not_null()
    )
    from_landing = from_landing.select(
        pl.col("icao24"),
        pl.col("airport"),
        arrival_time=pl.col("time"),
        arrival_is_lower_bound=pl.lit(value=False),
        arrival_confidence=pl.col("confidence"),
        arrival_runway=pl.col("runway"),
        arrival_callsign=pl.col("callsign"),
        arrival_event_id=pl.col("event_id"),
        arrival_flight_id=pl.col("flight_id"),
        departure_time=pl.col("next_time"),
        departure_is_upper_bound=upper,
        departure_confidence=pl.when(closed).then(pl.col("next_confidence")).otherwise(null_conf),
        departure_airport=pl.col("next_airport"),
        departure_runway=pl.when(closed).then(pl.col("next_runway")).otherwise(null_str),
        departure_callsign=pl.col("next_callsign"),
        departure_event_id=pl.col("next_event_id"),
        departure_flight_id=pl.col("next_flight_id"),
        open=is_open,
        data_start=pl.col("data_start"),
        data_end=pl.col("data_end"),
        reason=pl.when(closed)
        .then(pl.lit("landing and take-off both in the data"))
        .when(is_open)
        .then(pl.lit("no take-off before the end of the data: still there"))
        .when(pl.col("next_kind") == "takeoff")
        .then(
            pl.format(
                "take-off not seen: next seen airborne at {}{}",
                _hhmm("next_time"),
                pl.when(pl.col("next_airport").is_not_null())
                .then(pl.format(", taking off from {}", pl.col("next_airport")))
                .otherwise(pl.lit(" (entered coverage airborne)")),
            )
        )
        .otherwise(pl.format("take-off not seen: next event a landing at {}", _hhmm("next_time"))),
    )

    # Stays that end with a take-off whose landing was not seen.
    seen_landing = (
        (pl.col("prev_kind") == "landing")
        & (pl.col("prev_airport") == pl.col("airport"))
        & pl.col("prev_confidence").is_in(["observed", "inferred"])
    ).fill_null(value=False)
    from_takeoff = ev.filter(
        (pl.col("kind") == "takeoff") & _KNOWN & pl.col("airport").is_not_null() & ~seen_landing
    )
    from_takeoff = from_takeoff.select(
        pl.col("icao24"),
        pl.col("airport"),
        arrival_time=pl.coalesce("prev_time", "data_start"),
        arrival_is_lower_bound=pl.lit(value=True),
        arrival_confidence=null_conf,
        arrival_runway=null_str,
        arrival_callsign=pl.col("prev_callsign"),
        arrival_event_id=pl.col("prev_event_id"),
        arrival_flight_id=pl.col("prev_flight_id"),
        departure_time=pl.col("time"),
        departure_is_upper_bound=pl.lit(value=False),
        departure_confidence=pl.col("confidence"),
        departure_airport=pl.col("airport"),
        departure_runway=pl.col("runway"),
        departure_callsign=pl.col("callsign"),
        departure_event_id=pl.col("event_id"),
        departure_flight_id=pl.col("flight_id"),
        open=pl.lit(value=False),
        data_start=pl.col("data_start"),
        data_end=pl.col("data_end"),
        reason=pl.when(pl.col("prev_kind").is_null())
        .then(pl.lit("landing not in the data: already there when the data starts"))
        .otherwise(pl.format("landing not seen: previous sighting at {}", _hhmm("prev_time"))),
    )

    stays = pl.concat([from_landing, from_takeoff], how="vertical_relaxed")
    lower = pl.col("arrival_is_lower_bound")
    upper_b = pl.col("departure_is_upper_bound")
    stays = stays.with_columns(
        stay_id=pl.format(
            "stay-{}",
            pl.when(lower).then(pl.col("departure_event_id")).otherwise(pl.col("arrival_event_id")),
        ),
        # An open stay lasts at least until the data ends, and never less than nothing: a
        # landing timed from the last position (touchdown estimated a few seconds after
        # it) can fall after the data's last row.
        dwell_s=seconds(pl.coalesce("departure_time", "data_end"), pl.col("arrival_time")).clip(
            0.0, None
        ),
        dwell_bound=pl.when(lower & upper_b)
        .then(pl.lit("unknown"))
        .when(lower | pl.col("open"))
        .then(pl.lit("at_least"))
        .when(upper_b)
        .then(pl.lit("at_most"))
        .otherwise(pl.lit("exact")),
    )
    out = stays.select([pl.col(c).cast(t) for c, t in STAYS.items()]).sort(
        "icao24", "arrival_time", "airport"
    )
    return out.collect()


__all__ = ["build_stays"]
