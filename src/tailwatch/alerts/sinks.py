"""Where alerts go: a small :class:`Sink` interface and the sinks tailwatch ships.

A sink's :meth:`~Sink.send` either returns (delivered, acknowledged) or raises
:class:`DeliveryError`; the engine records the attempt and retries later. A sink's
``name`` identifies it in the outbox (it is stored, so it never holds a password:
Apprise URLs are redacted) and must stay the same across restarts for pending
deliveries to resume.

* ``stdout`` — :class:`StdoutSink`, the text block on standard output;
* ``jsonl:PATH`` — :class:`JsonLinesSink`, one JSON object per alert version;
* ``file:PATH`` — :class:`FileSink`, the text block appended to a file;
* any Apprise URL — :class:`AppriseSink` (email, Telegram, Discord, ntfy, Matrix,
  Slack, Mastodon, webhooks: ``json://``...);
* :class:`CaptureSink` — keeps messages in memory, for tests.
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from tailwatch.errors import TailwatchError


class DeliveryError(TailwatchError):
    """A sink could not deliver a message (it will be retried)."""


@dataclass(frozen=True)
class Message:
    """What a sink delivers: one version of one alert, as text and as data."""

    alert_id: str
    version: int
    kind: str
    title: str
    body: str
    data: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class Sink(Protocol):
    """Delivers messages. ``send`` returns on success, raises DeliveryError otherwise."""

    name: str

    def send(self, message: Message) -> None: ...


class StdoutSink:
    """Title and body on the *current* standard output."""

    name = "stdout"

    def send(self, message: Message) -> None:
        try:
            sys.stdout.write(f"{message.title}\n{message.body}\n\n")
            sys.stdout.flush()
        except OSError as exc:
            msg = f"stdout: {exc}"
            raise DeliveryError(msg) from exc


class _FileBase:
    prefix = ""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.name = f"{self.prefix}{self.path}"
        self._lock = threading.Lock()

    def _line(self, message: Message) -> str:
        raise NotImplementedError

    def send(self, message: Message) -> None:
        text = self._line(message)
        try:
            with self._lock, self.path.open("a", encoding="utf-8") as f:
                f.write(text)
        except OSError as exc:
            msg = f"{self.name}: {exc}"
            raise DeliveryError(msg) from exc


class JsonLinesSink(_FileBase):
    """Appends one JSON object per alert version (``jsonl:PATH``)."""

    prefix = "jsonl:"

    def _line(self, message: Message) -> str:
        record = {"title": message.title, "body": message.body, **message.data}
        return json.dumps(record, ensure_ascii=False, default=str) + "\n"


class FileSink(_FileBase):
    """Appends the text block to a file (``file:PATH``)."""

    prefix = "file:"

    def _line(self, message: Message) -> str:
        return f"{message.title}\n{message.body}\n\n"


class CaptureSink:
    """Keeps every delivered message in :attr:`messages` (tests, embedding).

    ``fail`` makes the next *n* sends raise :class:`DeliveryError`, to exercise retries.
    """

    def __init__(self, name: str = "capture", *, fail: int = 0) -> None:
        self.name = name
        self.fail = fail
        self.messages: list[Message] = []
        self.calls = 0
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self.calls += 1
            if self.fail > 0:
                self.fail -= 1
                msg = f"{self.name}: simulated failure"
                raise DeliveryError(msg)
            self.messages.append(message)


class AppriseSink:
    """Any Apprise URL: ``mailto://``, ``tgram://``, ``discord://``, ``json://``...

    Apprise does not raise on a failed delivery; this sink turns its ``False`` (and
    the warnings it logged) into a :class:`DeliveryError`.
    """

    def __init__(self, url: str) -> None:
        from tailwatch.alerts._apprise import AppriseClient, redact

        self.name = redact(url)
        self._client = AppriseClient(url)

    def send(self, message: Message) -> None:
        ok, detail = self._client.notify(message.title, message.body)
        if not ok:
            msg = f"{self.name}: delivery failed" + (f" ({detail})" if detail else "")
            raise DeliveryError(msg)


def sink_name(spec: str) -> str:
    """The name the sink for ``spec`` is stored under in the outbox (no secrets)."""
    if spec == "stdout":
        return StdoutSink.name
    if spec.startswith("jsonl:"):
        return f"{JsonLinesSink.prefix}{Path(spec.removeprefix('jsonl:'))}"
    if spec.startswith("file:") and not spec.startswith("file://"):
        return f"{FileSink.prefix}{Path(spec.removeprefix('file:'))}"
    from tailwatch.alerts._apprise import redact

    return redact(spec)


def make_sink(spec: str) -> Sink:
    """The sink for a config entry: ``stdout``, ``jsonl:PATH``, ``file:PATH``, Apprise URL."""
    if spec == "stdout":
        return StdoutSink()
    if spec.startswith("jsonl:"):
        return JsonLinesSink(spec.removeprefix("jsonl:"))
    if spec.startswith("file:") and not spec.startswith("file://"):
        return FileSink(spec.removeprefix("file:"))
    return AppriseSink(spec)


__all__ = [
    "AppriseSink",
    "CaptureSink",
    "DeliveryError",
    "FileSink",
    "JsonLinesSink",
    "Message",
    "Sink",
    "StdoutSink",
    "make_sink",
    "sink_name",
]
