"""SBS-1 lines: parsing rules, and a feed served by a local TCP server."""

from __future__ import annotations

import asyncio

import pytest

from tailwatch._schema import POSITIONS
from tailwatch.live.connect import Backoff
from tailwatch.live.feeds import sbs_tcp
from tailwatch.live.sbs import SbsDecoder

D = "2024/07/06,06:43:{s},2024/07/06,06:43:{s}"
LINES = [
    "MSG,1,1,1,4CA2D6,1," + D.format(s="09.000") + ",RYR123  ,,,,,,,,0,0,0,0",
    "MSG,6,1,1,4CA2D6,1," + D.format(s="09.100") + ",,,,,,,,7000,0,0,0,0",
    "MSG,4,1,1,4CA2D6,1," + D.format(s="09.500") + ",,,420,90.5,,,-640,,0,0,0,0",
    "MSG,3,1,1,4CA2D6,1," + D.format(s="10.000") + ",,37000,,,51.5,-0.1,,,0,0,0,0",
    "MSG,2,1,1,3C6444,1," + D.format(s="10.200") + ",,,12,271.0,50.03,8.56,,,,,,-1",
    "MSG,3,1,1,4CA2D6,1," + D.format(s="30.000") + ",,36975,,,51.6,-0.2,,,0,0,0,0",
    "MSG,3,1,1,4CA2D6,1," + D.format(s="31.000") + ",,36975,,,95.0,-0.2,,,0,0,0,0",
    "MSG,3,1,1,NOTHEX,1," + D.format(s="31.000") + ",,36975,,,51.0,-0.2,,,0,0,0,0",
    "MSG,3,1",
    "hello",
    "SEL,,496,2286,4CA4E5,27215,2010/02/19,18:06:07.710,2010/02/19,18:06:07.710,RYR1427",
    "STA,,5,179,400AE7,10103,2008/11/28,14:58:51.153,2008/11/28,14:58:51.153,RM",
]


def test_lines_to_positions() -> None:
    dec = SbsDecoder(source_file="sbs://test")
    out = dec.decode(LINES)
    assert out.schema == POSITIONS
    assert out.height == 3
    a, ground, later = out.rows(named=True)
    assert a["time"].isoformat() == "2024-07-06T06:43:10+00:00"
    assert (a["icao24"], a["callsign"], a["squawk"]) == ("4ca2d6", "RYR123", "7000")
    kinematics = (a["alt_baro_ft"], a["gs_kt"], a["track_deg"], a["vrate_fpm"])
    assert kinematics == (37000, 420, 90.5, -640)
    assert a["on_ground"] is False
    assert (ground["on_ground"], ground["gs_kt"], ground["alt_baro_ft"]) == (True, 12, None)
    assert later["gs_kt"] is None  # velocity 20.5 s old: not fresh
    assert later["callsign"] == "RYR123"  # identity lasts longer
    assert (dec.counters.bad, dec.counters.ignored) == (4, 2)


async def _serve(payloads: list[bytes], done: asyncio.Event) -> tuple[asyncio.Server, int]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            for p in payloads:
                writer.write(p)
                await writer.drain()
                await asyncio.sleep(0.01)
        finally:
            writer.close()
            await writer.wait_closed()
            done.set()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.mark.timeout(20)
def test_sbs_over_tcp() -> None:
    text = "\r\n".join(LINES).encode() + b"\r\n"
    # split anywhere, even inside lines: the feed reassembles them
    payloads = [text[i : i + 37] for i in range(0, len(text), 37)]

    async def main() -> tuple[int, SbsDecoder]:
        done = asyncio.Event()
        server, port = await _serve(payloads, done)
        dec = SbsDecoder()
        rows = 0
        async with server:
            feed = sbs_tcp("127.0.0.1", port, dec, backoff=Backoff(initial_s=0.01))
            async for df in feed:
                rows += df.height
                if dec.counters.lines >= len(LINES):
                    break
            await feed.aclose()
            await done.wait()
        return rows, dec

    rows, dec = asyncio.run(main())
    assert rows == 3
    assert (dec.counters.bad, dec.counters.ignored) == (4, 2)
