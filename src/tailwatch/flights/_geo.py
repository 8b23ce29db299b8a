"""Great-circle geometry as polars expressions (vectorised, no Python per row)."""

from __future__ import annotations

import polars as pl

EARTH_RADIUS_KM = 6371.0088
KM_PER_NM = 1.852


def haversine_km(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Great-circle distance in km between two points given as expressions."""
    p1, p2 = lat1.radians(), lat2.radians()
    dphi = p2 - p1
    dlam = (lon2 - lon1).radians()
    a = (dphi / 2).sin() ** 2 + p1.cos() * p2.cos() * (dlam / 2).sin() ** 2
    return 2 * EARTH_RADIUS_KM * a.clip(0.0, 1.0).sqrt().arcsin()


def bearing_deg(lat1: pl.Expr, lon1: pl.Expr, lat2: pl.Expr, lon2: pl.Expr) -> pl.Expr:
    """Initial true bearing from point 1 to point 2, degrees in [0, 360)."""
    p1, p2 = lat1.radians(), lat2.radians()
    dlam = (lon2 - lon1).radians()
    y = dlam.sin() * p2.cos()
    x = p1.cos() * p2.sin() - p1.sin() * p2.cos() * dlam.cos()
    return pl.arctan2(y, x).degrees().mod(360.0)


def angle_diff_deg(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Absolute difference between two headings, degrees in [0, 180]."""
    d = (a - b).mod(360.0)
    return pl.min_horizontal(d, 360.0 - d)
