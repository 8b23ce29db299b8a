"""Alerts: rules, one alert per visit (updated, never repeated), an SQLite outbox.

visits / events / airspace crossings → :class:`AlertEngine` (rules from
:func:`load_config`) → :class:`AlertStore` (state, outbox, history) → sinks
(stdout, JSON lines, file, Apprise, capture). See ``docs/alerts.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tailwatch.alerts.config import AlertConfig, QuietHours, Rule, load_config
from tailwatch.alerts.engine import Alert, AlertEngine, DeliveryReport
from tailwatch.alerts.sinks import (
    AppriseSink,
    CaptureSink,
    DeliveryError,
    FileSink,
    JsonLinesSink,
    Message,
    Sink,
    StdoutSink,
    make_sink,
)
from tailwatch.alerts.store import AlertStore

if TYPE_CHECKING:
    from pathlib import Path

DB_NAME = "alerts.sqlite"


def default_db_path() -> Path:
    """``<tailwatch data dir>/alerts.sqlite`` (env ``TAILWATCH_DATA_DIR``); not created here."""
    from tailwatch.reference.store import data_dir

    return data_dir() / DB_NAME


__all__ = [
    "DB_NAME",
    "Alert",
    "AlertConfig",
    "AlertEngine",
    "AlertStore",
    "AppriseSink",
    "CaptureSink",
    "DeliveryError",
    "DeliveryReport",
    "FileSink",
    "JsonLinesSink",
    "Message",
    "QuietHours",
    "Rule",
    "Sink",
    "StdoutSink",
    "default_db_path",
    "load_config",
    "make_sink",
]
