"""A feed's state in one line: connected, reconnecting in N s, last error, counts.

Updated by the connection loops (:mod:`tailwatch.live.connect`) and by pollers;
read by whoever draws the status (the future ``watch`` daemon, tests). Plain data,
written from one task only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

State = Literal["idle", "connecting", "connected", "reconnecting", "stopped", "failed"]


@dataclass(slots=True)
class FeedStatus:
    """Current state of one feed (``name`` is e.g. ``"beast 127.0.0.1:30005"``)."""

    name: str
    state: State = "idle"
    since: datetime | None = None
    retry_at: float | None = None  # time.monotonic() of the next attempt
    last_error: str | None = None
    connects: int = 0
    failures: int = 0  # consecutive failed attempts
    bytes_in: int = 0
    messages: int = 0
    delays: list[float] = field(default_factory=list)  # back-off delays used, newest last

    def set(self, state: State, error: str | None = None) -> None:
        self.state = state
        self.since = datetime.now(UTC)
        if error is not None:
            self.last_error = error
        if state != "reconnecting":
            self.retry_at = None

    def connected(self) -> None:
        self.connects += 1
        self.set("connected")

    def reconnecting(self, delay: float, error: str) -> None:
        self.failures += 1
        self.delays.append(delay)
        del self.delays[:-20]
        self.set("reconnecting", error)
        self.retry_at = time.monotonic() + delay

    @property
    def retry_in(self) -> float | None:
        """Seconds until the next attempt, while reconnecting."""
        if self.retry_at is None:
            return None
        return max(0.0, self.retry_at - time.monotonic())

    def line(self) -> str:
        """e.g. ``beast 10.0.0.2:30005: reconnecting in 4.0 s (last error: refused)``."""
        parts = [f"{self.name}: {self.state}"]
        if self.state == "reconnecting" and self.retry_in is not None:
            parts[0] += f" in {self.retry_in:.1f} s"
        elif self.since is not None:
            parts[0] += f" since {self.since:%H:%M:%S} UTC"
        parts.append(f"{self.messages} msgs, {self.bytes_in / 1e6:.1f} MB in")
        if self.last_error and self.state != "connected":
            parts.append(f"last error: {self.last_error}")
        return ", ".join(parts)


__all__ = ["FeedStatus", "State"]
