"""TCP client that keeps a feed alive: reconnect with capped, jittered exponential back-off.

:func:`tcp_chunks` yields ``(connection_number, bytes)`` for as long as the caller
iterates; a dropped or refused connection is retried after
``initial_s * factor ** (n - 1)`` seconds (n = consecutive failures), capped at
``cap_s`` and spread by +-``jitter`` so that many clients do not reconnect in step.
The failure count resets only once a connection has delivered data, so a server
that accepts and closes at once still backs off. After ``max_failures``
consecutive failures (if set) it raises :class:`FeedError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tailwatch.errors import FeedError
from tailwatch.live.status import FeedStatus

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable


@dataclass(frozen=True, slots=True)
class Backoff:
    initial_s: float = 0.5
    factor: float = 2.0
    cap_s: float = 30.0
    jitter: float = 0.2  # fraction of the delay

    def delay(self, failures: int, rand: Callable[[], float] = random.random) -> float:
        base = min(self.cap_s, self.initial_s * self.factor ** max(0, failures - 1))
        spread = base * self.jitter * (2.0 * rand() - 1.0)
        return max(0.0, min(self.cap_s, base + spread))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)


async def tcp_chunks(
    host: str,
    port: int,
    *,
    status: FeedStatus | None = None,
    backoff: Backoff | None = None,
    read_size: int = 1 << 16,
    connect_timeout_s: float = 10.0,
    idle_timeout_s: float | None = 60.0,
    max_failures: int | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[tuple[int, bytes]]:
    """Bytes from ``host:port`` forever, reconnecting; ``idle_timeout_s`` of silence
    counts as a dead connection (receivers send several messages a second)."""
    st = status if status is not None else FeedStatus(f"{host}:{port}")
    bo = backoff or Backoff()
    failures = 0
    while True:
        st.set("connecting")
        error = "unknown"
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(host, port), connect_timeout_s
            )
        except (OSError, TimeoutError) as exc:
            error = _describe(exc)
        else:
            st.connected()
            try:
                while True:
                    data = await asyncio.wait_for(reader.read(read_size), idle_timeout_s)
                    if not data:
                        error = "connection closed by peer"
                        break
                    failures = 0
                    st.failures = 0
                    st.bytes_in += len(data)
                    yield st.connects, data
            except (OSError, TimeoutError) as exc:
                error = _describe(exc)
            finally:
                writer.close()
                with contextlib.suppress(OSError):
                    await writer.wait_closed()
        failures += 1
        if max_failures is not None and failures >= max_failures:
            st.set("failed", error)
            msg = f"{host}:{port}: {error} ({failures} attempts in a row)"
            raise FeedError(msg)
        delay = bo.delay(failures)
        st.reconnecting(delay, error)
        await sleep(delay)


__all__ = ["Backoff", "tcp_chunks"]
