"""Read benchmark: read_positions against a plain polars read of the same file.

Run ``python bench/make_dataset.py`` first. For each file, in the same run: the plain
polars read (``pl.scan_parquet(...).collect()`` / ``pl.read_csv``) and
``read_positions`` (sniff, validate, quarantine, check the time order, drop exact
duplicates). Each side runs in its own fresh process (so its peak RSS is its own),
best of ``--repeat`` runs each. Prints seconds, rows/s, the ratio and peak memory;
writes ``bench/results/read.json``.

    python bench/bench_read.py [--repeat 3] [--only "opensky csv"]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import time
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.queues import Queue

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
RESULTS = HERE / "results"


def plain_parquet(p: Path) -> int:
    return pl.scan_parquet(p).collect().height


def plain_csv(p: Path) -> int:
    return pl.read_csv(p).height


def _ours(p: Path) -> int:
    return read_positions([p]).positions.height


# make_dataset's default 36 copies (10.2 M rows); bench_scale reads the larger files
CASES: list[tuple[str, str, Callable[[Path], int]]] = [
    ("opensky parquet", "states_x36.parquet", plain_parquet),
    ("opensky parquet by aircraft", "states_x36_by_aircraft.parquet", plain_parquet),
    ("traffic parquet", "paris_x36.parquet", plain_parquet),
    ("opensky csv", "states_x36.csv", plain_csv),
]


def _child(fn: Callable[[Path], T], path: Path, repeat: int, q: Queue[object]) -> None:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn(path)
        times.append(time.perf_counter() - t0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    q.put((min(times), result, peak_mb))


def measure(fn: Callable[[Path], T], path: Path, repeat: int) -> tuple[float, T, float]:
    """Best time, what ``fn(path)`` returned and peak RSS (MB), in a fresh process."""
    ctx = mp.get_context("spawn")
    q: Queue[object] = ctx.Queue()
    proc = ctx.Process(target=_child, args=(fn, path, repeat, q))
    proc.start()
    result = q.get()
    proc.join()
    assert isinstance(result, tuple)
    return result  # type: ignore[return-value]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", help="run only these formats")
    args = parser.parse_args()
    rows_out = []
    for label, name, plain in CASES:
        if args.only and label not in args.only:
            continue
        path = OUT / name
        if not path.is_file():
            raise SystemExit(f"no {name} in {OUT}: run bench/make_dataset.py first")
        t_plain, n, mem_plain = measure(plain, path, args.repeat)
        t_ours, kept, mem_ours = measure(_ours, path, args.repeat)
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
            "plain_peak_mb": round(mem_plain),
            "read_positions_peak_mb": round(mem_ours),
        }
        rows_out.append(row)
        print(
            f"{label:28} {n:>11,} rows  plain {t_plain:6.2f} s ({n / t_plain / 1e6:5.1f} M rows/s,"
            f" {mem_plain:5.0f} MB)  read_positions {t_ours:6.2f} s"
            f" ({n / t_ours / 1e6:5.1f} M rows/s, {mem_ours:5.0f} MB)"
            f"  ratio {t_ours / t_plain:4.2f}x",
            flush=True,
        )
    RESULTS.mkdir(exist_ok=True)
    report = {
        "polars": pl.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "load_average": os.getloadavg(),
        "results": rows_out,
    }
    (RESULTS / "read.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"written {RESULTS / 'read.json'}")


if __name__ == "__main__":
    main()
