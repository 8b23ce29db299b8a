"""Frames text lines and paced replay."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest

from tailwatch.live.decode import DecoderSettings, ModeSDecoder
from tailwatch.live.feeds import frames_file, frames_replay
from tailwatch.live.frames import FrameBatch, FrameLineCounters, batches, parse_line, replay

if TYPE_CHECKING:
    from pathlib import Path

F = "8d4840d6202cc371c32ce0576098"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"timestamp": 1720248189.5, "frame": "8D4840D6202CC371C32CE0576098"}', (1720248189.5, F)),
        ('{"frame": "8d4840d6202cc371c32ce0576098"}', (None, F)),
        (f"*{F};", (None, F)),
        (f"@0000a1b2c3d4{F};", (None, F)),
        (F, (None, F)),
        (f"1720248189.5 {F}", (1720248189.5, F)),
        (f"1720248189.5,*{F};", (1720248189.5, F)),
        ("1720248189.5\t*5d4840d6abcdef;", (1720248189.5, "5d4840d6abcdef")),
        ("", None),
        ("*8d4840;", None),
        ("nan 8d4840d6202cc371c32ce0576098", None),
        ('{"timestamp": 1, "frame": 12}', None),
        ("{not json", None),
        ("hello world", None),
    ],
)
def test_parse_line(line: str, expected: tuple[float | None, str] | None) -> None:
    assert parse_line(line) == expected


def test_batches_count_bad_lines_and_inherit_times() -> None:
    c = FrameLineCounters()
    lines = ["# comment", f"10.0 {F}", f"*{F};", "junk", "", f"12.5 {F}"]
    got = list(batches(lines, batch_size=2, counters=c))
    assert got == [FrameBatch([10.0, 10.0], [F, F]), FrameBatch([12.5], [F])]
    assert (c.lines, c.frames, c.bad) == (6, 3, 1)


def test_replay_paces_by_recorded_time() -> None:
    now = [0.0]
    waits: list[float] = []

    def clock() -> float:
        return now[0]

    async def sleep(d: float) -> None:
        waits.append(d)
        now[0] += d

    source = [FrameBatch([100.0, 100.5, 104.0], ["a", "b", "c"]), FrameBatch([108.0], ["d"])]

    async def run(speed: float) -> list[tuple[float, list[str]]]:
        now[0] = 0.0
        paced = replay(source, speed=speed, clock=clock, sleep=sleep)
        return [(now[0], b.frames) async for b in paced]

    assert asyncio.run(run(1.0)) == [(0.0, ["a"]), (0.5, ["b"]), (4.0, ["c"]), (8.0, ["d"])]
    assert asyncio.run(run(2.0)) == [(0.0, ["a"]), (0.25, ["b"]), (2.0, ["c"]), (4.0, ["d"])]
    waits.clear()
    assert [f for _, f in asyncio.run(run(0.0))] == [["a", "b", "c"], ["d"]]
    assert all(w == 0 for w in waits)
    with pytest.raises(ValueError, match="speed"):
        asyncio.run(run(-1.0))


def test_file_and_fast_replay_give_the_same_positions(adsb_dir: Path) -> None:
    path = adsb_dir / "rs1090_frames_393322_2024-07-06.jsonl"
    settings = DecoderSettings(receiver=(49.0097, 2.5479))
    c = FrameLineCounters()
    whole = list(frames_file(path, ModeSDecoder(settings), counters=c))
    assert (c.frames, c.bad) == (57793, 0)

    async def collect() -> int:
        dec = ModeSDecoder(settings)
        return sum([df.height async for df in frames_replay(path, dec, speed=0, batch_size=777)])

    assert sum(df.height for df in whole) == asyncio.run(collect()) == 8324
