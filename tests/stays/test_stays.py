"""Stays from hand-built events: every answer here was worked out by hand."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import polars as pl

from tailwatch._schema import EVENTS, STAYS
from tailwatch.stays.stays import build_stays

MakeEvents = Callable[..., pl.DataFrame]
At = Callable[..., datetime]


def test_seed_stays(seed_events: pl.DataFrame, at: At) -> None:
    stays = build_stays(seed_events)
    assert stays.schema == STAYS
    # HLLB (already there at 07:05, the start of data), LCLK, LLBG, HLLB (open).
    assert stays["airport"].to_list() == ["HLLB", "LCLK", "LLBG", "HLLB"]
    first, lclk, llbg, back = stays.iter_rows(named=True)
    assert first["arrival_is_lower_bound"] is True
    assert first["arrival_time"] == at("07:05")  # data_start = first event
    assert first["dwell_s"] == 0.0
    assert first["dwell_bound"] == "at_least"
    assert lclk["arrival_time"] == at("08:10")
    assert lclk["departure_time"] == at("08:50")
    assert lclk["dwell_s"] == 40 * 60
    assert lclk["dwell_bound"] == "exact"
    assert lclk["departure_is_upper_bound"] is False
    assert lclk["arrival_event_id"] == "018019-1"
    assert lclk["departure_event_id"] == "018019-2"
    assert llbg["dwell_s"] == 123 * 60
    assert llbg["arrival_confidence"] == "observed"
    assert back["open"] is True
    assert back["departure_time"] is None
    assert back["dwell_bound"] == "at_least"


def test_data_span_given(seed_events: pl.DataFrame, at: At) -> None:
    stays = build_stays(seed_events, data_start=at("06:00"), data_end=at("14:00"))
    first, *_, back = stays.iter_rows(named=True)
    assert first["arrival_time"] == at("06:00")
    assert first["dwell_s"] == 65 * 60
    assert back["dwell_s"] == 80 * 60  # 12:40 -> 14:00, still there


def test_next_seen_airborne_is_upper_bound(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "landing", at("08:10"), "LCLK", "observed"),
            # entered coverage airborne 45 min later: the take-off was not seen
            ("F2", "takeoff", at("08:55"), None, "none"),
            ("F2", "landing", at("09:14"), "LLBG", "observed"),
        ]
    )
    stays = build_stays(ev)
    lclk = stays.filter(pl.col("airport") == "LCLK").row(0, named=True)
    assert lclk["departure_is_upper_bound"] is True
    assert lclk["departure_time"] == at("08:55")
    assert lclk["departure_confidence"] is None
    assert lclk["dwell_s"] == 45 * 60
    assert lclk["dwell_bound"] == "at_most"
    assert "entered coverage airborne" in lclk["reason"]


def test_takeoff_from_other_airport(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "landing", at("08:10"), "LCLK", "observed"),
            ("F2", "takeoff", at("10:00"), "LCPH", "observed"),
        ]
    )
    stays = build_stays(ev)
    assert stays["airport"].to_list() == ["LCLK", "LCPH"]
    lclk, lcph = stays.iter_rows(named=True)
    assert lclk["departure_is_upper_bound"] is True
    assert lclk["departure_time"] == at("10:00")
    assert lclk["departure_airport"] == "LCPH"
    # the arrival at LCPH happened after the landing at LCLK: a lower bound
    assert lcph["arrival_is_lower_bound"] is True
    assert lcph["arrival_time"] == at("08:10")
    assert lcph["dwell_bound"] == "at_least"


def test_transponder_off_for_days_is_one_stay(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "landing", at("20:00", day=1), "LFPB", "observed"),
            ("F2", "takeoff", at("08:00", day=4), "LFPB", "observed"),
        ]
    )
    stays = build_stays(ev)
    assert stays.height == 1
    stay = stays.row(0, named=True)
    assert stay["dwell_s"] == (2 * 24 + 12) * 3600
    assert stay["dwell_bound"] == "exact"


def test_landing_without_airport_makes_no_stay(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("08:00"), None, "none"),
            ("F1", "landing", at("08:30"), None, "none"),  # left coverage at altitude
        ]
    )
    assert build_stays(ev).height == 0


def test_inferred_landing_then_open(make_events: MakeEvents, at: At) -> None:
    ev = make_events([("F1", "landing", at("09:14"), "LLBG", "inferred")])
    stay = build_stays(ev, data_end=at("23:00")).row(0, named=True)
    assert stay["arrival_confidence"] == "inferred"
    assert stay["open"] is True
    assert stay["dwell_s"] == (23 * 60 - (9 * 60 + 14)) * 60
    assert "still there" in stay["reason"]


def test_landing_estimated_after_the_data_ends_is_no_negative_stay(
    make_events: MakeEvents, at: At
) -> None:
    # touchdown estimated seconds after the last position, which ends the data
    ev = make_events([("F1", "landing", at("09:14"), "LSZH", "observed")])
    stay = build_stays(ev, data_end=at("09:13")).row(0, named=True)
    assert stay["open"] is True
    assert stay["dwell_s"] == 0.0


def test_left_coverage_then_takeoff(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "landing", at("08:30"), None, "none"),
            ("F2", "takeoff", at("15:00"), "LLBG", "observed"),
        ]
    )
    stay = build_stays(ev).row(0, named=True)
    assert stay["airport"] == "LLBG"
    assert stay["arrival_is_lower_bound"] is True
    assert stay["arrival_time"] == at("08:30")


def test_touch_and_go_is_not_a_stay(make_events: MakeEvents, at: At) -> None:
    ev = make_events(
        [
            ("F1", "takeoff", at("08:00"), "LFPB", "observed"),
            ("F1", "touch_and_go", at("08:20"), "LFOB", "observed"),
            ("F1", "landing", at("08:45"), "LFPB", "observed"),
        ]
    )
    assert "LFOB" not in build_stays(ev)["airport"].to_list()


def test_aircraft_are_independent(make_events: MakeEvents, at: At) -> None:
    a = make_events([("F1", "landing", at("08:00"), "LLBG", "observed")], icao24="aaaaaa")
    b = make_events([("F1", "takeoff", at("09:00"), "LLBG", "observed")], icao24="bbbbbb")
    stays = build_stays(pl.concat([b, a]))
    assert stays["icao24"].to_list() == ["aaaaaa", "bbbbbb"]
    assert stays["open"].to_list() == [True, False]


def test_empty() -> None:
    assert build_stays(pl.DataFrame(schema=EVENTS)).schema == STAYS
