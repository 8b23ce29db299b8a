"""Reconnection: a Beast server drops mid-frame, is down a while, comes back."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import pytest

from tailwatch.errors import FeedError
from tailwatch.live.beast import BeastParser, encode_frame
from tailwatch.live.connect import Backoff, tcp_chunks
from tailwatch.live.decode import DecoderSettings, ModeSDecoder
from tailwatch.live.feeds import beast_tcp
from tailwatch.live.status import FeedStatus

if TYPE_CHECKING:
    from pathlib import Path

CDG = (49.0097, 2.5479)


def test_backoff_grows_is_capped_and_jittered() -> None:
    bo = Backoff(initial_s=1.0, factor=2.0, cap_s=10.0, jitter=0.2)
    assert [bo.delay(n, rand=lambda: 0.5) for n in (1, 2, 3, 4, 5, 9)] == [1, 2, 4, 8, 10, 10]
    assert bo.delay(1, rand=lambda: 0.0) == pytest.approx(0.8)
    assert bo.delay(1, rand=lambda: 1.0) == pytest.approx(1.2)
    assert bo.delay(9, rand=lambda: 1.0) == 10.0


def beast_stream(adsb_dir: Path, n: int) -> tuple[bytes, list[int]]:
    """The first n frames of the rs1090 recording as Beast, and each frame's offset."""
    out = bytearray()
    offsets = []
    with (adsb_dir / "rs1090_frames_393322_2024-07-06.jsonl").open() as fh:
        for i, line in zip(range(n), fh, strict=False):
            frame = json.loads(line)["frame"]
            short = int(frame[:2], 16) >> 3 in (0, 4, 5, 11)
            data = bytes.fromhex(frame[:14] if short else frame)
            offsets.append(len(out))
            out += encode_frame("2" if short else "3", 1_000_000 + i * 12_000, 0x1A, data)
    return bytes(out), offsets


class FlakyServer:
    """Serves ``parts[k]`` to the k-th connection, then hangs up."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts = parts
        self.served = 0
        self.first_done = asyncio.Event()
        self.port = 0
        self._server: asyncio.Server | None = None

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        data = self.parts[min(self.served, len(self.parts) - 1)]
        self.served += 1
        for i in range(0, len(data), 4096):
            writer.write(data[i : i + 4096])
            await writer.drain()
        writer.close()
        await writer.wait_closed()
        self.first_done.set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self.handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()


@pytest.mark.timeout(30)
def test_drop_mid_stream_then_back(adsb_dir: Path) -> None:
    n = 3000
    stream, offsets = beast_stream(adsb_dir, n)
    cut_frame = 1700
    cut = offsets[cut_frame] + 9  # inside frame 1700: lost at the drop, sent again after
    server = FlakyServer([stream[:cut], stream[offsets[cut_frame] :]])

    async def outage() -> None:
        await server.first_done.wait()
        await server.stop()
        await asyncio.sleep(0.3)  # down: connections refused meanwhile
        await server.start()  # back, same port

    async def main() -> tuple[int, ModeSDecoder, BeastParser, FeedStatus]:
        await server.start()
        task = asyncio.create_task(outage())
        dec = ModeSDecoder(DecoderSettings(receiver=CDG))
        parser = BeastParser()
        status = FeedStatus("beast test")
        backoff = Backoff(initial_s=0.05, factor=2.0, cap_s=1.0, jitter=0.0)
        feed = beast_tcp(
            "127.0.0.1", server.port, dec, parser=parser, status=status, backoff=backoff
        )
        rows = 0
        async for df in feed:
            rows += df.height
            if parser.counters.frames >= n:
                break
        await feed.aclose()
        await task
        await server.stop()
        return rows, dec, parser, status

    rows, dec, parser, status = asyncio.run(main())
    assert parser.counters.frames == n  # every frame, the cut one included (re-sent)
    assert parser.counters.truncated == 1  # the half frame at the drop, counted
    assert status.connects == 2
    assert len(status.delays) >= 2  # refused while down: the delays grow
    assert status.delays[:3] == [0.05, 0.1, 0.2][: len(status.delays)]
    assert status.state == "connected"
    # the same positions as decoding all the frames in one go
    ref = ModeSDecoder(DecoderSettings(receiver=CDG))
    frames = BeastParser().feed(stream)
    assert rows == ref.decode([0.0] * n, [f.data for f in frames]).height > 0
    assert dec.counters.frames == n


async def _close(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()
    await writer.wait_closed()


@pytest.mark.timeout(10)
def test_gives_up_after_max_failures() -> None:
    async def main() -> FeedStatus:
        server = await asyncio.start_server(_close, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        server.close()
        await server.wait_closed()  # nothing listens there now
        status = FeedStatus("dead")
        with pytest.raises(FeedError, match="3 attempts"):
            async for _ in tcp_chunks(
                "127.0.0.1", port, status=status, backoff=Backoff(initial_s=0.01), max_failures=3
            ):
                pass
        return status

    status = asyncio.run(main())
    assert status.state == "failed"
    assert status.last_error
    assert "dead: failed" in status.line()
