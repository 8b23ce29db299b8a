"""The alert engine: visits and events in, one alert per visit out, through an outbox.

For each rule and each visit the engine works out the furthest *stage* the visit has
reached that the rule alerts on::

    landed (1)  ->  stayed (2, dwell ≥ min_minutes)  ->  left | stopover (3)

and compares it with what it stored for (rule, ``stay_id``). No alert yet: a new alert
(version 1). A later stage: the same alert, next version (kind "left" with the dwell).
The same or an earlier stage (a repeated batch, signal flicker, a visit that vanishes
and comes back with the same ``stay_id``): nothing. Airspace crossings are keyed by
(aircraft, country, time) the same way.

Each new version is written with its outbox rows (one per sink) in one transaction;
:meth:`AlertEngine.deliver_pending` sends what is due, records every attempt, and
retries failures with capped exponential back-off. Nothing is dropped: quiet hours
hold a delivery until they end, a per-aircraft cooldown records the alert in history
without pushing it.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import polars as pl

from tailwatch.alerts.sinks import DeliveryError, Message, Sink, make_sink, sink_name
from tailwatch.alerts.store import iso
from tailwatch.report.sentences import format_duration, format_time

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from tailwatch.alerts.config import AlertConfig, Rule
    from tailwatch.alerts.store import AlertStore
    from tailwatch.reference.watchlists import Watchlists

STAGES: dict[str, int] = {"landed": 1, "stayed": 2, "left": 3, "stopover": 3, "airspace": 1}

CONFIDENCE_WORDS: dict[str, str] = {
    "observed": "observed (the receiver saw it on or at the runway)",
    "inferred": "inferred (signal lost or regained close to the runway, not seen on the ground)",
}

_OPEN_TAIL = "was still there at the end of the data"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _held_until(rule: Rule, at: datetime) -> datetime | None:
    """When a new alert of ``rule`` raised at ``at`` may go out (quiet hours), or None."""
    return rule.quiet.held_until(at) if rule.quiet is not None else None


@dataclass(frozen=True)
class Alert:
    """One version of one alert, as raised by :meth:`AlertEngine.handle`."""

    alert_id: str
    version: int
    rule: str
    kind: str  # landed | stayed | left | stopover | airspace
    subject: str  # the visit's stay_id, or the airspace crossing's id
    icao24: str
    registration: str | None
    airport: str | None
    country: str | None
    event_time: datetime
    raised_at: datetime
    confidence: str | None
    dwell_s: float | None
    title: str
    text: str
    link: str
    status: str = "active"  # "cooldown": recorded, not delivered
    held_until: datetime | None = None  # quiet hours: delivered at this time
    evidence: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """A JSON-ready dict (times as ISO-8601 UTC)."""
        out = asdict(self)
        for key in ("event_time", "raised_at", "held_until"):
            value = out[key]
            out[key] = iso(value) if value is not None else None
        out["body"] = out.pop("text")
        return out


@dataclass(frozen=True)
class DeliveryReport:
    """What one :meth:`AlertEngine.deliver_pending` call did."""

    attempted: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0  # still waiting after this call (failed, held, or not due yet)
    next_attempt: datetime | None = None
    errors: tuple[str, ...] = ()


def _alert_id(rule: str, subject: str) -> str:
    return "alert-" + hashlib.sha1(f"{rule}\0{subject}".encode()).hexdigest()[:16]


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(min(1.0, a)))


def _as_utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


class AlertEngine:
    """Turns visits / events / airspace crossings into alerts, and delivers them.

    State contract: every piece of state lives in the :class:`AlertStore` (SQLite); the
    engine itself keeps only the config, the sinks and a cache of airport positions.
    So a new engine on the same store file continues exactly where the old one
    stopped: alerts already raised are not raised again, pending deliveries resume.
    ``handle`` is idempotent: the same inputs twice raise nothing new.

    Thread-safety: ``handle`` and ``deliver_pending`` may be called from different
    threads (e.g. the tracker thread and a delivery thread). ``handle`` calls are
    serialised by a lock; ``deliver_pending`` calls are serialised by another and
    call the sinks *outside* the store lock, so a slow endpoint never blocks
    detection. Sinks are called from one thread at a time.

    Times: ``now`` is the stream time (the tracker's clock: wall time live, the
    recording's time on a replay); it decides dwell for "stayed", quiet hours,
    cooldowns and back-off. Pass the same clock to ``handle`` and
    ``deliver_pending``. ``clock`` is used when ``now`` is not given.

    Sinks: each rule's alerts go to its own ``sinks`` or, without them, to the
    config's global list; every version gets one outbox row per sink *of its rule*.
    ``sinks=None`` builds every sink the config names (:func:`make_sink`); a mapping
    ``{config spec: Sink}`` replaces the sinks of those specs (the others are built);
    a sequence replaces every sink of every rule (tests, embedding).
    """

    def __init__(
        self,
        config: AlertConfig,
        store: AlertStore,
        sinks: Sequence[Sink] | Mapping[str, Sink] | None = None,
        clock: Callable[[], datetime] | None = None,
        *,
        watchlists: Watchlists | None = None,
    ) -> None:
        self.config = config
        self.store = store
        self.sinks: list[Sink]
        self._routes: dict[str, tuple[str, ...]]
        self.sinks, self._routes = _route(config, sinks)
        self.clock: Callable[[], datetime] = clock or _utc_now
        self.watchlists = watchlists
        self._handle_lock = threading.Lock()
        self._deliver_lock = threading.Lock()
        self._airport_pos: dict[str, tuple[float, float] | None] = {}

    # -- raising alerts -----------------------------------------------------------------
    def handle(
        self,
        visits: pl.DataFrame,
        events: pl.DataFrame | None = None,
        now: datetime | None = None,
        airspace: pl.DataFrame | None = None,
    ) -> list[Alert]:
        """Record events, raise new alerts and updates; return them (not yet delivered).

        ``visits``: VISITS rows (every visit the tracker knows, open or closed).
        ``events``: EVENTS rows (stored in the history; the evidence of the alerts).
        ``airspace``: rows (icao24, time, country) of entries into a country's airspace.
        Returned alerts include those held by quiet hours (``held_until``) but not
        those recorded under a cooldown.
        """
        at = _as_utc(now) if now is not None else _as_utc(self.clock())
        with self._handle_lock:
            event_rows = events.to_dicts() if events is not None and events.height else []
            self.store.record_events(event_rows, at)
            by_event = {e["event_id"]: e for e in event_rows}
            raised: list[Alert] = []
            rows = visits.to_dicts() if visits.height else []
            watch_by_icao: dict[str, list[dict[str, Any]]] = {}
            for v in rows:
                watch_by_icao.setdefault(v["icao24"], v.get("watch") or [])
            for rule in self.config.rules:
                for v in rows:
                    alert = self._visit(rule, v, by_event, at)
                    if alert is not None and alert.status == "active":
                        raised.append(alert)
                if airspace is not None and "airspace" in rule.kinds and airspace.height:
                    for row in airspace.sort("time").to_dicts():
                        alert = self._crossing(rule, row, watch_by_icao, at)
                        if alert is not None:
                            raised.append(alert)
            return raised

    def _watch_ok(self, rule: Rule, icao24: str, watch: list[dict[str, Any]]) -> bool:
        if rule.icao24 and icao24 not in rule.icao24:
            return False
        selective = rule.watchlists or rule.categories or rule.tags or rule.labels
        if not selective:
            return bool(watch) or not rule.watched_only or bool(rule.icao24)
        for w in watch:
            if rule.watchlists and w.get("source") not in rule.watchlists:
                continue
            if rule.categories and w.get("category") not in rule.categories:
                continue
            if rule.labels and w.get("label") not in rule.labels:
                continue
            if rule.tags and not set(w.get("tags") or ()) & set(rule.tags):
                continue
            return True
        return False

    def _airport_position(self, icao: str) -> tuple[float, float] | None:
        if icao not in self._airport_pos:
            from tailwatch.reference.airports import AirportIndex

            ap = AirportIndex.default().airports.filter(pl.col("icao") == icao)
            self._airport_pos[icao] = (ap["lat"][0], ap["lon"][0]) if ap.height else None
        return self._airport_pos[icao]

    def _place_ok(self, rule: Rule, airport: str | None, country: str | None) -> bool:
        if not (rule.airports or rule.countries or rule.near):
            return True
        if airport and airport in rule.airports:
            return True
        if country and country in rule.countries:
            return True
        if rule.near is not None and airport:
            pos = self._airport_position(airport)
            if pos is not None:
                d = _haversine_km(rule.near.lat, rule.near.lon, *pos)
                return d <= rule.near.radius_km
        return False

    def _stage(self, rule: Rule, v: dict[str, Any], at: datetime) -> str | None:
        """The furthest stage of this visit that the rule alerts on (None: none yet)."""
        departed = not v["open"] and v["departure_time"] is not None
        if departed:
            dep_conf = v["departure_confidence"]
            if dep_conf is None and v["departure_is_upper_bound"]:
                dep_conf = "inferred"  # seen airborne again: it left, time bounded above
            if rule.accepts(dep_conf):
                dwell = v["dwell_s"]
                short = dwell is not None and dwell <= rule.stopover_max_minutes * 60
                if "stopover" in rule.kinds and short and not v["arrival_is_lower_bound"]:
                    return "stopover"
                if "left" in rule.kinds:
                    return "left"
        if v["arrival_is_lower_bound"] or not rule.accepts(v["arrival_confidence"]):
            return None
        if "stayed" in rule.kinds:
            arrival = _as_utc(v["arrival_time"])
            end = _as_utc(v["departure_time"]) if departed else at
            dwell_s = max(v["dwell_s"] or 0.0, (end - arrival).total_seconds())
            if dwell_s >= rule.min_minutes * 60:
                return "stayed"
        if "landed" in rule.kinds:
            return "landed"
        return None

    def _visit(
        self, rule: Rule, v: dict[str, Any], by_event: dict[str, dict[str, Any]], at: datetime
    ) -> Alert | None:
        if not self._watch_ok(rule, v["icao24"], v.get("watch") or []):
            return None
        if not self._place_ok(rule, v["airport"], v.get("airport_country")):
            return None
        kind = self._stage(rule, v, at)
        if kind is None:
            return None
        stored = self.store.get_alert(rule.name, v["stay_id"])
        if stored is not None and stored.stage >= STAGES[kind]:
            return None
        return self._raise(rule, kind, v, by_event, at, stored_version=stored)

    def _raise(
        self,
        rule: Rule,
        kind: str,
        v: dict[str, Any],
        by_event: dict[str, dict[str, Any]],
        at: datetime,
        stored_version: Any,
    ) -> Alert:
        version = 1 if stored_version is None else stored_version.version + 1
        status = (
            self._new_status(rule, v["icao24"], at)
            if stored_version is None
            else stored_version.status
        )
        departed = kind in ("left", "stopover")
        arrival = _as_utc(v["arrival_time"])
        if departed:
            event_time = _as_utc(v["departure_time"])
            confidence = v["departure_confidence"] or (
                "inferred" if v["departure_is_upper_bound"] else None
            )
            dwell: float | None = v["dwell_s"]
        else:
            event_time = arrival
            confidence = v["arrival_confidence"]
            dwell = max(v["dwell_s"] or 0.0, (at - arrival).total_seconds())
        watch = (v.get("watch") or [{}])[0]
        who = v.get("registration") or v["icao24"]
        where = f"{v.get('airport_name') or v['airport']} ({v['airport']})"
        title = {
            "landed": f"{who} landed at {where}",
            "stayed": f"{who} has been at {where} for {format_duration(dwell or 0.0)}",
            "left": f"{who} left {where}"
            + (f" after {format_duration(dwell)}" if dwell is not None else ""),
            "stopover": f"{who} made a {format_duration(dwell or 0.0, adjective=True)} "
            f"stop-over at {where}",
        }[kind]
        sentence = str(v.get("sentence") or title)
        if v["open"]:
            sentence = sentence.replace(_OPEN_TAIL, "was still there at the last report")
        event_id = v["departure_event_id"] if departed else v["arrival_event_id"]
        event = by_event.get(event_id or "")
        link = self._link(v["icao24"], event_time, v.get("registration"))
        lines = [sentence, ""]
        lines.append(f"Aircraft: {who} ({v['icao24']})" + _type_part(v))
        if watch:
            lines.append(
                f"Watchlist: {watch.get('label') or '?'} — {watch.get('source') or '?'}"
                + (f": {watch['category']}" if watch.get("category") else "")
            )
        lines.append(
            f"Airport: {where}, {v.get('airport_country') or '?'}"
            f"{' — runway ' + str(v['arrival_runway']) if v.get('arrival_runway') else ''}"
        )
        lines.append(f"Time: {format_time(event_time)}")
        if dwell is not None and kind != "landed":
            lines.append(f"On the ground: {format_duration(dwell)}")
        lines.append(f"Confidence: {CONFIDENCE_WORDS.get(confidence or '', confidence)}")
        if event is not None and event.get("reason"):
            lines.append(f"Why: {event['reason']}")
        lines.append(f"Map: {link}")
        evidence = {
            "visit": {k: v.get(k) for k in _VISIT_EVIDENCE},
            "event": _event_evidence(event),
        }
        held = _held_until(rule, at)
        alert = Alert(
            alert_id=_alert_id(rule.name, v["stay_id"]),
            version=version,
            rule=rule.name,
            kind=kind,
            subject=v["stay_id"],
            icao24=v["icao24"],
            registration=v.get("registration"),
            airport=v["airport"],
            country=v.get("airport_country"),
            event_time=event_time,
            raised_at=at,
            confidence=confidence,
            dwell_s=dwell,
            title=title,
            text="\n".join(lines),
            link=link,
            status=status,
            held_until=held,
            evidence=evidence,
        )
        self._save(alert, at)
        return alert

    def _new_status(self, rule: Rule, icao24: str, at: datetime) -> str:
        """``cooldown`` within the rule's cooldown of its last delivered alert on the
        aircraft, else ``active``."""
        if rule.cooldown_minutes > 0:
            last = self.store.last_delivered_alert_time(rule.name, icao24)
            if last is not None and at - last < timedelta(minutes=rule.cooldown_minutes):
                return "cooldown"
        return "active"

    def _crossing(
        self,
        rule: Rule,
        row: dict[str, Any],
        watch_by_icao: dict[str, list[dict[str, Any]]],
        at: datetime,
    ) -> Alert | None:
        icao24 = str(row["icao24"]).lower()
        country = str(row["country"]).upper() if row.get("country") else None
        when = _as_utc(row["time"])
        watch = watch_by_icao.get(icao24)
        if watch is None and self.watchlists is not None:
            found = self.watchlists.watch_column(
                pl.Series([icao24]), pl.Series([when], dtype=pl.Datetime("us", "UTC"))
            )
            watch = list(found[0]) if len(found) else []
        if not self._watch_ok(rule, icao24, watch or []):
            return None
        if rule.countries and country not in rule.countries:
            return None
        subject = f"airspace:{icao24}:{country}:{iso(when)}"
        stored = self.store.get_alert(rule.name, subject)
        if stored is not None:
            return None
        status = self._new_status(rule, icao24, at)
        w = (watch or [{}])[0]
        who = icao24.upper()
        before = row.get("previous_country")
        title = f"{who} entered the airspace of {country}" + (f" from {before}" if before else "")
        link = self._link(icao24, when, None)
        lines = [f"{title} at {format_time(when)}.", ""]
        if w:
            lines.append(f"Watchlist: {w.get('label') or '?'} — {w.get('source') or '?'}")
        lines.append(f"Map: {link}")
        alert = Alert(
            alert_id=_alert_id(rule.name, subject),
            version=1,
            rule=rule.name,
            kind="airspace",
            subject=subject,
            icao24=icao24,
            registration=None,
            airport=None,
            country=country,
            event_time=when,
            raised_at=at,
            confidence=None,
            dwell_s=None,
            title=title,
            text="\n".join(lines),
            link=link,
            status=status,
            held_until=_held_until(rule, at),
            evidence={"crossing": {**row, "icao24": icao24, "country": country, "time": iso(when)}},
        )
        self._save(alert, at)
        return alert if status == "active" else None

    def _link(self, icao24: str, t: datetime, registration: str | None) -> str:
        return self.config.link.format(
            icao24=icao24, date=t.strftime("%Y-%m-%d"), registration=registration or ""
        )

    def sinks_for(self, rule: str) -> list[Sink]:
        """The sinks a rule's alerts are queued for."""
        by_name = {s.name: s for s in self.sinks}
        return [by_name[name] for name in self._routes.get(rule, ())]

    def unrouted_pending(self) -> dict[str, int]:
        """Pending deliveries for sinks this engine does not have (``{sink: count}``).

        They stay in the outbox (never dropped) and go out once a config names that
        sink again; the CLI warns about them at start-up.
        """
        known = {s.name for s in self.sinks}
        return {k: n for k, n in self.store.pending_by_sink().items() if k not in known}

    def _save(self, alert: Alert, at: datetime) -> None:
        self.store.save_alert(
            alert.record(),
            stage=STAGES[alert.kind],
            status=alert.status,
            now=at,
            sinks=list(self._routes.get(alert.rule, ())),
            not_before=alert.held_until or at,
        )

    # -- delivering -------------------------------------------------------------------
    def backoff(self, attempts: int) -> timedelta:
        """Delay before retry number ``attempts`` (1 = first retry): base·2ⁿ⁻¹, capped."""
        base = self.config.retry_base_seconds
        seconds = min(base * 2.0 ** max(0, attempts - 1), self.config.retry_max_seconds)
        return timedelta(seconds=seconds)

    def deliver_pending(self, now: datetime | None = None) -> DeliveryReport:
        """Send every due delivery once; record each attempt; schedule retries."""
        at = _as_utc(now) if now is not None else _as_utc(self.clock())
        by_name = {s.name: s for s in self.sinks}
        attempted = delivered = failed = 0
        errors: list[str] = []
        with self._deliver_lock:
            for d in self.store.due(at, list(by_name)):
                if not self.store.is_pending(d.delivery_id):  # superseded meanwhile
                    continue
                m = d.message
                message = Message(
                    m["alert_id"], m["version"], m["kind"], m["title"], m["body"], m["data"]
                )
                attempted += 1
                try:
                    by_name[d.sink].send(message)
                except DeliveryError as exc:
                    error: str | None = str(exc)
                except Exception as exc:
                    error = f"{type(exc).__name__}: {exc}"
                else:
                    error = None
                if error is None:
                    delivered += 1
                    self.store.record_attempt(
                        d.delivery_id, at=at, ok=True, error=None, next_attempt=None
                    )
                else:
                    failed += 1
                    errors.append(error)
                    self.store.record_attempt(
                        d.delivery_id,
                        at=at,
                        ok=False,
                        error=error,
                        next_attempt=at + self.backoff(d.attempts + 1),
                    )
        counts = self.store.outbox_counts(at)
        return DeliveryReport(
            attempted=attempted,
            delivered=delivered,
            failed=failed,
            pending=counts.get("pending", 0) + counts.get("held", 0),
            next_attempt=self.store.next_due(),
            errors=tuple(errors),
        )


def _route(
    config: AlertConfig, given: Sequence[Sink] | Mapping[str, Sink] | None
) -> tuple[list[Sink], dict[str, tuple[str, ...]]]:
    """The engine's sinks, and each rule's sink names (see :class:`AlertEngine`)."""
    if given is not None and not isinstance(given, Mapping):
        chosen = list(given)
        names = [s.name for s in chosen]
        if len(set(names)) != len(names):
            msg = f"two sinks share a name: {names}"
            raise ValueError(msg)
        return chosen, {rule.name: tuple(names) for rule in config.rules}
    replace = dict(given or {})
    unused = sorted(set(replace) - set(config.all_sinks))
    if unused:
        msg = f"no rule and no [alerts] sinks list uses {unused}"
        raise ValueError(msg)
    by_name: dict[str, Sink] = {}
    spec_name: dict[str, str] = {}
    for spec in config.all_sinks:
        # "jsonl:./a" and "jsonl:a" are one sink
        sink = replace[spec] if spec in replace else by_name.get(sink_name(spec))
        sink = sink if sink is not None else make_sink(spec)
        if by_name.setdefault(sink.name, sink) is not sink:
            msg = f"two sinks share the name {sink.name!r}"
            raise ValueError(msg)
        spec_name[spec] = sink.name
    routes = {
        rule.name: tuple(dict.fromkeys(spec_name[s] for s in config.sinks_for(rule)))
        for rule in config.rules
    }
    return list(by_name.values()), routes


_VISIT_EVIDENCE = (
    "stay_id",
    "icao24",
    "airport",
    "arrival_time",
    "arrival_is_lower_bound",
    "arrival_confidence",
    "arrival_runway",
    "arrival_event_id",
    "departure_time",
    "departure_is_upper_bound",
    "departure_confidence",
    "departure_event_id",
    "open",
    "dwell_s",
    "dwell_bound",
    "reason",
    "watch",
    "sentence",
)


def _event_evidence(event: dict[str, Any] | None) -> dict[str, Any] | None:
    if event is None:
        return None
    keep = ("event_id", "kind", "time", "airport", "runway", "confidence", "reason")
    out = {k: event.get(k) for k in keep}
    out["evidence"] = event.get("evidence")
    out["runner_up"] = event.get("runner_up")
    out["runner_up_margin_km"] = event.get("runner_up_margin_km")
    return out


def _type_part(v: dict[str, Any]) -> str:
    desc = v.get("aircraft_description") or v.get("typecode")
    return f", {desc}" if desc else ""


__all__ = ["CONFIDENCE_WORDS", "STAGES", "Alert", "AlertEngine", "DeliveryReport"]
