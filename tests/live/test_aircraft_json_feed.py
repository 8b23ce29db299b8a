"""aircraft.json polling through an injected httpx client (MockTransport)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tailwatch._schema import POSITIONS
from tailwatch.errors import FeedError
from tailwatch.live.aircraft_json_feed import AircraftJsonPoller
from tailwatch.live.connect import Backoff

URL = "http://127.0.0.1:8080/data/aircraft.json"
T0 = 1720248200.0  # 2024-07-06 06:43:20 UTC


def snapshot(now: float, seen_pos: float) -> dict[str, object]:
    return {
        "now": now,
        "messages": 1234,
        "aircraft": [
            {
                "hex": "393322",
                "flight": "AFR34ZG ",
                "lat": 49.0058,
                "lon": 2.5735,
                "alt_baro": "ground",
                "gs": 3.5,
                "track": 90.0,
                "squawk": "1000",
                "seen_pos": seen_pos,
            },
            {"hex": "4ca2d6", "alt_baro": 37000, "seen": 0.5},  # Mode S only: no position
        ],
    }


def test_poll_emits_each_position_once() -> None:
    answers = iter([snapshot(T0, 1.5), snapshot(T0 + 1, 2.5), snapshot(T0 + 2, 0.5)])

    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url == URL
        return httpx.Response(200, json=next(answers))

    poller = AircraftJsonPoller(URL, client=httpx.Client(transport=httpx.MockTransport(handler)))
    first = poller.poll()
    assert first.schema == POSITIONS
    row = first.row(0, named=True)
    assert row["time"].timestamp() == T0 - 1.5  # now - seen_pos
    assert (row["icao24"], row["callsign"], row["on_ground"]) == ("393322", "AFR34ZG", True)
    assert first.height == 1
    assert poller.poll().height == 0  # the same position (T0 + 1 - 2.5) again
    assert poller.poll().height == 1  # a new one at T0 + 1.5
    assert (poller.counters.polls, poller.counters.repeated, poller.counters.positions) == (3, 1, 2)


def test_failures_raise_feed_error_and_run_backs_off() -> None:
    calls = [0]

    def handler(request: httpx.Request) -> httpx.Response:
        calls[0] += 1
        if calls[0] <= 2:
            return httpx.Response(500)
        if calls[0] == 3:
            return httpx.Response(200, content=b"{not json")
        return httpx.Response(200, json=snapshot(T0 + calls[0], 0.0))

    poller = AircraftJsonPoller(URL, client=httpx.Client(transport=httpx.MockTransport(handler)))
    with pytest.raises(FeedError, match="500"):
        poller.poll()
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    async def main() -> int:
        got = 0
        run = poller.run(interval_s=1.0, backoff=Backoff(initial_s=0.5, jitter=0.0), sleep=sleep)
        async for df in run:
            got += df.height
            if got == 2 or len(delays) > 10:
                break
        await run.aclose()
        return got

    assert asyncio.run(main()) == 2
    assert delays == [0.5, 1.0, 1.0]  # two failures backed off, then the poll interval
    assert poller.counters.failed == 3
    assert poller.status.state == "connected"
