"""The seed story as data: who flies where, when, and what the receivers hear.

Everything here is SIMULATED and labelled so wherever it is shown. The aircraft's
identity is the real one from plane-alert-db (5A-DCN, hex 018019, a Dassault Falcon
900EX of the Government of Libya), but the flights are invented to match the seed
sentence: HLLB → LCLK (40-minute stop) → LLBG (2 h 03 min on the ground) → HLLB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

#: Marks every simulated row's ``source_file``.
SOURCE = "SIMULATED:tailwatch-demo"


@dataclass(frozen=True)
class Receiver:
    """A virtual ground station; it hears an aircraft within its radio horizon."""

    name: str
    lat: float
    lon: float
    antenna_m: float
    max_range_km: float = 350.0


@dataclass(frozen=True)
class Fix:
    """Where a background flight enters or leaves the scene, airborne."""

    lat: float
    lon: float
    altitude_ft: float


@dataclass(frozen=True)
class Flight:
    """One flight of the scenario: from an airport (or a fix) to an airport (or a fix)."""

    icao24: str
    callsign: str
    origin: str | Fix
    destination: str | Fix
    cruise_ft: float
    cruise_kt: float
    #: when the transponder comes on (on the stand, or entering the scene at the fix)
    start: datetime


@dataclass(frozen=True)
class Scenario:
    """The demo: the watched aircraft's itinerary and the background traffic."""

    icao24: str
    registration: str
    callsign: str
    typecode: str
    description: str
    #: airports in order; the aircraft starts parked at the first one
    route: tuple[str, ...]
    #: ground time (touchdown to lift-off) at each intermediate airport
    ground_times: tuple[timedelta, ...]
    #: touchdown at ``route[anchor_index]`` happens exactly at ``anchor_time``
    anchor_index: int
    anchor_time: datetime
    cruise_ft: tuple[float, ...]
    cruise_kt: float
    #: wind direction (from, degrees true) per airport: picks the runway in use
    wind_from_deg: dict[str, float]
    receivers: tuple[Receiver, ...]
    background: tuple[Flight, ...]
    seed: int = 20250311
    #: seconds between positions: uniform in this range (receivers' update rate + losses)
    sample_gap_s: tuple[float, float] = (0.8, 4.0)
    #: share of positions lost at random inside coverage
    loss: float = 0.03
    #: positions heard after the aircraft parks, before its transponder goes off
    parked_on: timedelta = timedelta(minutes=3)
    #: the transponder comes on this long before the aircraft starts to taxi
    warm_up: timedelta = timedelta(minutes=4)
    extras: dict[str, str] = field(default_factory=dict)


def _t(hhmm: str) -> datetime:
    h, m = (int(x) for x in hhmm.split(":"))
    return datetime(2025, 3, 11, h, m, tzinfo=UTC)


SEED = Scenario(
    icao24="018019",
    registration="5A-DCN",
    callsign="LYD01",
    typecode="F900",
    description="Dassault Falcon 900EX",
    route=("HLLB", "LCLK", "LLBG", "HLLB"),
    ground_times=(timedelta(minutes=40), timedelta(hours=2, minutes=3)),
    anchor_index=2,
    anchor_time=_t("09:14"),
    cruise_ft=(41000.0, 24000.0, 39000.0),
    cruise_kt=450.0,
    wind_from_deg={"HLLB": 320.0, "LCLK": 230.0, "LLBG": 290.0},
    receivers=(
        Receiver("Benghazi", 32.12, 20.10, 60.0),
        Receiver("Larnaca", 34.92, 33.58, 40.0),
        Receiver("Troodos", 34.93, 32.86, 1900.0),
        Receiver("Tel Aviv", 32.08, 34.80, 50.0),
    ),
    background=(
        # airliners in and out of Ben Gurion and Larnaca
        Flight("738a11", "ELY381", "LLBG", Fix(33.6, 31.9, 36000.0), 36000.0, 460.0, _t("07:20")),
        Flight("738b22", "ISR604", Fix(34.2, 31.6, 34000.0), "LLBG", 34000.0, 450.0, _t("08:52")),
        Flight("4c8011", "CYP402", "LCLK", Fix(36.2, 30.8, 35000.0), 35000.0, 450.0, _t("07:50")),
        Flight("4ca7c1", "RYR2LK", Fix(37.2, 32.4, 37000.0), "LCLK", 37000.0, 440.0, _t("08:05")),
        Flight("4b1a3e", "SWR254", Fix(35.9, 31.1, 38000.0), "LLBG", 38000.0, 470.0, _t("10:40")),
        # an overflight at FL370 across Cyprus: it must get no airport
        Flight(
            "896321",
            "UAE97",
            Fix(34.0, 28.5, 37000.0),
            Fix(36.0, 38.5, 37000.0),
            37000.0,
            470.0,
            _t("08:20"),
        ),
    ),
)

#: The demo watchlist entry, built in code (never confused with plane-alert-db).
DEMO_WATCH = {
    "icao24": SEED.icao24,
    "registration": SEED.registration,
    "label": "Government of Libya",
    "category": "Dictator Alert",
    "tags": ["Government", "Libya", "VIP"],
    "source": "SIMULATED demo entry",
}

__all__ = ["DEMO_WATCH", "SEED", "SOURCE", "Fix", "Flight", "Receiver", "Scenario"]
