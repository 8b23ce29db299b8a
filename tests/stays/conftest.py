"""Hand-built EVENTS frames whose stays and trips can be worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl
import pytest

from tailwatch._schema import EVENTS

if TYPE_CHECKING:
    from collections.abc import Callable

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def at(hhmm: str, day: int = 1) -> datetime:
    """``at("09:14")`` -> 2024-05-01 09:14 UTC; ``day=3`` -> 2024-05-03."""
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2024, 5, day, h, m, tzinfo=UTC)


Row = tuple[str, str, datetime, str | None, str]  # flight_id, kind, time, airport, confidence


def events_frame(rows: list[Row], icao24: str = "018019", callsign: str = "DCN01") -> pl.DataFrame:
    """An EVENTS frame from (flight_id, kind, time, airport, confidence) tuples."""
    records: list[dict[str, Any]] = [
        {
            "event_id": f"{icao24}-{i}",
            "flight_id": f"{icao24}-{fid}",
            "icao24": icao24,
            "callsign": callsign,
            "kind": kind,
            "time": t,
            "time_earliest": t,
            "time_latest": t,
            "airport": airport,
            "runway": "12" if airport else None,
            "confidence": conf,
        }
        for i, (fid, kind, t, airport, conf) in enumerate(rows)
    ]
    return pl.DataFrame(records, schema=EVENTS)


@pytest.fixture
def make_events() -> Callable[..., pl.DataFrame]:
    return events_frame


SEED: list[Row] = [
    ("F1", "takeoff", at("07:05"), "HLLB", "observed"),
    ("F1", "landing", at("08:10"), "LCLK", "observed"),
    ("F2", "takeoff", at("08:50"), "LCLK", "observed"),  # 40-minute stop
    ("F2", "landing", at("09:14"), "LLBG", "observed"),
    ("F3", "takeoff", at("11:17"), "LLBG", "observed"),  # 2 h 03 min on the ground
    ("F3", "landing", at("12:40"), "HLLB", "observed"),
]


@pytest.fixture
def seed_events() -> pl.DataFrame:
    return events_frame(SEED)


@pytest.fixture(name="at")
def at_fixture() -> Callable[..., datetime]:
    return at
