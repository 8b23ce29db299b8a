"""End-to-end benchmark: read Parquet -> detect (clean, ground/air, flights, events).

Runs on ``bench/out/paris_x36.parquet`` (10.2 M rows, from ``bench/make_dataset.py``)
and prints rows/s, rows/s per core, the ratio to a plain ``pl.scan_parquet().collect()``
of the same file measured in the same run, and peak memory. Results are appended to
``bench/results/pipeline.jsonl``.

    python bench/bench_pipeline.py [PARQUET]
"""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from tailwatch.detect import detect
from tailwatch.reference.airports import AirportIndex
from tailwatch.sources import read_positions

HERE = Path(__file__).resolve().parent
DEFAULT = HERE / "out" / "paris_x36.parquet"


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    if not path.is_file():
        sys.exit(f"{path} not found: run python bench/make_dataset.py first")
    index = AirportIndex.default()  # reference data load is not part of the pipeline
    cores = pl.thread_pool_size()

    t = time.perf_counter()
    rows = pl.scan_parquet(path).collect().height
    t_scan = time.perf_counter() - t

    t = time.perf_counter()
    positions = read_positions([path]).positions
    t_read = time.perf_counter() - t
    t = time.perf_counter()
    det = detect(positions, index=index)
    t_detect = time.perf_counter() - t
    total = t_read + t_detect
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    res = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "file": path.name,
        "rows": rows,
        "cores": cores,
        "scan_s": round(t_scan, 3),
        "read_s": round(t_read, 3),
        "detect_s": round(t_detect, 3),
        "total_s": round(total, 3),
        "rows_per_s": round(rows / total),
        "rows_per_s_per_core": round(rows / total / cores),
        "ratio_to_scan": round(total / t_scan, 1),
        "peak_rss_mb": round(peak_mb),
        "flights": det.flights.height,
        "events": det.events.height,
    }
    for k, v in res.items():
        print(f"{k:>22}: {v}")
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    with (out / "pipeline.jsonl").open("a") as f:
        f.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    main()
