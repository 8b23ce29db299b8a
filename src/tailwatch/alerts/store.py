"""Alert state, outbox and history in one SQLite file (WAL mode).

Tables (all times ISO-8601 UTC text)::

    events       every take-off / landing / touch-and-go handed to the engine, with
                 its evidence (JSON), first time seen
    alerts       one row per (rule, visit) or (rule, airspace crossing): the current
                 version, kind, text and evidence; ``status`` "active" or "cooldown"
    versions     every version of every alert (landed -> stayed -> left ...)
    deliveries   the outbox: one row per (alert version, sink); "pending",
                 "delivered" or "superseded" (a newer version of the same alert was
                 queued for the same sink before this one went out)
    attempts     every delivery attempt: when, ok or the error

Durability: ``synchronous=FULL``; an alert and its outbox rows are written in one
transaction, so a crash leaves either both or neither. A new :class:`AlertStore` on
the same file resumes the pending deliveries.

Thread-safety: one connection shared under a re-entrant lock; every public method is
atomic and may be called from any thread.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    event_id TEXT PRIMARY KEY,
    icao24 TEXT NOT NULL,
    kind TEXT NOT NULL,
    time TEXT NOT NULL,
    airport TEXT,
    confidence TEXT,
    record TEXT NOT NULL,
    first_seen TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_time ON events(time);
CREATE TABLE IF NOT EXISTS alerts (
    alert_id TEXT PRIMARY KEY,
    rule TEXT NOT NULL,
    subject TEXT NOT NULL,
    icao24 TEXT NOT NULL,
    airport TEXT,
    country TEXT,
    kind TEXT NOT NULL,
    stage INTEGER NOT NULL,
    version INTEGER NOT NULL,
    status TEXT NOT NULL,
    event_time TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    record TEXT NOT NULL,
    UNIQUE (rule, subject)
);
CREATE INDEX IF NOT EXISTS alerts_icao ON alerts(rule, icao24, created_at);
CREATE TABLE IF NOT EXISTS versions (
    alert_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (alert_id, version)
);
CREATE TABLE IF NOT EXISTS deliveries (
    delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    sink TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before TEXT NOT NULL,
    next_attempt TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT,
    last_error TEXT,
    message TEXT NOT NULL,
    UNIQUE (alert_id, version, sink)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(status, next_attempt);
CREATE TABLE IF NOT EXISTS attempts (
    delivery_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL,
    error TEXT,
    PRIMARY KEY (delivery_id, n)
);
"""


def iso(t: datetime) -> str:
    """Aware datetime -> sortable ISO text in UTC (microseconds always present)."""
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


@dataclass(frozen=True)
class StoredAlert:
    """The state of one alert as stored (what the engine compares against)."""

    alert_id: str
    rule: str
    subject: str
    icao24: str
    kind: str
    stage: int
    version: int
    status: str
    created_at: datetime


@dataclass(frozen=True)
class PendingDelivery:
    delivery_id: int
    alert_id: str
    version: int
    sink: str
    attempts: int
    message: dict[str, Any]


