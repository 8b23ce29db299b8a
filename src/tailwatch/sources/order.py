"""Group positions by aircraft, each aircraft's rows in time order.

Readers deliver rows in time order (the order of archives and feeds) or, when the
files came that way, grouped by aircraft. Detection works on one aircraft's track at a
time and cuts the table into per-aircraft parts for its worker threads, so it needs
the grouped order. Computing it on two numeric keys (the address as an integer, the
time as Int64) and applying it with one gather is far cheaper than a sort on the
address text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Row number in the caller's frame, carried when only some columns were regrouped.
SOURCE_ROW = "_src"


def keys(frame: pl.DataFrame) -> pl.DataFrame:
    """``k`` (the address as an integer, null if not hexadecimal) and ``t`` (epoch µs).

    Good addresses are 6 lowercase hex digits: as integers they order as the text.
    """
    return (
        frame.lazy()
        .select(
            k=pl.col("icao24").str.to_integer(base=16, strict=False).cast(pl.UInt32, strict=False),
            t=pl.col("time").dt.epoch("us"),
        )
        # morsels in parallel: parsing 10 M addresses takes half the time of one select
        .collect(engine="streaming")
        .rechunk()
    )


def aircraft_keys(frame: pl.DataFrame) -> pl.DataFrame | None:
    """:func:`keys`, or None when some address is not hexadecimal or some time or
    address is missing: such rows cannot be grouped on numbers (cleaning sorts them
    on the text and sets the bad ones aside).
    """
    found = keys(frame)
    if found["k"].null_count() or found["t"].null_count():
        return None
    return found


def grouped(keys: pl.DataFrame) -> bool:
    """The rows are sorted by (k, t)."""
    if not keys["k"].is_sorted():
        return False
    k, t = pl.col("k"), pl.col("t")
    in_order = (k.diff() > 0) | ((k.diff() == 0) & (t.diff() >= 0))
    return bool(keys.select(in_order.fill_null(True).all()).item())


def aircraft_order(keys: pl.DataFrame) -> pl.Series:
    """Row numbers that put the rows in (k, t) order; rows equal on both keep their order.

    Stable by time (nothing to do for time-ordered rows), then stable by address:
    collecting the row numbers per address keeps each group in order and is ~3x
    faster than a stable arg_sort (a few thousand addresses, 10 M rows; polars 1.x).
    """
    order = keys.with_row_index("_i")
    if not keys["t"].is_sorted():
        order = order.sort("t", maintain_order=True)
    return order.group_by("k").agg("_i").sort("k").select(pl.col("_i").explode()).to_series()


@dataclass(frozen=True)
class AircraftOrder:
    """Rows in (aircraft, time) order, gathered a slice at a time (:func:`by_aircraft`).

    ``keys``: the sorted address keys, one per row (None when the addresses cannot be
    keyed: then :meth:`take` slices the frame as it is).
    """

    frame: pl.DataFrame
    keys: pl.Series | None
    perm: pl.Series | None = None

    @property
    def height(self) -> int:
        return self.frame.height

    def take(self, start: int, length: int) -> pl.DataFrame:
        """Rows ``start`` to ``start + length`` of the grouped order.

        When rows have to move, only the regrouped columns come, plus
        :data:`SOURCE_ROW` (each row's number in the caller's frame, to fetch the
        others later for the few rows that need them).
        """
        if self.perm is None:
            return self.frame.slice(start, length)
        rows = self.perm.slice(start, length)
        return self.frame[rows].with_columns(rows.alias(SOURCE_ROW))


def by_aircraft(frame: pl.DataFrame, columns: Sequence[str]) -> AircraftOrder:
    """``frame`` grouped by aircraft in time order, to be taken a slice at a time.

    Regrouping gathers a slice when it is taken, not the whole table up front: the
    detector's worker threads each take their part as they start, so only the parts
    in work exist as copies (a 50 M-row input is not copied whole).
    """
    keys = aircraft_keys(frame)
    if keys is None:
        return AircraftOrder(frame, None)
    if grouped(keys):
        return AircraftOrder(frame, keys["k"])
    perm = aircraft_order(keys)
    # A gather over many chunks (a reader's morsels, row groups) looks up the chunk of
    # every index: contiguous columns make it ~3x faster.
    picked = frame.select(c for c in columns if c in frame.columns).rechunk()
    return AircraftOrder(picked, keys["k"].gather(perm), perm)


__all__ = [
    "SOURCE_ROW",
    "AircraftOrder",
    "aircraft_keys",
    "aircraft_order",
    "by_aircraft",
    "grouped",
    "keys",
]
