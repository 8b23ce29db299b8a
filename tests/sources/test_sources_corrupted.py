"""Corrupted copies: exact quarantine counts, every good row survives, bad files named."""

from __future__ import annotations

import gzip
import json
import random
from typing import TYPE_CHECKING

import polars as pl
from polars.testing import assert_frame_equal
from tests.sources.sources_samples import (
    DATA_COLS,
    known,
    opensky_csv_text,
    traffic_records,
    write_opensky_csv,
)

from tailwatch.errors import UnknownFormatError, UnreadableFileError
from tailwatch.sources import read_positions

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

# time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,
# baroaltitude,geoaltitude,lastposupdate,lastcontact
BAD_LINES = {
    "bad_time": ["this is not a csv line"],
    "bad_position": [
        "1714564900,3c6444,NaN,8.5,50,90,0,DLH4TR,false,false,false,1000,500,510,1714564899,1714564900",
        "1714564910,3c6444,95.0,8.5,50,90,0,DLH4TR,false,false,false,1000,500,510,1714564909,1714564910",
    ],
    "bad_altitude": [
        "1714564920,3c6444,50.1,8.5,50,90,0,DLH4TR,false,false,false,1000,30000,510,1714564919,1714564920",
    ],
    "bad_speed": [
        "1714564930,3c6444,50.1,8.5,1000,90,0,DLH4TR,false,false,false,1000,500,510,1714564929,1714564930",
    ],
    "bad_icao24": [
        "1714564940,zzzzzz,50.1,8.5,50,90,0,DLH4TR,false,false,false,1000,500,510,1714564939,1714564940",
    ],
    "missing_time": [",3c6444,50.1,8.5,50,90,0,DLH4TR,false,false,false,1000,500,510,,"],
    "bad_squawk": [
        "1714564950,3c6444,50.1,8.5,50,90,0,DLH4TR,false,false,false,8888,500,510,1714564949,1714564950",
    ],
    "bad_on_ground": [
        "1714564960,3c6444,50.1,8.5,50,90,0,DLH4TR,maybe,false,false,1000,500,510,1714564959,1714564960",
    ],
    "bad_track": [
        "1714564970,3c6444,50.1,8.5,50,400,0,DLH4TR,false,false,false,1000,500,510,1714564969,1714564970",
    ],
}


def _corrupted_opensky(path: Path) -> Path:
    header, *good = opensky_csv_text().strip().split("\n")
    lines = good + good[:2]  # two exact duplicates
    lines += [line for bad in BAD_LINES.values() for line in bad]
    random.Random(7).shuffle(lines)  # out of order
    path.write_text("\n".join([header, *lines]) + "\n")
    return path


def test_corrupted_opensky_exact_counts(tmp_path: Path) -> None:
    result = read_positions([_corrupted_opensky(tmp_path / "bad.csv")])
    assert result.errors == []
    expected = {reason: len(lines) for reason, lines in BAD_LINES.items()}
    (summary,) = result.files
    assert summary.quarantined == expected
    assert summary.duplicates == 2
    assert summary.rows_read == 6 + 2 + sum(expected.values())
    counts = dict(result.quarantine.group_by("reason").len().iter_rows())
    assert counts == expected
    # every good row survives, once, out-of-order rows put in time order
    assert result.positions["time"].is_sorted()
    got = result.positions.select(DATA_COLS).sort("icao24", "time")
    assert_frame_equal(got, known(), rel_tol=1e-6, abs_tol=1e-3)
    garbage = result.quarantine.filter(pl.col("reason") == "bad_time")
    assert "this is not a csv line" in garbage["raw"][0]


def test_quarantine_rows_point_into_the_file(tmp_path: Path) -> None:
    path = _corrupted_opensky(tmp_path / "bad.csv")
    result = read_positions([path])
    lines = path.read_text().split("\n")[1:]
    for row, raw in result.quarantine.select("row", "raw").iter_rows():
        icao = json.loads(raw)["icao24"] if raw.startswith("{") else None
        if icao:
            assert icao in lines[row]


def test_corrupted_traffic_json(tmp_path: Path) -> None:
    records: list[object] = list(traffic_records())
    records.append(records[0])  # duplicate
    nan_row = dict(traffic_records()[1], timestamp=1714564999000, latitude=float("nan"))
    records.append(nan_row)  # json.dumps writes the NaN literal polars refuses
    records.append(42)  # not a record
    records.append(dict(traffic_records()[1], timestamp=1714565000000, latitude="abc"))
    records.append(dict(traffic_records()[1], timestamp=1714565001000, altitude=1e6))
    random.Random(3).shuffle(records)
    path = tmp_path / "bad.json.gz"
    path.write_bytes(gzip.compress(json.dumps(records).encode()))
    result = read_positions([path])
    (summary,) = result.files
    assert summary.quarantined == {"bad_altitude": 1, "bad_position": 2, "malformed_record": 1}
    assert summary.duplicates == 1
    assert result.positions["time"].is_sorted()
    assert_frame_equal(result.positions.select(DATA_COLS).sort("icao24", "time"), known())


def test_truncated_gzip_is_named_and_others_still_read(tmp_path: Path, adsb_dir: Path) -> None:
    data = (adsb_dir / "noisy_landing.json.gz").read_bytes()
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(data[: len(data) // 2])
    good = write_opensky_csv(tmp_path / "good.csv")
    result = read_positions([truncated, good])
    (error,) = result.errors
    assert isinstance(error, UnreadableFileError)
    assert error.path == str(truncated)
    assert "gzip" in error.problem
    assert result.positions.height == 6


def test_empty_and_unknown_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    text = tmp_path / "notes.txt"
    text.write_text("hello,world\n1,2\n")
    blank_json = tmp_path / "blank.json"
    blank_json.write_text("   \n")
    result = read_positions([empty, text, blank_json])
    assert [e.path for e in result.errors] == [str(empty), str(text), str(blank_json)]
    assert isinstance(result.errors[1], UnknownFormatError)
    assert "empty" in result.errors[0].problem
    assert result.positions.height == 0


def test_missing_path(tmp_path: Path) -> None:
    result = read_positions([tmp_path / "nope.csv"])
    (error,) = result.errors
    assert error.problem == "no such file"


def test_header_only_csv_reads_nothing(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text(opensky_csv_text().split("\n")[0] + "\n")
    result = read_positions([path])
    assert result.errors == []
    assert result.positions.height == 0


def test_a_polars_panic_names_the_file_and_others_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A panic on a value nobody foresaw is that file's error, not the run's end."""
    import tailwatch.sources.read as read_module

    good = write_opensky_csv(tmp_path / "good.csv")
    doomed = tmp_path / "doomed.json"
    doomed.write_text(json.dumps(traffic_records()))
    checkers = dict(read_module._CHECKERS)

    def panics(staged: object, name: str) -> object:
        raise pl.exceptions.PanicException("invalid or out-of-range datetime")

    monkeypatch.setitem(checkers, "traffic", panics)
    monkeypatch.setattr(read_module, "_CHECKERS", checkers)
    result = read_positions([doomed, good])
    (error,) = result.errors
    assert error.path == str(doomed)
    assert "out-of-range datetime" in error.problem
    assert result.positions.height == 6
