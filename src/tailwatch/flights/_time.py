"""Time differences as polars expressions (float seconds)."""

from __future__ import annotations

import polars as pl


def seconds(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """``a - b`` in seconds (Float64), for Datetime expressions."""
    return (a - b).dt.total_microseconds().cast(pl.Float64) / 1e6
