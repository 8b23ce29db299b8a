"""Does the batch pipeline scale to a day of global traffic on one laptop?

Runs read Parquet -> detect -> stays on ``paris_x36.parquet`` (10.2 M rows) and
``paris_x180.parquet`` (51 M rows; ``python bench/make_dataset.py --copies 180
--traffic-only``), each in a fresh process so that its peak memory is its own, beside a
plain ``pl.scan_parquet().collect()`` of the same file (also in its own process; both
through ``bench_read.measure``).
Prints time and peak RSS, the ratios to the plain read, bytes of peak memory per row
and how both grow from 10 M to 51 M rows. A day of global ADS-B traffic is of the
order of 100 M positions: it fits when bytes per row times that is under the
machine's memory. Results go to ``bench/results/scale.json``.

    python bench/bench_scale.py [PARQUET ...]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from bench_read import measure, plain_parquet

_MIB = 1 << 20
HERE = Path(__file__).resolve().parent
DEFAULT = [HERE / "out" / "paris_x36.parquet", HERE / "out" / "paris_x180.parquet"]


def pipeline(path: Path) -> dict[str, float]:
    """Read -> detect -> stays on ``path``: rows, stage times, events (for measure)."""
    from tailwatch.detect import detect
    from tailwatch.reference.airports import AirportIndex
    from tailwatch.sources import read_positions
    from tailwatch.stays.stays import build_stays

    index = AirportIndex.default()  # reference data: not part of the pipeline
    t = time.perf_counter()
    positions = read_positions([path]).positions
    t_read = time.perf_counter() - t
    det = detect(positions, index=index)
    t_detect = time.perf_counter() - t - t_read
    build_stays(det.events)
    return {
        "rows": positions.height,
        "s": time.perf_counter() - t,
        "read_s": t_read,
        "detect_s": t_detect,
        "events": det.events.height,
    }


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
        plain_s, _, plain_mb = measure(plain_parquet, path, 1)
        _, ours, peak_mb = measure(pipeline, path, 1)
        rows = ours["rows"]
        peak, plain_peak = peak_mb * _MIB, plain_mb * _MIB  # bytes
        entry = {
            "file": path.name,
            "rows": rows,
            "pipeline_s": round(ours["s"], 2),
            "read_s": round(ours["read_s"], 2),
            "detect_s": round(ours["detect_s"], 2),
            "plain_read_s": round(plain_s, 2),
            "time_ratio_to_plain": round(ours["s"] / plain_s, 1),
            "peak_gb": round(peak / 1e9, 2),
            "plain_peak_gb": round(plain_peak / 1e9, 2),
            "peak_ratio_to_plain": round(peak / plain_peak, 2),
            "peak_bytes_per_row": round(peak / rows),
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
    main()
