"""Every table's schema, declared once.

Each producer of a table (every reader, the detector, the live feeds) emits exactly
the schema declared here; ``tests/test_schema.py`` checks them all. Units are part of
the column names so nobody has to guess: feet, knots, feet per minute, degrees.

Positions (one row = one position report of one aircraft)::

    time            Datetime[us, UTC]   when the position was valid
    icao24          String              6 lowercase hex digits, e.g. "018019"
    callsign        String | null       flight identification, stripped; null if unknown
    lat, lon        Float64             WGS84 degrees, lat in [-90, 90], lon in [-180, 180]
    alt_baro_ft     Float32 | null      barometric (pressure) altitude, feet
    alt_geom_ft     Float32 | null      geometric (GNSS) altitude, feet
    gs_kt           Float32 | null      ground speed, knots
    track_deg       Float32 | null      true track over ground, degrees [0, 360)
    vrate_fpm       Float32 | null      vertical rate, feet per minute
    on_ground       Boolean | null      transponder-reported ground state; null = unknown
    squawk          String | null       4 octal digits, e.g. "7000"
    source_format   Enum                which reader produced the row
    source_file     String              the file (or feed) the row came from
"""

from __future__ import annotations

import polars as pl

#: Formats a row can come from. Batch readers first, live feeds after.
SOURCE_FORMATS: tuple[str, ...] = (
    "opensky",
    "traffic",
    "readsb_trace",
    "aircraft_json",
    "beast",
    "sbs",
    "frames",
    "simulated",
)
SourceFormat = pl.Enum(list(SOURCE_FORMATS))

TIME = pl.Datetime("us", "UTC")

POSITIONS = pl.Schema(
    {
        "time": TIME,
        "icao24": pl.String(),
        "callsign": pl.String(),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "alt_baro_ft": pl.Float32(),
        "alt_geom_ft": pl.Float32(),
        "gs_kt": pl.Float32(),
        "track_deg": pl.Float32(),
        "vrate_fpm": pl.Float32(),
        "on_ground": pl.Boolean(),
        "squawk": pl.String(),
        "source_format": SourceFormat,
        "source_file": pl.String(),
    }
)

#: Positions the detector did not use as evidence, with why (``no_position``,
#: ``invalid_position``, ``impossible_jump``, ``altitude_glitch``).
REJECTED = pl.Schema({**POSITIONS, "reason": pl.String()})

#: Rows a reader refused: kept aside with where they came from and why.
#: ``row`` is the 0-based record index in the file (or byte offset for binary
#: streams, stated in ``detail``); ``raw`` is the offending record, truncated.
QUARANTINE = pl.Schema(
    {
        "source_file": pl.String(),
        "source_format": pl.String(),
        "row": pl.Int64(),
        "reason": pl.String(),
        "detail": pl.String(),
        "raw": pl.String(),
    }
)

#: Airports (from airportsdata, enriched from OurAirports where it knows more).
AIRPORTS = pl.Schema(
    {
        "icao": pl.String(),
        "iata": pl.String(),
        "name": pl.String(),
        "city": pl.String(),
        "country": pl.String(),  # ISO 3166-1 alpha-2
        "elevation_ft": pl.Float32(),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "tz": pl.String(),
        "type": pl.String(),  # OurAirports type (large_airport, heliport, ...) or null
    }
)

#: One row per runway *end* (a runway 09/27 gives two rows: 09 and 27), so that
#: alignment is a simple comparison of the aircraft track with ``heading_deg``.
RUNWAYS = pl.Schema(
    {
        "airport": pl.String(),  # ICAO ident of the airport
        "ident": pl.String(),  # runway end designator, e.g. "27R"
        "lat": pl.Float64(),  # threshold position
        "lon": pl.Float64(),
        "elevation_ft": pl.Float32(),
        "heading_deg": pl.Float32(),  # true heading when landing on this end
        "length_ft": pl.Float32(),
        "width_ft": pl.Float32(),
        "surface": pl.String(),
        "closed": pl.Boolean(),
    }
)

#: Confidence of a take-off or landing claim (see README, "Confidence classes").
CONFIDENCE = pl.Enum(["observed", "inferred", "none"])

