"""``tailwatch watch`` in process: a replayed recording, to the end, alerts on stdout."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from tests.data_paths import ADSB

from tailwatch.cli.watch import main

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

CONFIG = """
[[rules]]
name = "n899dn"
watched_only = false
icao24 = ["ac671b"]
kinds = ["landed", "left"]
"""


def _first_leg(tmp_path: Path) -> Path:
    """N899DN's first leg (to KMSP), from the readsb trace, as a smaller trace file."""
    trace = json.loads((ADSB / "readsb_trace_full_ac671b.json").read_text())
    trace["trace"] = trace["trace"][400:900]
    out = tmp_path / "trace_full_ac671b.json"
    out.write_text(json.dumps(trace))
    return out


def test_watch_replay_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "alerts.toml"
    cfg.write_text(CONFIG)
    args = ["--replay", str(_first_leg(tmp_path)), "--config", str(cfg)]
    args += ["--db", str(tmp_path / "a.sqlite"), "--state", str(tmp_path / "s.sqlite"), "--once"]
    assert main(args) == 0
    out = capsys.readouterr()
    assert "KMSP" in out.out
    assert (tmp_path / "s.sqlite").exists()
    # a second run on the same recording, same state and db: nothing new is alerted
    assert main(args) == 0
    assert "KMSP" not in capsys.readouterr().out


def test_watch_needs_one_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "alerts.toml"
    cfg.write_text(CONFIG)
    assert main(["--config", str(cfg)]) == 2
    assert "exactly one of" in capsys.readouterr().err


def test_watch_bad_rule_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = tmp_path / "alerts.toml"
    cfg.write_text("[[rules]]\nname = 'x'\nkinds = ['landed', 'teleported']\n")
    assert main(["--sbs", "127.0.0.1:1", "--config", str(cfg)]) == 2
    assert "alerts.toml:3" in capsys.readouterr().err
