"""The cheap distance used on every position pair agrees with the haversine."""

from __future__ import annotations

import math

import polars as pl
import pytest

from tailwatch.flights._geo import haversine_km
from tailwatch.flights._kernels import _near_km


def _both(lat1: float, lon1: float, lat2: float, lon2: float) -> tuple[float, float]:
    df = pl.DataFrame({"a": [lat1], "b": [lon1], "c": [lat2], "d": [lon2]})
    a, b, c, d = pl.col("a"), pl.col("b"), pl.col("c"), pl.col("d")
    h = df.select(haversine_km(a, b, c, d)).item()
    cos1, cos2 = math.cos(math.radians(lat1)), math.cos(math.radians(lat2))
    return float(h), float(_near_km(lat1, lon1, cos1, lat2, lon2, cos2))


@pytest.mark.parametrize(
    ("lat1", "lon1", "lat2", "lon2", "rel"),
    [
        (49.0097, 2.5479, 49.0101, 2.5485, 1e-9),  # a taxi hop at CDG, ~60 m
        (48.9694, 2.4414, 49.0097, 2.5479, 1e-7),  # Le Bourget to CDG, ~9 km
        (10.0, 179.99, 10.001, -179.99, 1e-7),  # across the antimeridian, 2.2 km
        (-33.9, 151.2, -33.0, 151.3, 1e-5),  # 100 km
        (0.0, 0.0, 0.0, 9.0, 1e-3),  # 1,000 km along the equator
    ],
)
def test_near_km_matches_haversine(
    lat1: float, lon1: float, lat2: float, lon2: float, rel: float
) -> None:
    h, n = _both(lat1, lon1, lat2, lon2)
    assert n == pytest.approx(h, rel=rel)


def test_near_km_is_zero_for_the_same_point() -> None:
    assert _both(51.47, -0.4543, 51.47, -0.4543)[1] == 0.0
    assert _both(10.0, 180.0, 10.0, -180.0)[1] == 0.0
