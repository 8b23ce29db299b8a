"""Per-rule sinks: each rule's alerts go to its own sinks, or to the global list.

Three rules over two visits of 5A-DCN, worked out by hand:

* "gov" (LLBG only) -> the webhook and the JSON-lines file;
* "cyprus" (country CY) -> the JSON-lines file only;
* "everywhere" (no ``sinks``) -> the global list, here stdout.

So the LLBG landing is one alert for "gov" (2 outbox rows) and one for "everywhere"
(1 row); the LCLK landing one for "cyprus" (1 row) and one for "everywhere" (1 row).
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from tests.alerts.frames import T0, left, visit, visits

from tailwatch.alerts import AlertConfig, AlertEngine, AlertStore, CaptureSink, Rule, load_config

if TYPE_CHECKING:
    from pathlib import Path

HOOK = "json://127.0.0.1:9/hook"
JSONL = "jsonl:alerts.jsonl"
CONFIG = AlertConfig(
    sinks=("stdout",),
    rules=(
        Rule(name="gov", airports=("LLBG",), sinks=(HOOK, JSONL)),
        Rule(name="cyprus", countries=("CY",), sinks=(JSONL,)),
        Rule(name="everywhere"),
    ),
    retry_base_seconds=10,
)
LCLK = visit(
    stay_id="stay-lclk",
    airport="LCLK",
    airport_name="Larnaca International Airport",
    airport_country="CY",
    arrival_time=T0 - timedelta(hours=3),
)


def captures(hook_fail: int = 0) -> dict[str, CaptureSink]:
    return {
        HOOK: CaptureSink("hook", fail=hook_fail),
        JSONL: CaptureSink("jsonl"),
        "stdout": CaptureSink("stdout"),
    }


def got(sink: CaptureSink) -> list[tuple[str, str, str, int]]:
    return [(m.data["rule"], m.data["airport"], m.kind, m.version) for m in sink.messages]


def outbox(store: AlertStore) -> list[tuple[str, int, str, str]]:
    rows = store.query(
        "SELECT a.rule, d.version, d.sink, d.status FROM deliveries d "
        "JOIN alerts a USING (alert_id) ORDER BY a.rule, d.version, d.sink"
    )
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def test_each_rule_to_its_own_sinks_updates_included(tmp_path: Path) -> None:
    sinks = captures()
    with AlertStore(tmp_path / "a.sqlite") as store:
        engine = AlertEngine(CONFIG, store, sinks=sinks)
        assert [s.name for s in engine.sinks_for("gov")] == ["hook", "jsonl"]
        assert [s.name for s in engine.sinks_for("everywhere")] == ["stdout"]
        raised = engine.handle(visits(visit(), LCLK), None, now=T0)
        assert sorted((a.rule, a.airport) for a in raised) == [
            ("cyprus", "LCLK"),
            ("everywhere", "LCLK"),
            ("everywhere", "LLBG"),
            ("gov", "LLBG"),
        ]
        assert outbox(store) == [
            ("cyprus", 1, "jsonl", "pending"),
            ("everywhere", 1, "stdout", "pending"),
            ("everywhere", 1, "stdout", "pending"),
            ("gov", 1, "hook", "pending"),
            ("gov", 1, "jsonl", "pending"),
        ]
        assert engine.deliver_pending(T0).delivered == 5
        # LLBG: the visit closes -> version 2 of "gov" and "everywhere", same routes
        later = T0 + timedelta(hours=2)
        engine.handle(visits(left(visit(), timedelta(hours=2)), LCLK), None, now=later)
        assert engine.deliver_pending(later).delivered == 3
        assert engine.deliver_pending(later + timedelta(hours=1)).attempted == 0
    assert got(sinks[HOOK]) == [("gov", "LLBG", "landed", 1), ("gov", "LLBG", "left", 2)]
    assert sorted(got(sinks[JSONL])) == [
        ("cyprus", "LCLK", "landed", 1),
        ("gov", "LLBG", "landed", 1),
        ("gov", "LLBG", "left", 2),
    ]
    assert sorted(got(sinks["stdout"])) == [
        ("everywhere", "LCLK", "landed", 1),
        ("everywhere", "LLBG", "landed", 1),
        ("everywhere", "LLBG", "left", 2),
    ]


def test_one_rules_failing_sink_is_retried_across_a_restart_others_unaffected(
    tmp_path: Path,
) -> None:
    db = tmp_path / "a.sqlite"
    first = captures(hook_fail=1)
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=first)
        engine.handle(visits(visit()), None, now=T0)
        report = engine.deliver_pending(T0)
        assert (report.attempted, report.delivered, report.failed) == (3, 2, 1)
        assert report.errors == ("hook: simulated failure",)
    # restart: a new store and engine; only the hook's row is still pending
    second = captures()
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=second)
        assert engine.handle(visits(visit()), None, now=T0 + timedelta(seconds=5)) == []
        assert engine.deliver_pending(T0 + timedelta(seconds=9)).attempted == 0  # back-off
        report = engine.deliver_pending(T0 + timedelta(seconds=10))
        assert (report.attempted, report.delivered, report.pending) == (1, 1, 0)
        assert engine.deliver_pending(T0 + timedelta(hours=1)).attempted == 0
        _, alerts = store.history()
    assert (got(first[JSONL]), got(first["stdout"])) == (
        [("gov", "LLBG", "landed", 1)],
        [("everywhere", "LLBG", "landed", 1)],
    )
    assert got(first[HOOK]) == []
    assert got(second[HOOK]) == [("gov", "LLBG", "landed", 1)]
    assert second[JSONL].messages == second["stdout"].messages == []
    gov = next(a for a in alerts if a["rule"] == "gov")
    hook = next(d for d in gov["deliveries"] if d["sink"] == "hook")
    assert (hook["status"], hook["attempts"]) == ("delivered", 2)


def test_sinks_built_from_the_config(tmp_path: Path) -> None:
    """No injection: the config's specs become real sinks, one object per target."""
    cfg = tmp_path / "alerts.toml"
    cfg.write_text(
        f'[alerts]\nsinks = ["file:{tmp_path}/all.txt"]\n\n'
        f'[[rules]]\nname = "gov"\nairports = ["LLBG"]\nsinks = ["jsonl:{tmp_path}/gov.jsonl"]\n\n'
        f'[[rules]]\nname = "cyprus"\ncountries = ["CY"]\n'
        f'sinks = ["jsonl:{tmp_path}/./gov.jsonl", "jsonl:{tmp_path}/cy.jsonl"]\n\n'
        '[[rules]]\nname = "everywhere"\n',
        encoding="utf-8",
    )
    with AlertStore(":memory:") as store:
        engine = AlertEngine(load_config(cfg), store)
        assert [s.name for s in engine.sinks] == [
            f"file:{tmp_path}/all.txt",
            f"jsonl:{tmp_path}/gov.jsonl",
            f"jsonl:{tmp_path}/cy.jsonl",
        ]
        engine.handle(visits(visit(), LCLK), None, now=T0)
        assert engine.deliver_pending(T0).delivered == 5

    def lines(name: str) -> list[tuple[str, str]]:
        records = [json.loads(x) for x in (tmp_path / name).read_text().splitlines()]
        return sorted((r["rule"], r["airport"]) for r in records)

    assert lines("gov.jsonl") == [("cyprus", "LCLK"), ("gov", "LLBG")]
    assert lines("cy.jsonl") == [("cyprus", "LCLK")]
    text = (tmp_path / "all.txt").read_text()
    assert text.count("5A-DCN landed at") == 2
    assert "Larnaca International Airport (LCLK)" in text


