"""Field elevation under each low position: per-run lookup, nulls where not low."""

from __future__ import annotations

import polars as pl

from tailwatch.flights.ground import field_elevation
from tailwatch.reference.airports import AirportIndex


def test_field_elevation_runs_of_cells_and_high_rows() -> None:
    # LFPB (Le Bourget) is at 218 ft. Rows: cruising overhead, then on the ground
    # there (two rows in one cell, one in the next), then mid-Atlantic, low.
    frame = pl.DataFrame(
        {
            "lat": [48.97, 48.9694, 48.9694, 48.9600, 45.0, 48.9694],
            "lon": [2.44, 2.4414, 2.4414, 2.4500, -30.0, 2.4414],
            "alt_baro_ft": [35000.0, 200.0, 225.0, None, 300.0, 20000.0],
        },
        schema={"lat": pl.Float64, "lon": pl.Float64, "alt_baro_ft": pl.Float32},
    )
    elev = field_elevation(frame, AirportIndex.default(), radius_km=5.0).to_list()
    assert elev[0] is None  # above the lookup ceiling
    assert elev[5] is None
    assert elev[1] == elev[2] == elev[3] == 218.0
    assert elev[4] is None  # no field within 5 km
