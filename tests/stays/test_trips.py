"""Trips from hand-built events, with the seed's numbers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import polars as pl

from tailwatch._schema import TRIPS
from tailwatch.stays.trips import TripParams, build_trips

MakeEvents = Callable[..., pl.DataFrame]
At = Callable[..., datetime]


def test_seed_trip(seed_events: pl.DataFrame, at: At) -> None:
    trips = build_trips(seed_events)
    assert trips.schema == TRIPS
    assert trips.height == 1
    trip = trips.row(0, named=True)
    assert trip["route"] == "HLLB → LCLK → LLBG → HLLB"
    assert trip["n_legs"] == 3
    assert trip["origin"] == "HLLB"
    assert trip["departure_time"] == at("07:05")
    assert trip["final_airport"] == "HLLB"
    assert trip["round_trip"] is True
    assert trip["ends_because"] == "back at its origin"
    lclk, llbg = trip["stops"]
    assert (lclk["airport"], lclk["dwell_s"], lclk["kind"]) == ("LCLK", 40 * 60, "stopover")
    assert (llbg["airport"], llbg["dwell_s"], llbg["kind"]) == ("LLBG", 123 * 60, "stay")
    assert trip["destination"] == "LLBG"
    assert trip["destination_arrival"] == at("09:14")
    assert trip["destination_departure"] == at("11:17")
    assert trip["destination_dwell_s"] == 123 * 60


def test_stopover_threshold_is_a_parameter(seed_events: pl.DataFrame) -> None:
    trip = build_trips(seed_events, TripParams(stopover_max=timedelta(minutes=30))).row(
        0, named=True
    )
    assert [s["kind"] for s in trip["stops"]] == ["stay", "stay"]
    assert trip["destination"] == "LLBG"  # still the longest stay


def test_overnight_splits_outbound_and_return(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("07:05"), "HLLB", "observed"),
            ("F1", "landing", at("08:10"), "LCLK", "observed"),
            ("F2", "takeoff", at("08:50"), "LCLK", "observed"),
            ("F2", "landing", at("09:14"), "LLBG", "observed"),
            ("F3", "takeoff", at("10:00", day=2), "LLBG", "observed"),  # next day
            ("F3", "landing", at("11:20", day=2), "HLLB", "observed"),
        ]
    )
    out, back = build_trips(ev).iter_rows(named=True)
    assert out["route"] == "HLLB → LCLK → LLBG"
    assert out["destination"] == "LLBG"  # only stop-overs: the final airport
    assert out["destination_departure"] == at("10:00", day=2)
    assert out["ends_because"] == "stayed longer than the trip break"
    assert back["route"] == "LLBG → HLLB"
    assert back["ends_because"] == "end of data"
    # a multi-day trip stays one trip when the break is raised
    one = build_trips(ev, TripParams(trip_break=timedelta(days=3)))
    assert one["route"].to_list() == ["HLLB → LCLK → LLBG → HLLB"]


def test_upper_bound_stop(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("07:05"), "HLLB", "observed"),
            ("F1", "landing", at("08:10"), "LCLK", "observed"),
            ("F2", "takeoff", at("08:55"), None, "none"),  # next seen airborne
            ("F2", "landing", at("09:14"), "LLBG", "observed"),
        ]
    )
    trip = build_trips(ev).row(0, named=True)
    assert trip["route"] == "HLLB → LCLK → LLBG"
    (stop,) = trip["stops"]
    assert stop["departure_is_upper_bound"] is True
    assert stop["dwell_s"] == 45 * 60


def test_lost_at_altitude_ends_the_trip(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("07:05"), "HLLB", "observed"),
            ("F1", "landing", at("07:40"), None, "none"),
            ("F2", "takeoff", at("08:55"), None, "none"),
            ("F2", "landing", at("09:14"), "LLBG", "observed"),
        ]
    )
    first, second = build_trips(ev).iter_rows(named=True)
    assert first["route"] == "HLLB → ?"
    assert first["ends_because"] == "left coverage airborne"
    assert first["destination"] is None
    assert second["route"] == "? → LLBG"
    assert second["destination"] == "LLBG"


def test_overflight_makes_no_trip(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("07:05"), None, "none"),
            ("F1", "landing", at("07:40"), None, "none"),
        ]
    )
    assert build_trips(ev).height == 0


def test_shuttle_breaks_at_origin(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("07:00"), "LCLK", "observed"),
            ("F1", "landing", at("07:40"), "LLBG", "observed"),
            ("F2", "takeoff", at("08:00"), "LLBG", "observed"),
            ("F2", "landing", at("08:40"), "LCLK", "observed"),
            ("F3", "takeoff", at("09:00"), "LCLK", "observed"),
            ("F3", "landing", at("09:40"), "LLBG", "observed"),
        ]
    )
    trips = build_trips(ev)
    assert trips["route"].to_list() == ["LCLK → LLBG → LCLK", "LCLK → LLBG"]
    assert trips["destination"].to_list() == ["LLBG", "LLBG"]
