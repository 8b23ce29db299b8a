"""The tracker's events do not depend on how positions are batched.

The daemon coalesces whatever the feed delivered during a wall-clock tick into one
``update``: how many rows a call gets depends on the machine's speed and the network,
so the events (ids and every column) must not. Each recording is fed in time order
in very different batchings — per stream second, per 7 s, per 10 minutes, by fixed
row counts that cut through equal timestamps, and in one single call — and every
batching must give the same events as the batch detector, none emitted twice.
"""

from __future__ import annotations

import functools

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.data_paths import ADSB

from tailwatch._schema import EVENTS
from tailwatch.detect import detect
from tailwatch.live.tracker import LiveTracker
from tailwatch.sources import read_positions

# VP-CAL (LFPB take-off), CTM1283 (lands at LFPV), HUAF408 (flickering ground flag)
PARIS_SLICE = ["4241bb", "3b77e4", "477ff6"]


@functools.cache
def _positions(name: str) -> pl.DataFrame:
    return read_positions([ADSB / name]).positions.sort("time")


def _by_stream_time(pos: pl.DataFrame, tick_s: float) -> list[pl.DataFrame]:
    key = pl.col("time").dt.epoch("us") // int(tick_s * 1e6)
    return pos.with_columns(_k=key).partition_by("_k", include_key=False, maintain_order=True)


def _by_rows(pos: pl.DataFrame, n: int) -> list[pl.DataFrame]:
    return [pos.slice(i, n) for i in range(0, pos.height, n)]


def _live(batches: list[pl.DataFrame]) -> pl.DataFrame:
    tr = LiveTracker()
    out = [tr.update(b).events for b in batches]
    out.append(tr.flush().events)
    return pl.concat([pl.DataFrame(schema=EVENTS), *out])


def _batch(pos: pl.DataFrame) -> pl.DataFrame:
    parts = [detect(g).events for g in pos.partition_by("icao24")]
    return pl.concat([pl.DataFrame(schema=EVENTS), *parts]).sort("event_id")


BATCHINGS = {
    "1s": lambda p: _by_stream_time(p, 1.0),
    "7s": lambda p: _by_stream_time(p, 7.0),
    "600s": lambda p: _by_stream_time(p, 600.0),
    "73rows": lambda p: _by_rows(p, 73),
    "whole": lambda p: [p],
}


@pytest.mark.parametrize("batching", list(BATCHINGS))
def test_readsb_trace_same_events_whatever_the_batches(batching: str) -> None:
    pos = _positions("readsb_trace_full_ac671b.json")
    batch = _batch(pos)
    assert batch.height == 8  # N899DN: four legs
    live = _live(BATCHINGS[batching](pos))
    assert live["event_id"].is_duplicated().sum() == 0
    assert_frame_equal(live.sort("event_id"), batch)


@pytest.mark.parametrize("batching", ["7s", "600s", "73rows"])
def test_paris_slice_same_events_whatever_the_batches(batching: str) -> None:
    pos = _positions("paris_2021-10-07_quickstart.json.gz").filter(
        pl.col("icao24").is_in(PARIS_SLICE)
    )
    batch = _batch(pos)
    landed = batch.filter((pl.col("icao24") == "3b77e4") & (pl.col("kind") == "landing"))
    assert landed["airport"].to_list() == ["LFPV"]
    live = _live(BATCHINGS[batching](pos))
    assert live["event_id"].is_duplicated().sum() == 0
    assert_frame_equal(live.sort("event_id"), batch)


def test_rows_split_inside_one_timestamp() -> None:
    """Two calls cutting between rows of the same instant give what one call gives."""
    pos = _positions("readsb_trace_full_ac671b.json")
    # duplicate every 10th instant under another aircraft, then split between the twins
    twins = pos.gather_every(10).with_columns(icao24=pl.lit("abcdef"))
    both = pl.concat([pos, twins]).sort("time", "icao24")
    split = [both.slice(i, 2) for i in range(0, both.height, 2)][:50]
    rest = both.slice(100)
    assert split[0]["time"].n_unique() == 1  # the first call stops inside an instant
    assert_frame_equal(_live([*split, rest]).sort("event_id"), _batch(both))
