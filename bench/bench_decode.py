"""Decode throughput on the rs1090 recording (57,793 frames), per core.

Prints messages/s for, in the same run:

- baseline ``hex``:     ``int(frame, 16)`` over every frame (the floor of any decoder)
- baseline ``crc``:     pyModeS' CRC over every frame
- baseline ``pymodes``: ``pyModeS.decode(frame)`` stateless over every frame
- baseline ``pipe``:    pyModeS' own stateful ``PipeDecoder``
- ``tailwatch``:        ``ModeSDecoder.decode`` in batches of 1000, to a POSITIONS frame

and writes the figures to ``bench/results/bench_decode.json``. Usage::

    python bench/bench_decode.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT.parent / "shared" / "data" / "adsb" / "rs1090_frames_393322_2024-07-06.jsonl"
CDG = (49.0097, 2.5479)


def load() -> tuple[list[float], list[str]]:
    ts, frames = [], []
    with FILE.open() as fh:
        for line in fh:
            d = json.loads(line)
            ts.append(d["timestamp"])
            frames.append(d["frame"])
    return ts, frames


def best(fn: Callable[[], object], n: int, repeat: int) -> float:
    """Best messages/s over ``repeat`` runs (the least disturbed one)."""
    rates = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        rates.append(n / (time.perf_counter() - t0))
    return max(rates)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()

    import pyModeS
    from pyModeS import util

    from tailwatch.live.decode import DecoderSettings, ModeSDecoder

    ts, frames = load()
    n = len(frames)
    # as the decoder does: 56-bit replies padded to 112 bits by this recorder are cut
    trimmed = [f[:14] if int(f[:2], 16) >> 3 in (0, 4, 5, 11) else f for f in frames]

    def tailwatch() -> None:
        dec = ModeSDecoder(DecoderSettings(receiver=CDG))
        for i in range(0, n, 1000):
            dec.decode(ts[i : i + 1000], frames[i : i + 1000])

    def pipe() -> None:
        p = pyModeS.PipeDecoder(surface_ref=CDG)
        for f, t in zip(trimmed, ts, strict=True):
            p.decode(f, timestamp=t)

    results = {
        "hex": best(lambda: [int(f, 16) for f in frames], n, args.repeat),
        "crc": best(lambda: [util.crc(f) for f in trimmed], n, args.repeat),
        "pymodes": best(lambda: [pyModeS.decode(f) for f in trimmed], n, args.repeat),
        "pipe": best(pipe, n, args.repeat),
        "tailwatch": best(tailwatch, n, args.repeat),
    }
    print(f"{n} frames, best of {args.repeat}, one core")
    for name, rate in results.items():
        ratio = rate / results["pymodes"]
        print(f"  {name:10s} {rate:12,.0f} msg/s   x{ratio:5.2f} vs stateless pyModeS.decode")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "bench_decode.json").write_text(
        json.dumps({"frames": n, "msg_per_s": results}, indent=2) + "\n"
    )
    if args.profile:
        prof = cProfile.Profile()
        prof.runcall(tailwatch)
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("tottime").print_stats(12)
        print(s.getvalue())


if __name__ == "__main__":
    main()