class AlertStore:
    """SQLite alert state + outbox + history. ``":memory:"`` for tests.

    Use as a context manager or call :meth:`close`.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=5000")
        with self.transaction() as db:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
                (str(SCHEMA_VERSION),),
            )

    # -- plumbing -------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write transaction (re-entrant within a thread)."""
        with self._lock:
            if self._db.in_transaction:
                yield self._db
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return list(self._db.execute(sql, params))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> AlertStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def journal_mode(self) -> str:
        return str(self.query("PRAGMA journal_mode")[0][0])

    # -- events ----------------------------------------------------------------------
    def record_events(self, records: list[dict[str, Any]], seen_at: datetime) -> int:
        """Insert events not seen before (by ``event_id``); returns how many were new."""
        if not records:
            return 0
        rows = [
            (
                r["event_id"],
                r["icao24"],
                str(r["kind"]),
                iso(r["time"]),
                r.get("airport"),
                r.get("confidence"),
                _json(r),
                iso(seen_at),
            )
            for r in records
        ]
        with self.transaction() as db:
            before = db.total_changes
            db.executemany("INSERT OR IGNORE INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
            return db.total_changes - before

    # -- alerts ----------------------------------------------------------------------
    def get_alert(self, rule: str, subject: str) -> StoredAlert | None:
        rows = self.query(
            "SELECT alert_id, rule, subject, icao24, kind, stage, version, status, created_at "
            "FROM alerts WHERE rule = ? AND subject = ?",
            (rule, subject),
        )
        if not rows:
            return None
        r = rows[0]
        return StoredAlert(
            r["alert_id"],
            r["rule"],
            r["subject"],
            r["icao24"],
            r["kind"],
            r["stage"],
            r["version"],
            r["status"],
            parse_iso(r["created_at"]),
        )

    def last_delivered_alert_time(self, rule: str, icao24: str) -> datetime | None:
        """When the latest active (not cooled-down) alert of this aircraft was raised."""
        rows = self.query(
            "SELECT MAX(created_at) FROM alerts WHERE rule = ? AND icao24 = ? "
            "AND status = 'active'",
            (rule, icao24),
        )
        value = rows[0][0] if rows else None
        return parse_iso(value) if value else None

    def save_alert(
        self,
        record: dict[str, Any],
        *,
        stage: int,
        status: str,
        now: datetime,
        sinks: list[str],
        not_before: datetime,
    ) -> None:
        """Insert or update an alert, add its version, and queue it for each sink.

        Older undelivered versions of the same alert for the same sink are marked
        "superseded": the new version says everything they said.
        """
        version = int(record["version"])
        message = {
            "alert_id": record["alert_id"],
            "version": version,
            "kind": record["kind"],
            "title": record["title"],
            "body": record["body"],
            "data": record,
        }
        with self.transaction() as db:
            db.execute(
                "INSERT INTO alerts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(alert_id) DO UPDATE SET kind = excluded.kind, "
                "stage = excluded.stage, version = excluded.version, "
                "event_time = excluded.event_time, updated_at = excluded.updated_at, "
                "title = excluded.title, body = excluded.body, record = excluded.record",
                (
                    record["alert_id"],
                    record["rule"],
                    record["subject"],
                    record["icao24"],
                    record.get("airport"),
                    record.get("country"),
                    record["kind"],
                    stage,
                    version,
                    status,
                    record["event_time"],
                    iso(now),
                    iso(now),
                    record["title"],
                    record["body"],
                    _json(record),
                ),
            )
            db.execute(
                "INSERT OR REPLACE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record["alert_id"],
                    version,
                    record["kind"],
                    iso(now),
                    record["title"],
                    record["body"],
                    _json(record),
                ),
            )
            if status != "active":
                return
            for sink in sinks:
                db.execute(
                    "UPDATE deliveries SET status = 'superseded' WHERE alert_id = ? "
                    "AND sink = ? AND status = 'pending' AND version < ?",
                    (record["alert_id"], sink, version),
                )
                db.execute(
                    "INSERT OR IGNORE INTO deliveries (alert_id, version, sink, status, "
                    "not_before, next_attempt, created_at, message) "
                    "VALUES (?, ?, ?, 'pending', ?, ?, ?, ?)",
                    (
                        record["alert_id"],
                        version,
                        sink,
                        iso(not_before),
                        iso(not_before),
                        iso(now),
                        _json(message),
                    ),
                )

    # -- outbox ----------------------------------------------------------------------
    def due(self, now: datetime, sinks: list[str]) -> list[PendingDelivery]:
        """Pending deliveries for these sinks whose time has come, oldest first."""
        if not sinks:
            return []
        marks = ",".join("?" * len(sinks))
        rows = self.query(
            "SELECT delivery_id, alert_id, version, sink, attempts, message FROM deliveries "
            f"WHERE status = 'pending' AND next_attempt <= ? AND sink IN ({marks}) "
            "ORDER BY next_attempt, delivery_id",
            (iso(now), *sinks),
        )
        return [
            PendingDelivery(
                r["delivery_id"],
                r["alert_id"],
                r["version"],
                r["sink"],
                r["attempts"],
                json.loads(r["message"]),
            )
            for r in rows
        ]

    def is_pending(self, delivery_id: int) -> bool:
        rows = self.query("SELECT status FROM deliveries WHERE delivery_id = ?", (delivery_id,))
        return bool(rows) and rows[0][0] == "pending"

    def record_attempt(
        self,
        delivery_id: int,
        *,
        at: datetime,
        ok: bool,
        error: str | None,
        next_attempt: datetime | None,
    ) -> None:
        with self.transaction() as db:
            (n,) = db.execute(
                "SELECT attempts FROM deliveries WHERE delivery_id = ?", (delivery_id,)
            ).fetchone()
            db.execute(
                "INSERT INTO attempts VALUES (?, ?, ?, ?, ?)",
                (delivery_id, n + 1, iso(at), int(ok), error),
            )
            if ok:
                db.execute(
                    "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, "
                    "delivered_at = ?, last_error = NULL WHERE delivery_id = ?",
                    (iso(at), delivery_id),
                )
            else:
                assert next_attempt is not None
                db.execute(
                    "UPDATE deliveries SET attempts = attempts + 1, last_error = ?, "
                    "next_attempt = ? WHERE delivery_id = ?",
                    (error, iso(next_attempt), delivery_id),
                )

    def outbox_counts(self, now: datetime) -> dict[str, int]:
        """Deliveries by state: delivered, pending (due), held (not yet due), superseded."""
        rows = self.query(
            "SELECT CASE WHEN status = 'pending' AND next_attempt > ? THEN 'held' "
            "ELSE status END AS s, COUNT(*) FROM deliveries GROUP BY s",
            (iso(now),),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def pending_by_sink(self) -> dict[str, int]:
        """How many deliveries are still pending, per sink name."""
        rows = self.query(
            "SELECT sink, COUNT(*) FROM deliveries WHERE status = 'pending' GROUP BY sink"
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def next_due(self) -> datetime | None:
        rows = self.query("SELECT MIN(next_attempt) FROM deliveries WHERE status = 'pending'")
        value = rows[0][0] if rows else None
        return parse_iso(value) if value else None

    # -- history ---------------------------------------------------------------------
    def history(
        self,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        icao24: str | None = None,
        airport: str | None = None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(events, alerts) matching the filters; each alert with its deliveries."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("{t} >= ?")
            params.append(iso(since))
        if until is not None:
            where.append("{t} < ?")
            params.append(iso(until))
        if icao24:
            where.append("icao24 = ?")
            params.append(icao24.lower())
        if airport:
            where.append("airport = ?")
            params.append(airport.upper())
        ev_sql = " AND ".join(where).format(t="time") or "1"
        al_sql = " AND ".join(where).format(t="event_time") or "1"
        events = [
            json.loads(r["record"]) | {"first_seen": r["first_seen"]}
            for r in self.query(
                f"SELECT record, first_seen FROM events WHERE {ev_sql} ORDER BY time, event_id",
                tuple(params),
            )
        ]
        alerts: list[dict[str, Any]] = []
        for r in self.query(
            f"SELECT * FROM alerts WHERE {al_sql} ORDER BY event_time, alert_id", tuple(params)
        ):
            record = json.loads(r["record"])
            record["status"] = r["status"]
            record["created_at"] = r["created_at"]
            record["updated_at"] = r["updated_at"]
            record["versions"] = [
                {"version": v["version"], "kind": v["kind"], "at": v["at"], "title": v["title"]}
                for v in self.query(
                    "SELECT version, kind, at, title FROM versions WHERE alert_id = ? "
                    "ORDER BY version",
                    (r["alert_id"],),
                )
            ]
            record["deliveries"] = [
                {
                    "version": d["version"],
                    "sink": d["sink"],
                    "status": d["status"],
                    "attempts": d["attempts"],
                    "delivered_at": d["delivered_at"],
                    "last_error": d["last_error"],
                    "attempt_log": [
                        {"n": a["n"], "at": a["at"], "ok": bool(a["ok"]), "error": a["error"]}
                        for a in self.query(
                            "SELECT * FROM attempts WHERE delivery_id = ? ORDER BY n",
                            (d["delivery_id"],),
                        )
                    ],
                }
                for d in self.query(
                    "SELECT * FROM deliveries WHERE alert_id = ? ORDER BY version, sink",
                    (r["alert_id"],),
                )
            ]
            alerts.append(record)
        return events, alerts


__all__ = ["AlertStore", "PendingDelivery", "StoredAlert", "iso", "parse_iso"]
