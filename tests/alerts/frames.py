"""Hand-built VISITS / EVENTS rows for the alert tests (answers worked out by hand)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from tailwatch._schema import EVENTS, VISITS

T0 = datetime(2025, 3, 11, 9, 14, tzinfo=UTC)

WATCH = [
    {
        "source": "plane-alert-db",
        "label": "Government of Libya",
        "category": "Dictator Alert",
        "tags": ["Government", "VIP"],
    }
]


def visit(**changes: Any) -> dict[str, Any]:
    """One open visit of 5A-DCN at LLBG, landed (observed) at T0."""
    row: dict[str, Any] = dict.fromkeys(VISITS.names())
    row.update(
        stay_id="stay-llbg",
        icao24="018019",
        airport="LLBG",
        arrival_time=T0,
        arrival_is_lower_bound=False,
        arrival_confidence="observed",
        arrival_runway="30",
        arrival_event_id="ev-landing",
        departure_is_upper_bound=False,
        open=True,
        data_start=T0 - timedelta(hours=3),
        data_end=T0 + timedelta(minutes=5),
        dwell_s=300.0,
        dwell_bound="at_least",
        registration="5A-DCN",
        typecode="F900",
        aircraft_description="Dassault Falcon 900EX",
        airport_name="Ben Gurion International Airport",
        airport_city="Tel Aviv",
        airport_country="IL",
        watch=WATCH,
        sentence=(
            "5A-DCN, a Dassault Falcon 900EX of the Government of Libya (plane-alert-db: "
            "Dictator Alert), landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC on "
            "11 Mar 2025, and was still there at the end of the data (09:19 UTC on 11 Mar 2025)."
        ),
    )
    row.update(changes)
    return row


def left(row: dict[str, Any], after: timedelta) -> dict[str, Any]:
    """The same visit, closed by an observed take-off ``after`` the landing."""
    return row | {
        "open": False,
        "departure_time": row["arrival_time"] + after,
        "departure_confidence": "observed",
        "departure_event_id": "ev-takeoff",
        "dwell_s": after.total_seconds(),
        "dwell_bound": "exact",
        "sentence": row["sentence"].split(", and was still")[0]
        + f", and left {int(after.total_seconds() // 60)} min later.",
    }


def visits(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=VISITS)


def events(*rows: dict[str, Any]) -> pl.DataFrame:
    full = []
    for r in rows:
        base: dict[str, Any] = dict.fromkeys(EVENTS.names())
        base.update(r)
        full.append(base)
    return pl.DataFrame(full, schema=EVENTS)


LANDING = {
    "event_id": "ev-landing",
    "flight_id": "f1",
    "icao24": "018019",
    "callsign": "LYD01",
    "kind": "landing",
    "time": T0,
    "airport": "LLBG",
    "runway": "30",
    "confidence": "observed",
    "lat": 32.0,
    "lon": 34.87,
    "reason": "on-ground positions on runway 30",
}
