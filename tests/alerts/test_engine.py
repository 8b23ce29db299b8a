"""One alert per visit, updated rather than repeated; quiet hours; cooldown; outbox."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from tests.alerts.frames import LANDING, T0, events, left, visit, visits

from tailwatch.alerts import AlertConfig, AlertEngine, AlertStore, CaptureSink, Rule
from tailwatch.alerts.config import Near, QuietHours, parse_config

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def config(**rule: Any) -> AlertConfig:
    kw: dict[str, Any] = {"name": "r", "kinds": ("landed", "stayed", "left")} | rule
    return AlertConfig(rules=(Rule(**kw),), retry_base_seconds=10, retry_max_seconds=80)


@pytest.fixture
def store() -> Iterator[AlertStore]:
    with AlertStore(":memory:") as s:
        yield s


def test_same_visits_three_times_one_alert_then_one_update(store: AlertStore) -> None:
    sink = CaptureSink()
    engine = AlertEngine(config(min_minutes=60), store, sinks=[sink])
    v = visit()
    raised = [engine.handle(visits(v), events(LANDING), now=T0 + timedelta(minutes=5))]
    raised += [engine.handle(visits(v), events(LANDING), now=T0 + timedelta(minutes=6))]
    raised += [engine.handle(visits(v), events(LANDING), now=T0 + timedelta(minutes=7))]
    assert [len(r) for r in raised] == [1, 0, 0]
    first = raised[0][0]
    assert (first.kind, first.version, first.confidence) == ("landed", 1, "observed")
    assert "landed at Tel Aviv Ben Gurion (LLBG, Israel) at 09:14 UTC" in first.text
    assert "still there at the last report" in first.text
    assert "Government of Libya — plane-alert-db: Dictator Alert" in first.text
    assert "https://globe.adsbexchange.com/?icao=018019&showTrace=2025-03-11" in first.text
    assert "Why: on-ground positions on runway 30" in first.text

    # the visit gains its departure: one update, same alert id, kind "left", with dwell
    closed = left(v, timedelta(hours=2, minutes=3))
    update = engine.handle(visits(closed), events(LANDING), now=T0 + timedelta(hours=2, minutes=4))
    assert len(update) == 1
    assert (update[0].alert_id, update[0].version, update[0].kind) == (first.alert_id, 2, "left")
    assert update[0].dwell_s == pytest.approx(7380)
    assert "left Ben Gurion International Airport (LLBG) after 2 h 03 min" in update[0].title
    assert "On the ground: 2 h 03 min" in update[0].text

    # flicker: the visit vanishes, then comes back with the same stay_id (even re-opened)
    assert engine.handle(visits(), None, now=T0 + timedelta(hours=3)) == []
    assert engine.handle(visits(v), None, now=T0 + timedelta(hours=3, minutes=1)) == []
    assert engine.handle(visits(closed), None, now=T0 + timedelta(hours=4)) == []

    report = engine.deliver_pending(T0 + timedelta(hours=4))
    # the "landed" version was never delivered before "left" superseded it
    assert (report.delivered, report.pending) == (1, 0)
    assert [m.kind for m in sink.messages] == ["left"]
    assert engine.deliver_pending(T0 + timedelta(hours=5)).attempted == 0


def test_landed_delivered_before_update_then_update_delivered(store: AlertStore) -> None:
    sink = CaptureSink()
    engine = AlertEngine(config(), store, sinks=[sink])
    v = visit()
    engine.handle(visits(v), None, now=T0)
    engine.deliver_pending(T0)
    engine.handle(visits(left(v, timedelta(minutes=150))), None, now=T0 + timedelta(hours=3))
    engine.deliver_pending(T0 + timedelta(hours=3))
    assert [(m.kind, m.version) for m in sink.messages] == [("landed", 1), ("left", 2)]
    assert len({m.alert_id for m in sink.messages}) == 1


def test_stayed_fires_from_stream_time_once(store: AlertStore) -> None:
    engine = AlertEngine(config(min_minutes=60), store, sinks=[CaptureSink()])
    v = visit()
    assert [a.kind for a in engine.handle(visits(v), None, now=T0)] == ["landed"]
    assert engine.handle(visits(v), None, now=T0 + timedelta(minutes=59)) == []
    stayed = engine.handle(visits(v), None, now=T0 + timedelta(minutes=61))
    assert [(a.kind, a.version) for a in stayed] == [("stayed", 2)]
    assert engine.handle(visits(v), None, now=T0 + timedelta(minutes=90)) == []


def test_short_visit_is_a_stopover_when_asked(store: AlertStore) -> None:
    engine = AlertEngine(config(kinds=("landed", "stopover", "left")), store, sinks=[])
    raised = engine.handle(visits(left(visit(), timedelta(minutes=40))), None, now=T0)
    assert [a.kind for a in raised] == ["stopover"]
    assert "40-minute stop-over" in raised[0].title


def test_confidence_gate_and_never_none(store: AlertStore) -> None:
    strict = AlertEngine(config(min_confidence="observed"), store, sinks=[])
    assert strict.handle(visits(visit(arrival_confidence="inferred")), None, now=T0) == []
    assert strict.handle(visits(visit(stay_id="s2", arrival_confidence=None)), None, now=T0) == []
    loose = AlertEngine(config(name="loose"), store, sinks=[])
    raised = loose.handle(visits(visit(arrival_confidence="inferred")), None, now=T0)
    assert [a.confidence for a in raised] == ["inferred"]
    assert "inferred (signal lost" in raised[0].text
    # parked when the data starts: no landing seen, so no "landed" alert
    parked = visit(stay_id="s3", arrival_is_lower_bound=True, arrival_confidence=None)
    assert loose.handle(visits(parked), None, now=T0 + timedelta(hours=5)) == []


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"airports": ("LLBG",)}, 1),
        ({"airports": ("LCLK",)}, 0),
        ({"countries": ("IL",)}, 1),
        ({"countries": ("CY",)}, 0),
        ({"categories": ("Dictator Alert",)}, 1),
        ({"categories": ("Oligarch",)}, 0),
        ({"tags": ("VIP", "Police")}, 1),
        ({"labels": ("Government of Libya",)}, 1),
        ({"watchlists": ("my-list",)}, 0),
        ({"icao24": ("018019",)}, 1),
        ({"icao24": ("abcdef",)}, 0),
        ({"near": Near(32.0, 34.9, 30.0)}, 1),  # Ben Gurion is ~5 km away
        ({"near": Near(34.87, 33.62, 30.0)}, 0),  # Larnaca
        ({"airports": ("LCLK",), "countries": ("IL",)}, 1),  # places are OR-ed
        ({"airports": ("LLBG",), "categories": ("Oligarch",)}, 0),  # who AND where
    ],
)
def test_rule_selectors(store: AlertStore, rule: dict[str, Any], expected: int) -> None:
    engine = AlertEngine(config(**rule), store, sinks=[])
    assert len(engine.handle(visits(visit()), None, now=T0)) == expected


def test_unwatched_aircraft_only_when_asked(store: AlertStore) -> None:
    plain = visit(watch=[])
    assert AlertEngine(config(), store, sinks=[]).handle(visits(plain), None, now=T0) == []
    every = AlertEngine(config(name="all", watched_only=False), store, sinks=[])
    assert len(every.handle(visits(plain), None, now=T0)) == 1


def test_quiet_hours_hold_then_release(store: AlertStore) -> None:
    quiet = QuietHours(((time(22, 0), time(7, 0)),))
    sink = CaptureSink()
    engine = AlertEngine(config(quiet=quiet), store, sinks=[sink])
    night = datetime(2025, 3, 11, 23, 30, tzinfo=UTC)
    raised = engine.handle(visits(visit(arrival_time=night)), None, now=night)
    assert raised[0].held_until == datetime(2025, 3, 12, 7, 0, tzinfo=UTC)
    assert engine.deliver_pending(night).attempted == 0
    assert engine.deliver_pending(datetime(2025, 3, 12, 6, 59, tzinfo=UTC)).pending == 1
    report = engine.deliver_pending(datetime(2025, 3, 12, 7, 0, tzinfo=UTC))
    assert (report.delivered, report.pending) == (1, 0)
    assert sink.messages[0].kind == "landed"


def test_quiet_hours_in_a_time_zone() -> None:
    cfg = parse_config(
        {"rules": [{"quiet_hours": ["22:00-07:00"], "timezone": "Europe/Paris"}]}, "x.toml", {}
    )
    quiet = cfg.rules[0].quiet
    assert quiet is not None
    # 21:30 UTC in March is 22:30 in Paris: held until 07:00 Paris = 06:00 UTC
    held = quiet.held_until(datetime(2025, 3, 11, 21, 30, tzinfo=UTC))
    assert held == datetime(2025, 3, 12, 6, 0, tzinfo=UTC)
    assert quiet.held_until(datetime(2025, 3, 11, 12, 0, tzinfo=UTC)) is None


def test_cooldown_records_but_does_not_push(store: AlertStore) -> None:
    sink = CaptureSink()
    engine = AlertEngine(config(cooldown_minutes=30), store, sinks=[sink])
    first = engine.handle(visits(visit()), None, now=T0)
    # a touch-and-go style second stay 10 min later: within the cooldown
    again = visit(stay_id="stay-2", arrival_time=T0 + timedelta(minutes=10))
    assert engine.handle(visits(visit(), again), None, now=T0 + timedelta(minutes=10)) == []
    later = visit(stay_id="stay-3", arrival_time=T0 + timedelta(minutes=45))
    assert len(engine.handle(visits(later), None, now=T0 + timedelta(minutes=45))) == 1
    engine.deliver_pending(T0 + timedelta(hours=1))
    assert sink.messages[0].alert_id == first[0].alert_id
    assert len(sink.messages) == 2
    _, alerts = store.history()
    assert [a["status"] for a in alerts] == ["active", "cooldown", "active"]


def test_retry_with_capped_backoff(store: AlertStore) -> None:
    sink = CaptureSink(fail=5)
    engine = AlertEngine(config(), store, sinks=[sink])
    engine.handle(visits(visit()), None, now=T0)
    t = T0
    delays = []
    for _ in range(5):
        report = engine.deliver_pending(t)
        assert (report.failed, report.pending) == (1, 1)
        assert report.next_attempt is not None
        delays.append((report.next_attempt - t).total_seconds())
        assert engine.deliver_pending(report.next_attempt - timedelta(seconds=1)).attempted == 0
        t = report.next_attempt
    assert delays == [10, 20, 40, 80, 80]
    assert engine.deliver_pending(t).delivered == 1
    assert len(sink.messages) == 1
    _, alerts = store.history()
    log = alerts[0]["deliveries"][0]["attempt_log"]
    assert [a["ok"] for a in log] == [False] * 5 + [True]


def test_restart_resumes_pending_and_never_realerts(tmp_path: Path) -> None:
    db = tmp_path / "alerts.sqlite"
    failing = CaptureSink(fail=1)
    with AlertStore(db) as store:
        assert store.journal_mode() == "wal"
        engine = AlertEngine(config(), store, sinks=[failing])
        engine.handle(visits(visit()), events(LANDING), now=T0)
        assert engine.deliver_pending(T0).failed == 1
    sink = CaptureSink()
    with AlertStore(db) as store:
        engine = AlertEngine(config(), store, sinks=[sink])
        assert engine.handle(visits(visit()), events(LANDING), now=T0 + timedelta(minutes=1)) == []
        assert engine.deliver_pending(T0 + timedelta(minutes=1)).delivered == 1
        assert engine.deliver_pending(T0 + timedelta(hours=1)).attempted == 0
    assert len(sink.messages) == 1


def test_airspace_entry(store: AlertStore) -> None:
    import polars as pl

    engine = AlertEngine(config(kinds=("airspace",), countries=("IL",)), store, sinks=[])
    crossings = pl.DataFrame(
        {"icao24": ["018019", "018019"], "time": [T0, T0], "country": ["IL", "CY"]},
        schema={"icao24": pl.String, "time": pl.Datetime("us", "UTC"), "country": pl.String},
    )
    raised = engine.handle(visits(visit()), None, now=T0, airspace=crossings)
    assert [(a.kind, a.country) for a in raised] == [("airspace", "IL")]
    assert engine.handle(visits(visit()), None, now=T0, airspace=crossings) == []


def test_demo_story_one_alert_per_visit(demo_analysis: Any) -> None:
    """The simulated seed story: three visits with an observed landing or take-off."""
    with AlertStore(":memory:") as store:
        sink = CaptureSink()
        engine = AlertEngine(config(kinds=("landed", "stopover", "left")), store, sinks=[sink])
        ev = demo_analysis.detection.events
        end = demo_analysis.visits["data_end"].max()
        for _ in range(3):
            engine.handle(demo_analysis.visits, ev, now=end)
        engine.deliver_pending(end)
        got = [(m.kind, m.data["airport"]) for m in sink.messages]
        assert got == [("left", "HLLB"), ("stopover", "LCLK"), ("left", "LLBG"), ("landed", "HLLB")]
        llbg = sink.messages[2]
        assert "left 2 h 03 min later towards Benghazi Benina (HLLB)" in llbg.body
        events_, _ = store.history()
        assert len(events_) == ev.height


def test_public_surface() -> None:
    import tailwatch.alerts as alerts

    contract = {
        "AlertConfig",
        "load_config",
        "AlertEngine",
        "AlertStore",
        "Alert",
        "Sink",
        "StdoutSink",
        "JsonLinesSink",
        "FileSink",
        "AppriseSink",
        "CaptureSink",
    }
    assert contract <= set(alerts.__all__)
    assert all(hasattr(alerts, name) for name in alerts.__all__)


def test_restart_mid_visit_update_not_repeat(tmp_path: Path) -> None:
    db = tmp_path / "alerts.sqlite"
    sink = CaptureSink()
    with AlertStore(db) as store:
        AlertEngine(config(), store, sinks=[sink]).handle(visits(visit()), None, now=T0)
        AlertEngine(config(), store, sinks=[sink]).deliver_pending(T0)
    with AlertStore(db) as store:
        engine = AlertEngine(config(), store, sinks=[sink])
        closed = left(visit(), timedelta(hours=1))
        raised = engine.handle(visits(closed), None, now=T0 + timedelta(hours=1))
        assert [(a.kind, a.version) for a in raised] == [("left", 2)]
        engine.deliver_pending(T0 + timedelta(hours=1))
    assert [(m.kind, m.version) for m in sink.messages] == [("landed", 1), ("left", 2)]


def test_handle_and_deliver_from_two_threads(tmp_path: Path) -> None:
    import threading

    sink = CaptureSink()
    with AlertStore(tmp_path / "alerts.sqlite") as store:
        engine = AlertEngine(config(), store, sinks=[sink])
        rows = [visit(stay_id=f"s{i}", icao24=f"{i:06x}") for i in range(40)]
        errors: list[BaseException] = []

        def feed() -> None:
            try:
                for i in range(len(rows)):
                    engine.handle(visits(*rows[: i + 1]), None, now=T0)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=feed)
        thread.start()
        while thread.is_alive():
            engine.deliver_pending(T0)
        thread.join()
        engine.deliver_pending(T0)
    assert errors == []
    assert sorted(m.data["subject"] for m in sink.messages) == sorted(r["stay_id"] for r in rows)