#: Kinds of flight-end events.
EVENT_KINDS = pl.Enum(["takeoff", "landing", "touch_and_go"])

#: The raw positions that decided an event, so a reader can check it by hand.
EVIDENCE = pl.List(
    pl.Struct(
        {
            "time": TIME,
            "lat": pl.Float64(),
            "lon": pl.Float64(),
            "alt_ft": pl.Float32(),
            "gs_kt": pl.Float32(),
            "track_deg": pl.Float32(),
            "on_ground": pl.Boolean(),
        }
    )
)

#: Airports considered for an event, nearest first.
CANDIDATES = pl.List(
    pl.Struct(
        {
            "airport": pl.String(),
            "distance_km": pl.Float32(),
            "bearing_deg": pl.Float32(),  # from the aircraft to the airport
        }
    )
)

#: One row per take-off / landing / touch-and-go. ``confidence`` "none" means the
#: aircraft entered (takeoff) or left (landing) coverage airborne: ``airport`` is
#: null and ``candidates`` lists what lay ahead. ``time_earliest``/``time_latest``
#: bound an event that happened inside a signal gap.
EVENTS = pl.Schema(
    {
        "event_id": pl.String(),
        "flight_id": pl.String(),
        "icao24": pl.String(),
        "callsign": pl.String(),
        "kind": EVENT_KINDS,
        "time": TIME,
        "time_earliest": TIME,
        "time_latest": TIME,
        "airport": pl.String(),
        "runway": pl.String(),
        "confidence": CONFIDENCE,
        "runner_up": pl.String(),
        "runner_up_margin_km": pl.Float32(),
        "lat": pl.Float64(),
        "lon": pl.Float64(),
        "alt_ft": pl.Float32(),
        "distance_km": pl.Float32(),
        "candidates": CANDIDATES,
        "evidence": EVIDENCE,
        "reason": pl.String(),  # one line: why this confidence, in words
    }
)

#: One row per flight: a take-off (or entry into coverage) to a landing (or exit).
FLIGHTS = pl.Schema(
    {
        "flight_id": pl.String(),
        "icao24": pl.String(),
        "callsign": pl.String(),
        "first_seen": TIME,
        "last_seen": TIME,
        "n_positions": pl.Int64(),
        "takeoff_airport": pl.String(),
        "takeoff_time": TIME,
        "takeoff_confidence": CONFIDENCE,
        "takeoff_runway": pl.String(),
        "takeoff_runner_up": pl.String(),
        "takeoff_runner_up_margin_km": pl.Float32(),
        "takeoff_reason": pl.String(),
        "takeoff_evidence": EVIDENCE,
        "landing_airport": pl.String(),
        "landing_time": TIME,
        "landing_confidence": CONFIDENCE,
        "landing_runway": pl.String(),
        "landing_runner_up": pl.String(),
        "landing_runner_up_margin_km": pl.Float32(),
        "landing_reason": pl.String(),
        "landing_evidence": EVIDENCE,
        "touch_and_gos": pl.List(pl.String()),  # airports of touch-and-goes in flight
    }
)

#: How exact a stay's ``dwell_s`` is: both ends seen ("exact"), the arrival or the
#: departure outside the data ("at_least"), the departure only bounded from above
#: ("at_most"), or both ends unknown ("unknown").
DWELL_BOUND = pl.Enum(["exact", "at_least", "at_most", "unknown"])

