"""``tailwatch read``, in process."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl
import pytest
from tests.sources.sources_samples import write_opensky_csv, write_trace

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.cli.read import main

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".json"])
def test_read_writes_output_by_extension(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    src = write_opensky_csv(tmp_path / "states.csv")
    out = tmp_path / f"out{suffix}"
    assert main([str(src), "-o", str(out), "--no-progress"]) == 0
    if suffix == ".parquet":
        frame = pl.read_parquet(out)
        assert frame.schema == POSITIONS
    elif suffix == ".csv":
        frame = pl.read_csv(out)
    else:
        frame = pl.read_json(out)
    assert frame.height == 6
    printed = capsys.readouterr().out
    assert "rows" in printed
    assert "aircraft" in printed
    assert "2024-05-01 12:00:00 UTC" in printed


def test_read_summary_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], adsb_dir: Path
) -> None:
    code = main([str(adsb_dir / "zurich_airport_onground.json.gz"), "--no-progress"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "14,835" in printed  # positions kept
    assert "2,297" in printed  # exact duplicates dropped


def test_bad_file_among_good_ones(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = write_opensky_csv(tmp_path / "states.csv")
    trace = write_trace(tmp_path / "trace_full_4b1815.json", icao="4b1815")
    bad = tmp_path / "broken.csv.gz"
    bad.write_bytes(b"\x1f\x8b\x08\x00garbage")
    out = tmp_path / "out.parquet"
    quarantine = tmp_path / "quarantine.csv"
    code = main(
        [
            str(good),
            str(bad),
            str(trace),
            "-o",
            str(out),
            "--quarantine-out",
            str(quarantine),
            "--no-progress",
        ]
    )
    assert code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines == [f"error: {bad}: truncated or corrupt gzip" + lines[0].split("gzip", 1)[1]]
    assert "Traceback" not in err
    # good output still written: 6 OpenSky rows; the trace repeats 4b1815's three, two
    # exactly, the last with the squawk carried forward (OpenSky has none): 6 + 1
    assert pl.read_parquet(out).height == 7
    assert pl.read_csv(quarantine, schema=QUARANTINE).height == 0


def test_forced_format_and_unknown_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write_opensky_csv(tmp_path / "states.csv")
    assert main([str(src), "--format", "opensky", "--no-progress"]) == 0
    assert main([str(src), "-o", str(tmp_path / "out.xlsx"), "--no-progress"]) == 2
    assert "unknown output type" in capsys.readouterr().err


def test_progress_bar_does_not_break_output(tmp_path: Path) -> None:
    src = write_opensky_csv(tmp_path / "states.csv")
    assert main([str(src), "-o", str(tmp_path / "o.parquet")]) == 0
