"""Live path benchmark: decode + track a replayed Beast-less frame stream, one core.

The rs1090 frames recording (57,793 frames of one aircraft, AFR34ZG leaving CDG) is
repeated ``--copies`` times under other ICAO addresses (CRC recomputed so the
frames stay valid) and shifted in time, to look like a busy receiver. Reported, in
the same run:

* baseline: ``ModeSDecoder`` alone (decode only), messages/s;
* live: decode + ``validate_positions`` + ``LiveTracker.update`` every ``--tick`` s
  of stream time, messages/s (both per core: one process, one thread);
* latency from the deciding message to the event: for each finalised event, the
  stream time at which it became final minus its ``final_at`` (stream-time delay
  added by tick granularity) and the wall-clock time of the tick that emitted it
  (processing delay). The horizon itself (``final_at - time``, >= 320 s) is the
  detector's look-ahead and is reported apart.

``python bench/bench_live.py [--copies 20] [--tick 1]``; results in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from tailwatch.live import _pymodes as pm
from tailwatch.live.decode import DecoderSettings, ModeSDecoder
from tailwatch.live.tracker import LiveTracker
from tailwatch.sources import validate_positions

ADSB = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "adsb"
FRAMES = ADSB / "rs1090_frames_393322_2024-07-06.jsonl"
CDG = (49.0097, 2.5479)
OUT = Path(__file__).resolve().parent / "results" / "bench_live.json"


def _readdress(frame: str, icao: int) -> str:
    """The same DF17/18 frame from another address (AA and CRC rewritten)."""
    df = int(frame[:2], 16) >> 3
    if df not in (17, 18) or len(frame) != 28:
        return frame  # address/parity replies: left as they are (their address is the CRC)
    body = frame[:2] + f"{icao:06x}" + frame[8:22]
    return body + f"{pm.crc(body + '000000'):06x}"


def load(copies: int) -> tuple[list[float], list[str]]:
    recs = [json.loads(line) for line in FRAMES.open()]
    base = [(float(r["timestamp"]), str(r["frame"])) for r in recs]
    span = base[-1][0] - base[0][0]
    rows: list[tuple[float, str]] = []
    for k in range(copies):
        shift = k * span / copies  # staggered, overlapping copies
        icao = 0x393322 if k == 0 else 0x500000 + k
        rows += [(t + shift, f if k == 0 else _readdress(f, icao)) for t, f in base]
    rows.sort()
    return [t for t, _ in rows], [f for _, f in rows]


def decode_only(ts: list[float], frames: list[str], batch: int) -> float:
    dec = ModeSDecoder(DecoderSettings(receiver=CDG))
    t0 = time.perf_counter()
    for i in range(0, len(frames), batch):
        dec.decode(ts[i : i + batch], frames[i : i + batch])
    return len(frames) / (time.perf_counter() - t0)


def live(ts: list[float], frames: list[str], tick_s: float) -> dict[str, float]:
    dec = ModeSDecoder(DecoderSettings(receiver=CDG))
    tr = LiveTracker()
    lat_stream: list[float] = []
    lat_wall: list[float] = []
    horizon: list[float] = []
    i, n = 0, len(frames)
    t0 = time.perf_counter()
    while i < n:
        end_t = ts[i] + tick_s
        j = i
        while j < n and ts[j] < end_t:
            j += 1
        tick_start = time.perf_counter()
        pos = dec.decode(ts[i:j], frames[i:j])
        good, _ = validate_positions(pos, "bench", "frames")
        res = tr.update(good)
        wall = time.perf_counter() - tick_start
        if res.events.height and res.now is not None:
            # the deciding message is the first one at or after final_at: it arrived
            # during this tick, so its wall latency is at most the tick's processing
            fin = tr.final.filter(pl.col("event_id").is_in(res.events["event_id"].implode()))
            for ev in fin.iter_rows(named=True):
                horizon.append((res.now - ev["time"]).total_seconds())
            lat_wall += [wall] * res.events.height
            lat_stream += [tick_s] * res.events.height  # at most one tick of stream time
        i = j
    elapsed = time.perf_counter() - t0
    res = tr.flush()
    return {
        "messages_per_s": n / elapsed,
        "events": float(tr.stats.events_final),
        "detect_calls": float(tr.stats.detect_calls),
        "wall_latency_max_s": max(lat_wall, default=0.0),
        "wall_latency_median_s": statistics.median(lat_wall) if lat_wall else 0.0,
        "stream_tick_s": tick_s,
        "event_to_final_median_s": statistics.median(horizon) if horizon else 0.0,
        "aircraft": float(tr.aircraft),
        "buffer_rows": float(tr.buffer.height),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=20)
    ap.add_argument("--tick", type=float, default=1.0)
    ap.add_argument("--batch", type=int, default=1000)
    args = ap.parse_args()
    ts, frames = load(args.copies)
    base = decode_only(ts, frames, args.batch)
    res = live(ts, frames, args.tick)
    ratio = res["messages_per_s"] / base
    print(f"{len(frames):,} messages, {args.copies} aircraft copies, tick {args.tick} s")
    print(f"baseline decode only        : {base:>10,.0f} msg/s per core")
    print(f"decode + validate + tracker : {res['messages_per_s']:>10,.0f} msg/s per core")
    print(f"ratio                       : {ratio:.2f}")
    print(
        f"events {res['events']:.0f}, detect calls {res['detect_calls']:.0f},"
        f" buffer {res['buffer_rows']:.0f} rows at the end"
    )
    print(
        f"deciding message -> event: wall <= {res['wall_latency_max_s']:.2f} s"
        f" (median {res['wall_latency_median_s']:.3f} s), stream <= {args.tick} s;"
        f" event time -> final (detector horizon) median {res['event_to_final_median_s']:.0f} s"
    )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(),
                "messages": len(frames),
                "copies": args.copies,
                "baseline_msgs_per_s": base,
                **res,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
