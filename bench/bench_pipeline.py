"""End-to-end benchmark: read Parquet -> detect (clean, ground/air, flights, events) -> stays,
trips and visits (all aircraft, no watchlist).

Runs on ``bench/out/paris_x36.parquet`` (10.2 M rows, from ``bench/make_dataset.py``)
and prints rows/s, rows/s per core, the ratio to a plain ``pl.scan_parquet().collect()``
of the same file measured in the same run, and peak memory. Each stage runs ``REPEAT``
times and the fastest run counts (the machine is shared). Rows/s per core is given two
ways: wall rows/s divided by the thread-pool size, and rows per CPU-second (user+sys
of the process, all threads), which does not depend on other load on the machine.
Results are appended to ``bench/results/pipeline.jsonl``.

    python bench/bench_pipeline.py [PARQUET]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from tailwatch.detect import detect
from tailwatch.reference.airports import AirportIndex
from tailwatch.sources import read_positions
from tailwatch.stays.stays import build_stays
from tailwatch.stays.trips import build_trips
from tailwatch.stays.visits import build_visits

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "out" / "paris_x36.parquet"


REPEAT = 3


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _best(fn: Callable[[], T]) -> tuple[T, float, float]:
    """Result, fastest wall time and its CPU time over ``REPEAT`` runs."""
    runs = []
    out: T | None = None
    for _ in range(REPEAT):
        t, c = time.perf_counter(), _cpu()
        out = fn()
        runs.append((time.perf_counter() - t, _cpu() - c))
    wall, cpu = min(runs)
    assert out is not None
    return out, wall, cpu


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        sys.exit(f"{path} not found: run python bench/make_dataset.py first")
    index = AirportIndex.default()  # reference data load is not part of the pipeline
    cores = pl.thread_pool_size()

    rows, t_scan, c_scan = _best(lambda: pl.scan_parquet(path).collect().height)
    positions, t_read, c_read = _best(lambda: read_positions([path]).positions)
    det, t_detect, c_detect = _best(lambda: detect(positions, index=index))
    span = positions.select(lo=pl.col("time").min(), hi=pl.col("time").max()).row(0)

    def stays_trips_visits() -> tuple[int, int, int]:
        stays = build_stays(det.events, data_start=span[0], data_end=span[1])
        trips = build_trips(det.events)
        visits = build_visits(stays, index=index, events=det.events, watched_only=False)
        return stays.height, trips.height, visits.height

    (n_stays, n_trips, n_visits), t_stays, c_stays = _best(stays_trips_visits)
    total = t_read + t_detect + t_stays
    cpu = c_read + c_detect + c_stays
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    res = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "file": path.name,
        "rows": rows,
        "cores": cores,
        "scan_s": round(t_scan, 3),
        "read_s": round(t_read, 3),
        "detect_s": round(t_detect, 3),
        "stays_s": round(t_stays, 3),
        "total_s": round(total, 3),
        "rows_per_s": round(rows / total),
        "rows_per_s_per_core": round(rows / total / cores),
        "ratio_to_scan": round(total / t_scan, 1),
        "scan_cpu_s": round(c_scan, 3),
        "read_cpu_s": round(c_read, 3),
        "detect_cpu_s": round(c_detect, 3),
        "stays_cpu_s": round(c_stays, 3),
        "rows_per_cpu_s": round(rows / cpu),
        "cpu_ratio_to_scan": round(cpu / c_scan, 1),
        "peak_rss_mb": round(peak_mb),
        "flights": det.flights.height,
        "events": det.events.height,
        "stays": n_stays,
        "trips": n_trips,
        "visits": n_visits,
    }
    for k, v in res.items():
        print(f"{k:>22}: {v}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    with (out / "pipeline.jsonl").open("a") as f:
        f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
