"""``tailwatch history`` in process: the alerts, their deliveries and the events."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import TYPE_CHECKING

from tests.alerts.frames import LANDING, T0, events, left, visit, visits

from tailwatch.alerts import AlertConfig, AlertEngine, AlertStore, CaptureSink, Rule
from tailwatch.cli.history import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def fill(db: Path) -> None:
    cfg = AlertConfig(rules=(Rule(name="gov", kinds=("landed", "left")),))
    with AlertStore(db) as store:
        engine = AlertEngine(cfg, store, sinks=[CaptureSink(fail=1)])
        engine.handle(visits(visit()), events(LANDING), now=T0)
        engine.deliver_pending(T0)
        later = T0 + timedelta(hours=3)
        engine.handle(visits(left(visit(), timedelta(hours=2))), None, now=later)
        engine.deliver_pending(later)
        other = visit(stay_id="s-other", icao24="abcdef", airport="LCLK", registration="N1")
        engine.handle(visits(other), None, now=later)


def test_history_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "alerts.sqlite"
    fill(db)
    assert main(["--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "2 alerts" in out
    assert "5A-DCN left Ben Gurion" in out
    assert "1 events" in out
    assert "on-ground positions on runway 30" in out
    assert main(["--db", str(db), "--icao24", "ABCDEF"]) == 0
    out = capsys.readouterr().out
    assert "1 alerts" in out
    assert "N1 landed" in out


def test_history_json_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "alerts.sqlite"
    fill(db)
    assert main(["--db", str(db), "--json", "--airport", "llbg"]) == 0
    doc = json.loads(capsys.readouterr().out)
    (alert,) = doc["alerts"]
    assert (alert["kind"], alert["version"]) == ("left", 2)
    assert [v["kind"] for v in alert["versions"]] == ["landed", "left"]
    # v1 failed once, then "left" superseded it before its retry
    assert [(d["version"], d["status"]) for d in alert["deliveries"]] == [
        (1, "superseded"),
        (2, "delivered"),
    ]
    assert alert["evidence"]["visit"]["stay_id"] == "stay-llbg"
    assert doc["events"][0]["event_id"] == "ev-landing"
    assert main(["--db", str(db), "--json", "--since", "2025-03-12"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["alerts"], doc["events"]) == ([], [])


def test_history_default_db_in_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TAILWATCH_DATA_DIR", str(tmp_path))
    assert main([]) == 2
    assert "no alert history here" in capsys.readouterr().err
    fill(tmp_path / "alerts.sqlite")
    assert main([]) == 0