def test_pending_rows_of_a_sink_dropped_from_the_config_are_kept(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite"
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=captures(hook_fail=5))
        engine.handle(visits(visit()), None, now=T0)
        assert engine.deliver_pending(T0).failed == 1
        assert engine.unrouted_pending() == {}
    # the user moves "gov" to the JSON-lines file only: the hook's row waits, not lost
    moved = AlertConfig(sinks=("stdout",), rules=(Rule(name="gov", sinks=(JSONL,)),))
    with AlertStore(db) as store:
        engine = AlertEngine(moved, store, sinks={JSONL: CaptureSink("jsonl")})
        assert engine.unrouted_pending() == {"hook": 1}
        assert engine.deliver_pending(T0 + timedelta(hours=1)).attempted == 0
    # ... and goes out once a config names that sink again
    hook = CaptureSink("hook")
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks={**captures(), HOOK: hook})
        assert engine.deliver_pending(T0 + timedelta(hours=1)).delivered == 1
        assert engine.unrouted_pending() == {}
    assert got(hook) == [("gov", "LLBG", "landed", 1)]


def test_injected_sinks() -> None:
    with AlertStore(":memory:") as store:
        # a list replaces every sink of every rule
        everyone = CaptureSink()
        engine = AlertEngine(CONFIG, store, sinks=[everyone])
        assert [s.name for s in engine.sinks_for("cyprus")] == ["capture"]
        with pytest.raises(ValueError, match="no rule and no"):
            AlertEngine(CONFIG, store, sinks={"jsonl:other.jsonl": CaptureSink()})
        with pytest.raises(ValueError, match="share the name 'x'"):
            AlertEngine(CONFIG, store, sinks={HOOK: CaptureSink("x"), JSONL: CaptureSink("x")})


def test_watch_start_up_note_for_unrouted_rows(tmp_path: Path) -> None:
    from tailwatch.cli.watch import unrouted_note

    db = tmp_path / "a.sqlite"
    with AlertStore(db) as store:
        engine = AlertEngine(CONFIG, store, sinks=captures(hook_fail=1))
        engine.handle(visits(visit(), LCLK), None, now=T0)
        engine.deliver_pending(T0)
        assert unrouted_note(engine) is None
    moved = AlertConfig(rules=(Rule(name="gov", sinks=(JSONL,)),))
    with AlertStore(db) as store:
        note = unrouted_note(AlertEngine(moved, store, sinks={JSONL: CaptureSink("jsonl")}))
    assert note is not None
    assert note.startswith("note: 1 pending delivery waits for sinks no longer in the config:")
    assert "hook (1)" in note
