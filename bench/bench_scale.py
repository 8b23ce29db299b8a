"""Does the batch pipeline scale to a day of global traffic on one laptop?

Runs read Parquet -> detect -> stays on ``paris_x36.parquet`` (10.2 M rows) and
``paris_x180.parquet`` (51 M rows; ``python bench/make_dataset.py --copies 180
--traffic-only``), each in a fresh process so that its peak memory is its own, beside a
plain ``pl.scan_parquet().collect()`` of the same file (also in its own process).
Prints time and peak RSS, the ratios to the plain read, bytes of peak memory per row
and how both grow from 10 M to 51 M rows. A day of global ADS-B traffic is of the
order of 100 M positions: it fits when bytes per row times that is under the
machine's memory. Results go to ``bench/results/scale.json``.

    python bench/bench_scale.py [PARQUET ...]
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT = [HERE / "out" / "paris_x36.parquet", HERE / "out" / "paris_x180.parquet"]


def _peak_gb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM"):
                return int(line.split()[1]) / 1e6
    return float("nan")


def _child(mode: str, path: Path) -> None:
    """Run one measurement in this (fresh) process; print one JSON line."""
    import polars as pl

    from tailwatch.detect import detect
    from tailwatch.reference.airports import AirportIndex
    from tailwatch.sources import read_positions
    from tailwatch.stays.stays import build_stays

    if mode == "plain":
        t = time.perf_counter()
        rows = pl.scan_parquet(path).collect().height
        out = {"rows": rows, "s": time.perf_counter() - t}
    else:
        index = AirportIndex.default()  # reference data: not part of the pipeline
        t = time.perf_counter()
        positions = read_positions([path]).positions
        t_read = time.perf_counter() - t
        det = detect(positions, index=index)
        t_detect = time.perf_counter() - t - t_read
        stays = build_stays(det.events)
        out = {
            "rows": positions.height,
            "s": time.perf_counter() - t,
            "read_s": t_read,
            "detect_s": t_detect,
            "events": det.events.height,
            "stays": stays.height,
        }
    out["peak_gb"] = _peak_gb()
    print(json.dumps(out))


def _measure(mode: str, path: Path) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or DEFAULT
    missing = [p for p in paths if not p.is_file()]
    if missing:
        sys.exit(
            f"{', '.join(map(str, missing))} not found: python bench/make_dataset.py "
            "[--copies 180 --traffic-only]"
        )
    report = []
    for path in paths:
        plain = _measure("plain", path)
        ours = _measure("pipeline", path)
        rows = ours["rows"]
        entry = {
            "file": path.name,
            "rows": rows,
            "pipeline_s": round(ours["s"], 2),
            "read_s": round(ours["read_s"], 2),
            "detect_s": round(ours["detect_s"], 2),
            "plain_read_s": round(plain["s"], 2),
            "time_ratio_to_plain": round(ours["s"] / plain["s"], 1),
            "peak_gb": round(ours["peak_gb"], 2),
            "plain_peak_gb": round(plain["peak_gb"], 2),
            "peak_ratio_to_plain": round(ours["peak_gb"] / plain["peak_gb"], 2),
            "peak_bytes_per_row": round(ours["peak_gb"] * 1e9 / rows),
            "rows_per_s": round(rows / ours["s"]),
            "events": ours["events"],
        }
        report.append(entry)
        print(json.dumps(entry, indent=2))
    if len(report) > 1:
        a, b = report[0], report[-1]
        growth = {
            "rows_x": round(b["rows"] / a["rows"], 2),
            "time_x": round(b["pipeline_s"] / a["pipeline_s"], 2),
            "peak_x": round(b["peak_gb"] / a["peak_gb"], 2),
            "rows_fitting_24gb_at_largest": round(24e9 / b["peak_bytes_per_row"]),
        }
        print(json.dumps(growth, indent=2))
        report.append(growth)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / "scale.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