#: One row per ground stay: a landing at ``airport`` to the next take-off from it.
#: ``arrival_is_lower_bound``: no landing in the data, ``arrival_time`` is the earliest
#: it can have been (start of data or the previous sighting). ``departure_is_upper_bound``:
#: no take-off seen, ``departure_time`` is the first time the aircraft was seen airborne
#: again. ``open``: still there at ``data_end`` (``departure_time`` null).
STAYS = pl.Schema(
    {
        "stay_id": pl.String(),
        "icao24": pl.String(),
        "airport": pl.String(),
        "arrival_time": TIME,
        "arrival_is_lower_bound": pl.Boolean(),
        "arrival_confidence": CONFIDENCE,
        "arrival_runway": pl.String(),
        "arrival_callsign": pl.String(),
        "arrival_event_id": pl.String(),
        "arrival_flight_id": pl.String(),
        "departure_time": TIME,
        "departure_is_upper_bound": pl.Boolean(),
        "departure_confidence": CONFIDENCE,
        "departure_airport": pl.String(),  # where the next take-off was claimed, or null
        "departure_runway": pl.String(),
        "departure_callsign": pl.String(),
        "departure_event_id": pl.String(),
        "departure_flight_id": pl.String(),
        "open": pl.Boolean(),
        "data_start": TIME,
        "data_end": TIME,
        "dwell_s": pl.Float64(),  # (departure or data_end) - arrival, seconds
        "dwell_bound": DWELL_BOUND,
        "reason": pl.String(),
    }
)

#: Kind of an intermediate stop in a trip (see docs/stays.md: ``TripParams``).
STOP_KINDS = pl.Enum(["stopover", "stay"])

#: A stop inside a trip, in order.
STOPS = pl.List(
    pl.Struct(
        {
            "airport": pl.String(),
            "arrival_time": TIME,
            "arrival_confidence": CONFIDENCE,
            "departure_time": TIME,
            "departure_confidence": CONFIDENCE,
            "departure_is_upper_bound": pl.Boolean(),
            "dwell_s": pl.Float64(),
            "kind": STOP_KINDS,
        }
    )
)

#: One row per trip: consecutive flights chained through short stops.
TRIPS = pl.Schema(
    {
        "trip_id": pl.String(),
        "icao24": pl.String(),
        "callsigns": pl.List(pl.String()),
        "flight_ids": pl.List(pl.String()),
        "n_legs": pl.UInt32(),
        "route": pl.String(),  # "HLLB → LCLK → LLBG → HLLB", "?" where unknown
        "origin": pl.String(),
        "departure_time": TIME,
        "departure_confidence": CONFIDENCE,
        "final_airport": pl.String(),
        "arrival_time": TIME,
        "arrival_confidence": CONFIDENCE,
        "destination": pl.String(),  # the main stop: see TripParams
        "destination_arrival": TIME,
        "destination_departure": TIME,
        "destination_dwell_s": pl.Float64(),
        "round_trip": pl.Boolean(),
        "stops": STOPS,
        "ends_because": pl.String(),
    }
)

#: A watchlist entry attached to a visit (valid on the visit's arrival date).
WATCH_ENTRIES = pl.List(
    pl.Struct(
        {
            "source": pl.String(),
            "label": pl.String(),  # operator / owner, e.g. "Government of Libya"
            "category": pl.String(),  # e.g. "Dictator Alert"
            "tags": pl.List(pl.String()),
        }
    )
)

#: One row per visit: a (watched) aircraft's stay, with who and where in words.
VISITS = pl.Schema(
    {
        **STAYS,
        "registration": pl.String(),
        "typecode": pl.String(),
        "aircraft_description": pl.String(),
        "registration_country": pl.String(),  # ISO alpha-2 of the ICAO 24-bit block
        "airport_name": pl.String(),
        "airport_city": pl.String(),
        "airport_country": pl.String(),
        "watch": WATCH_ENTRIES,
        "previous_airport": pl.String(),  # the stay the arrival flight came from
        "previous_dwell_s": pl.Float64(),  # its ground time, when exact
        "next_airport": pl.String(),  # where the departure flight landed
        "sentence": pl.String(),
    }
)

__all__ = [
    "AIRPORTS",
    "CANDIDATES",
    "CONFIDENCE",
    "DWELL_BOUND",
    "EVENTS",
    "EVENT_KINDS",
    "EVIDENCE",
    "FLIGHTS",
    "POSITIONS",
    "QUARANTINE",
    "REJECTED",
    "RUNWAYS",
    "SOURCE_FORMATS",
    "STAYS",
    "STOPS",
    "STOP_KINDS",
    "TIME",
    "TRIPS",
    "VISITS",
    "WATCH_ENTRIES",
    "SourceFormat",
]
