"""Robustness probe: degrade the real recordings the way other receivers and archives
would, and check that no airport claim appears that the full-quality data does not make.

Degradations (each on its own, on every recording with flights):

* ``noise N m``: Gaussian noise of N metres on each reported position (MLAT, poor
  transponders); a feed's stale repeats stay exact repeats of the noisy value;
* ``floor N ft``: every position below N ft over the nearest field, and every ground
  row, removed (a distant receiver);
* ``baro +-N ft``: pressure altitude shifted by N ft (a deep low / high, no ground stop
  to measure it on: 300 and 800 ft);
* ``state vectors``: re-sampled as OpenSky publishes them (a snapshot every 10 s);
* ``no ground flag``: a source without one (MLAT, some archives);
* ``every N s``: one position per aircraft per N s (coarse archives);
* ``no GNSS alt`` / ``no baro alt``: a source giving only one of the two altitudes.

For each it prints the airport claims kept (same aircraft, kind and airport as on the
full data), how far the kept claims' times moved at most, and the **wrong** ones: a
claim the full data does not make, or makes for another airport (matched to the
nearest full-data event of that aircraft and kind within 15 min). Detection knows the
registry's rotorcraft, as the command line does with a registry installed. Not a
test: a measurement (~20 s).

    python bench/probe_robustness.py
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests' degradation helpers

from tests.data_paths import ADSB, REFERENCE  # noqa: E402
from tests.flights.test_recordings import (  # noqa: E402
    _as_opensky_state_vectors,
    _with_position_noise,
)

from tailwatch.detect import DetectionParams, detect  # noqa: E402
from tailwatch.flights.ground import field_elevation  # noqa: E402
from tailwatch.reference.airports import AirportIndex  # noqa: E402
from tailwatch.reference.registry import Registry, parse_registry  # noqa: E402
from tailwatch.sources import read_positions  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable

RECORDINGS = [
    "paris_2021-10-07_quickstart.json.gz",
    "savan_39b415_2022-03.json.gz",
    "readsb_trace_full_ac671b.json",
    "zurich_airport_onground.json.gz",
    "noisy_landing.json.gz",
    "noisy_takeoff.json.gz",
    "noisy_ground.json.gz",
    "noisy_time_issue.json.gz",
]
CLAIM = ["icao24", "kind", "airport"]


def _floor(feet: float, index: AirportIndex) -> Callable[[pl.DataFrame], pl.DataFrame]:
    def cut(pos: pl.DataFrame) -> pl.DataFrame:
        rows = pos.sort("icao24", "time")
        rows = rows.with_columns(field_elevation(rows, index, 15.0))
        alt = pl.coalesce("alt_baro_ft", "alt_geom_ft")
        over = alt - pl.col("field_elev_ft").fill_null(-1e9)
        keep = pl.col("on_ground").ne(True).fill_null(True) & alt.is_not_null() & (over >= feet)
        return rows.filter(keep).drop("field_elev_ft")

    return cut


def _noise(pos: pl.DataFrame, sigma_m: float) -> pl.DataFrame:
    return _with_position_noise(pos, sigma_m, seed=1)


def _baro(pos: pl.DataFrame, feet: int) -> pl.DataFrame:
    return pos.with_columns(pl.col("alt_baro_ft") + feet)


def _no_flag(pos: pl.DataFrame) -> pl.DataFrame:
    return pos.with_columns(pl.lit(None, pl.Boolean).alias("on_ground"))


def _every(pos: pl.DataFrame, seconds: int) -> pl.DataFrame:
    bucket = pl.struct("icao24", pl.col("time").dt.truncate(f"{seconds}s"))
    return pos.filter(bucket.is_first_distinct())


def _no_columns(pos: pl.DataFrame, names: tuple[str, ...]) -> pl.DataFrame:
    return pos.with_columns(pl.lit(None, pos.schema[c]).alias(c) for c in names)


#: What a track scraped from a flight-tracking page or exported from a plotting tool
#: lacks: it has only time, position and altitudes (and sometimes the ground flag).
_MOTION = ("gs_kt", "track_deg", "vrate_fpm")


def _jitter(pos: pl.DataFrame, seconds: float) -> pl.DataFrame:
    """Each time moved by up to ``seconds`` either way (a receiver with a poor clock,
    feeds merged from several), rows re-sorted by time."""
    rng = np.random.default_rng(2)
    shift = rng.uniform(-seconds, seconds, pos.height) * 1e6
    moved = pos["time"] + pl.Series(shift.round()).cast(pl.Int64).cast(pl.Duration("us"))
    return pos.with_columns(moved).sort("time", maintain_order=True)


def _dropouts(pos: pl.DataFrame, share: float) -> pl.DataFrame:
    """``share`` of the rows lost at random (a busy or distant receiver)."""
    rng = np.random.default_rng(3)
    return pos.filter(pl.Series(rng.random(pos.height) >= share))


def _claims(events: pl.DataFrame) -> pl.DataFrame:
    return events.filter(pl.col("airport").is_not_null()).select(*CLAIM, "time")


def main() -> int:
    index = AirportIndex.default()
    # what the command line detects with when a registry is installed: the rotorcraft
    params = DetectionParams(
        rotorcraft=Registry(parse_registry(REFERENCE / "tar1090-db")).rotorcraft()
    )
    variants: dict[str, Callable[[pl.DataFrame], pl.DataFrame]] = {
        **{f"noise {m} m": partial(_noise, sigma_m=m) for m in (50.0, 150.0)},
        **{f"floor {f} ft": _floor(f, index) for f in (500, 1500)},
        **{f"baro {d:+d} ft": partial(_baro, feet=d) for d in (-800, -300, 300, 800)},
        "state vectors": _as_opensky_state_vectors,
        "no ground flag": _no_flag,
        **{f"every {n} s": partial(_every, seconds=n) for n in (30, 60)},
        "no GNSS alt": partial(_no_columns, names=("alt_geom_ft",)),
        "no baro alt": partial(_no_columns, names=("alt_baro_ft",)),
        "no gs/trk/vs": partial(_no_columns, names=_MOTION),
        "positions only": partial(_no_columns, names=(*_MOTION, "on_ground")),
        "jitter 2 s": partial(_jitter, seconds=2.0),
        "drop 50 %": partial(_dropouts, share=0.5),
    }
    total_wrong = 0
    print(f"{'recording':<38} {'variant':<14} {'claims kept':>12} {'wrong':>6} {'moved s':>9}")
    for name in RECORDINGS:
        pos = read_positions([ADSB / name]).positions
        every = detect(pos, params, index).events.select(*CLAIM, "time")
        full = every.filter(pl.col("airport").is_not_null())
        for label, degrade in variants.items():
            got = _claims(detect(degrade(pos), params, index).events)
            kept = full.join(got, on=CLAIM, how="semi").height
            # how far a kept claim's time moved: nearest full-data claim of the same kind
            moved = got.sort("time").join_asof(
                full.sort("time").rename({"time": "full_time"}),
                left_on="time",
                right_on="full_time",
                by=CLAIM,
                strategy="nearest",
                tolerance="15m",
                check_sortedness=False,
            )
            shift = moved.select((pl.col("time") - pl.col("full_time")).abs().max()).item()
            shift_s = f"{shift.total_seconds():.0f}" if shift is not None else "-"
            # the nearest full-data event of the aircraft and kind, with or without airport
            near = got.sort("time").join_asof(
                every.sort("time").rename({"airport": "full_airport", "time": "full_time"}),
                left_on="time",
                right_on="full_time",
                by=["icao24", "kind"],
                strategy="nearest",
                tolerance="15m",
                check_sortedness=False,
            )
            wrong = near.filter(
                pl.col("full_airport").is_null() | (pl.col("full_airport") != pl.col("airport"))
            )
            total_wrong += wrong.height
            print(
                f"{name:<38} {label:<14} {kept:>5} / {full.height:<5} {wrong.height:>6}"
                f" {shift_s:>9}"
            )
            for r in wrong.iter_rows(named=True):
                print(f"    wrong: {r['icao24']} {r['kind']} {r['time']} {r['airport']}")
    print(f"wrong claims in all: {total_wrong}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
