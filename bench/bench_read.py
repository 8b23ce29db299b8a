"""Read benchmark: read_positions against a plain polars read of the same file.

Run ``python bench/make_dataset.py`` first. For each file, in the same run: the plain
polars read (``pl.scan_parquet(...).collect()`` / ``pl.read_csv``) and
``read_positions`` (sniff, validate, quarantine, sort by aircraft and time, drop exact
duplicates). Best of ``--repeat`` runs each. Prints rows/s and the ratio; writes
``bench/results/read.json``.

    python bench/bench_read.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from collections.abc import Callable

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "results"

CASES: list[tuple[str, str, Callable[[Path], pl.DataFrame]]] = [
    ("opensky parquet", "states_x[0-9]*[0-9].parquet", lambda p: pl.scan_parquet(p).collect()),
    (
        "opensky parquet by aircraft",
        "states_x*_by_aircraft.parquet",
        lambda p: pl.scan_parquet(p).collect(),
    ),
    ("traffic parquet", "paris_x*.parquet", lambda p: pl.scan_parquet(p).collect()),
    ("opensky csv", "states_x*.csv", lambda p: pl.read_csv(p)),
]


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    rows_out = []
    for label, pattern, plain in CASES:
        matches = sorted(OUT.glob(pattern))
        if not matches:
            raise SystemExit(f"no {pattern} in {OUT}: run bench/make_dataset.py first")
        path = matches[0]
        t_plain, frame = best(lambda p=path, f=plain: f(p), args.repeat)
        assert isinstance(frame, pl.DataFrame)
        n = frame.height
        del frame
        t_ours, result = best(lambda p=path: read_positions([p]), args.repeat)
        kept = result.positions.height  # type: ignore[attr-defined]
        del result
        row = {
            "format": label,
            "file": path.name,
            "rows": n,
            "rows_kept": kept,
            "plain_s": round(t_plain, 3),
            "read_positions_s": round(t_ours, 3),
            "plain_rows_per_s": round(n / t_plain),
            "read_positions_rows_per_s": round(n / t_ours),
            "ratio": round(t_ours / t_plain, 2),
        }
        rows_out.append(row)
        print(
            f"{label:28} {n:>11,} rows  plain {t_plain:6.2f} s ({n / t_plain / 1e6:5.1f} M rows/s)"
            f"  read_positions {t_ours:6.2f} s ({n / t_ours / 1e6:5.1f} M rows/s)"
            f"  ratio {t_ours / t_plain:4.2f}x"
        )
    RESULTS.mkdir(exist_ok=True)
    report = {
        "polars": pl.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "results": rows_out,
    }
    (RESULTS / "read.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {RESULTS / 'read.json'}")


if __name__ == "__main__":
    main()
