"""Poll a readsb / dump1090 ``aircraft.json`` URL (local receiver or a compatible API).

Parsing is the batch reader's (:mod:`tailwatch.sources.aircraft_json`, same
checks and quarantine): a position's time is ``now - seen_pos``. Polling adds one
thing: a position already emitted (same aircraft, same or older time) is not
emitted again, since an aircraft keeps its last position in every snapshot until
it times out.

The HTTP client is injected (``httpx.Client``; tests use ``httpx.MockTransport``).
Failed polls (HTTP errors, bad JSON) are counted and retried with back-off.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx
import polars as pl

from tailwatch._schema import POSITIONS
from tailwatch.errors import FeedError, TailwatchError
from tailwatch.live.connect import Backoff
from tailwatch.live.status import FeedStatus
from tailwatch.sources._blob import Blob
from tailwatch.sources.aircraft_json import stage
from tailwatch.sources.validate import check

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable


@dataclass(slots=True)
class PollCounters:
    polls: int = 0
    failed: int = 0
    positions: int = 0
    repeated: int = 0  # positions already emitted by an earlier poll
    quarantined: int = 0


class AircraftJsonPoller:
    """``poll()`` -> new positions since the last poll. Not thread-safe."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.Client | None = None,
        timeout_s: float = 5.0,
        status: FeedStatus | None = None,
    ) -> None:
        self.url = url
        self._client = client if client is not None else httpx.Client(timeout=timeout_s)
        self.status = status if status is not None else FeedStatus(f"aircraft.json {url}")
        self.counters = PollCounters()
        self._last: dict[str, int] = {}  # icao24 -> time (us) of its last emitted position

    def poll(self) -> pl.DataFrame:
        """One GET; raises :class:`FeedError` when it fails (counted)."""
        self.counters.polls += 1
        try:
            resp = self._client.get(self.url)
            resp.raise_for_status()
            good, quarantine = self._parse(resp.content)
        except (httpx.HTTPError, TailwatchError) as exc:
            self.counters.failed += 1
            msg = f"{self.url}: {exc}"
            raise FeedError(msg) from exc
        self.counters.quarantined += quarantine.height
        fresh = self._only_new(good)
        self.counters.positions += fresh.height
        self.status.messages += fresh.height
        return fresh

    def _parse(self, content: bytes) -> tuple[pl.DataFrame, pl.DataFrame]:
        blob = Blob(name=self.url, data=content)
        checked = check(stage(blob), blob.name, "aircraft_json", epoch_only=True)
        return checked.good.select(POSITIONS.names()), checked.quarantine

    def _only_new(self, good: pl.DataFrame) -> pl.DataFrame:
        if good.is_empty():
            return good
        us = good["time"].dt.epoch("us")
        keep = [
            t is not None and t > self._last.get(icao, -1)
            for icao, t in zip(good["icao24"], us, strict=True)
        ]
        out = good.filter(pl.Series(keep, dtype=pl.Boolean))
        self.counters.repeated += good.height - out.height
        for icao, t in zip(out["icao24"], out["time"].dt.epoch("us"), strict=True):
            self._last[icao] = max(t, self._last.get(icao, -1))
        return out

    async def run(
        self,
        *,
        interval_s: float = 1.0,
        backoff: Backoff | None = None,
        max_failures: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> AsyncIterator[pl.DataFrame]:
        """Poll every ``interval_s`` forever; failures back off, as TCP feeds do."""
        bo = backoff or Backoff()
        failures = 0
        while True:
            try:
                frame = await asyncio.to_thread(self.poll)
            except FeedError as exc:
                failures += 1
                if max_failures is not None and failures >= max_failures:
                    self.status.set("failed", str(exc))
                    raise
                delay = bo.delay(failures)
                self.status.reconnecting(delay, str(exc))
                await sleep(delay)
                continue
            if failures or self.status.state != "connected":
                self.status.connected()
            failures = 0
            self.status.failures = 0
            yield frame
            await sleep(interval_s)

    def close(self) -> None:
        self._client.close()


__all__ = ["AircraftJsonPoller", "PollCounters"]
