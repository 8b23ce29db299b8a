"""Beast framing: the real sample, hand-built frames, garbage, truncation, fuzz."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tailwatch.live.beast import DATA_LEN, BeastFrame, BeastParser, encode_frame

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def sample(adsb_dir: Path) -> bytes:
    return (adsb_dir / "dump1090_beast_sample.bin").read_bytes()


def test_sample_counts(sample: bytes) -> None:
    # Cross-checked by hand (xxd) and against pyModeS' own Beast reader
    # (pyModeS.cli._source._parse_beast_buffer: 239 frames, identical payloads).
    p = BeastParser()
    frames = p.feed(sample)
    p.close()
    c = p.counters
    assert len(sample) == 4218
    assert (c.mode_s_short, c.mode_s_long, c.mode_ac, c.status) == (185, 54, 0, 0)
    assert (c.garbage_bytes, c.resyncs, c.truncated) == (0, 0, 0)
    assert len(frames) == 239
    by_df = Counter(f.data[0] >> 3 for f in frames)
    assert by_df == {11: 90, 0: 44, 4: 39, 17: 23, 20: 16, 21: 14, 5: 12, 16: 1}
    # 16 frames carry a doubled 0x1a (there are exactly 16 "1a 1a" in the file).
    escaped = [f for f in frames if 0x1A in f.mlat.to_bytes(6, "big") + bytes([f.signal]) + f.data]
    assert len(escaped) == sample.count(b"\x1a\x1a") == 16
    first = frames[0]
    assert first == BeastFrame("2", 363366270, 13, bytes.fromhex("20000ca8f70aa7"))
    # 2nd frame: MLAT 00 00 15 be 1a(1a) 0c -> one 0x1a byte.
    assert frames[1].mlat == 0x000015BE1A0C
    # The capture spans 23.9 s of the 12 MHz counter.
    assert (frames[-1].mlat - first.mlat) / 12e6 == pytest.approx(23.917, abs=1e-3)


def test_any_chunking_gives_the_same_frames(sample: bytes) -> None:
    whole = BeastParser().feed(sample)
    for size in (1, 2, 3, 7, 13, 44, 1000):
        p = BeastParser()
        got: list[BeastFrame] = []
        for i in range(0, len(sample), size):
            got += p.feed(sample[i : i + size])
        p.close()
        assert got == whole, size
        assert p.counters.truncated == 0


def test_garbage_and_truncated_frames_are_counted(sample: bytes) -> None:
    whole = BeastParser().feed(sample)
    cut = 1000
    while sample[cut] != 0x1A or sample[cut - 1] == 0x1A:  # a frame start
        cut += 1
    nxt = sample.index(b"\x1a3", cut + 2)  # the next long frame start after it
    # garbage (no 0x1a) mid-stream, then half a frame cut by the next frame start
    stream = sample[:cut] + b"\x00\xffgarbage\x33" + sample[nxt : nxt + 9] + sample[cut:]
    p = BeastParser()
    frames = p.feed(stream[:2000]) + p.feed(stream[2000:])
    p.close()
    assert frames == whole
    assert p.counters.garbage_bytes == 10
    assert p.counters.resyncs == 1
    assert p.counters.truncated == 1


def test_unknown_type_and_stray_escapes_are_skipped() -> None:
    frame = encode_frame("3", 0x1A1A1A, 0x1A, bytes.fromhex("8d4840d6202cc371c32ce0576098"))
    status = encode_frame("4", 1, 2, bytes(14))
    stream = b"\x1a\x1a\x1a\x39xx" + frame + status + frame[:5]
    p = BeastParser()
    data = bytes.fromhex("8d4840d6202cc371c32ce0576098")
    assert p.feed(stream) == [BeastFrame("3", 0x1A1A1A, 0x1A, data)]
    assert p.counters.status == 1
    # "1a 1a" (2 bytes), "1a" before the unknown type "39" (1), "39" (1), "xx" (2)
    assert p.counters.garbage_bytes == 6
    assert p.counters.resyncs == 1
    p.close()
    assert p.counters.truncated == 1


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_fuzz_never_raises_nor_emits_wrong_lengths(chunks: list[bytes]) -> None:
    p = BeastParser()
    for chunk in chunks:
        for f in p.feed(chunk):
            assert len(f.data) == DATA_LEN[f.kind]
            assert 0 <= f.signal <= 255
            assert 0 <= f.mlat < 1 << 48
    p.close()
    assert p.counters.garbage_bytes <= sum(map(len, chunks))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["1", "2", "3"]),
            st.integers(0, (1 << 48) - 1),
            st.integers(0, 255),
            st.binary(min_size=14, max_size=14),
        ),
        max_size=10,
    ),
    st.integers(1, 50),
)
def test_roundtrip_encoded_frames(frames: list[tuple[str, int, int, bytes]], size: int) -> None:
    want = [BeastFrame(k, m, s, d[: DATA_LEN[k]]) for k, m, s, d in frames]
    stream = b"".join(encode_frame(*f) for f in want)
    p = BeastParser()
    got: list[BeastFrame] = []
    for i in range(0, len(stream), size):
        got += p.feed(stream[i : i + size])
    assert got == want
    assert p.counters.garbage_bytes == 0
