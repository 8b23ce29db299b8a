"""Property: shuffling and duplicating input rows never changes the events."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.flights.make_traj import T0, approach, frame, parked, runway, takeoff

from tailwatch.detect import detect

_A, _B = runway("LFPB", "27"), runway("LFPO", "06")
_BASE = frame(
    parked(_A, T0, 5)
    + takeoff(_A, T0 + timedelta(minutes=5))
    + approach(_B, T0 + timedelta(minutes=50))
    + parked(_B, T0 + timedelta(minutes=52), 3)
)
_EXPECTED = detect(_BASE).events


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), dup=st.floats(0.0, 1.0))
def test_shuffle_and_duplicates_do_not_change_events(seed: int, dup: float) -> None:
    extra = _BASE.sample(fraction=dup, seed=seed)
    messy = pl.concat([_BASE, extra]).sample(fraction=1.0, shuffle=True, seed=seed)
    assert detect(messy).events.equals(_EXPECTED)


def test_upper_case_addresses_are_the_same_aircraft() -> None:
    # all rows upper-case, then every other row: one aircraft, the same events either way
    upper = _BASE.with_columns(pl.col("icao24").str.to_uppercase())
    assert upper["icao24"][0] != _BASE["icao24"][0]
    mixed = _BASE.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.col("icao24").str.to_uppercase())
        .otherwise(pl.col("icao24"))
        .alias("icao24")
    )
    for messy in (upper, mixed):
        found = detect(messy)
        assert found.events.equals(_EXPECTED)
        assert found.flights["icao24"].unique().to_list() == [_BASE["icao24"][0]]
