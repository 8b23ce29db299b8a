"""Every format, written by the test from a known frame, reads back to that frame."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from tests.sources.sources_samples import (
    DATA_COLS,
    aircraft_doc,
    known,
    opensky_frame,
    traffic_frame,
    traffic_records,
    write_aircraft_json,
    write_opensky_csv,
    write_opensky_csv_gz,
    write_opensky_parquet,
    write_opensky_tar,
    write_trace,
    write_traffic_csv,
    write_traffic_json,
    write_traffic_parquet,
)

from tailwatch._schema import POSITIONS, QUARANTINE
from tailwatch.errors import UnreadableFileError
from tailwatch.sources import detect_format, read_positions, read_readsb_trace

if TYPE_CHECKING:
    from pathlib import Path


def _data(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(DATA_COLS)


def _assert_reads_back(path: Path, fmt: str | None = None, *, si_units: bool = False) -> None:
    """``path`` is detected as ``fmt`` (when given) and reads to the known frame with no
    error and nothing quarantined; ``si_units``: within the rounding of OpenSky's units."""
    if fmt is not None:
        assert detect_format(path) == fmt
    result = read_positions([path])
    assert result.errors == []
    assert result.quarantine.height == 0, result.quarantine
    if si_units:
        assert_frame_equal(_data(result.positions), known(), rel_tol=1e-6, abs_tol=1e-3)
    else:
        assert_frame_equal(_data(result.positions), known())


def _cell(value: object, missing: str) -> object:
    """A value as text exports write it: ``missing`` for null, lower-case booleans."""
    if value is None:
        return missing
    return str(value).lower() if isinstance(value, bool) else value


OPENSKY_WRITERS = {
    "csv": (write_opensky_csv, "states.csv"),
    "csv.gz": (write_opensky_csv_gz, "states.csv.gz"),
    "tar": (write_opensky_tar, "states_2024-05-01-12.csv.tar"),
    "parquet": (write_opensky_parquet, "states.parquet"),
}


@pytest.mark.parametrize("kind", OPENSKY_WRITERS)
def test_opensky_reads_back_values_and_units(tmp_path: Path, kind: str) -> None:
    writer, name = OPENSKY_WRITERS[kind]
    path = writer(tmp_path / name)
    assert detect_format(path) == "opensky"
    result = read_positions([path])
    assert result.errors == []
    assert result.positions.schema == POSITIONS
    assert result.quarantine.height == 0
    # metres -> feet, m/s -> kt and ft/min, lastposupdate as the time
    assert_frame_equal(_data(result.positions), known(), rel_tol=1e-6, abs_tol=1e-3)
    assert set(result.positions["source_format"]) == {"opensky"}
    (summary,) = result.files
    assert (summary.format, summary.rows_read, summary.rows_kept) == ("opensky", 6, 6)


def test_opensky_tar_names_the_member(tmp_path: Path) -> None:
    path = write_opensky_tar(tmp_path / "states.csv.tar")
    result = read_positions([path])
    assert set(result.positions["source_file"]) == {f"{path}::states_2024-05-01-12.csv.gz"}


def test_opensky_csv_with_iso_times_reads_as_epoch(tmp_path: Path) -> None:
    """pandas' ``to_csv`` of a pyopensky frame writes the times as ISO text, and the
    time columns may come in any order, after extra ones (``hour``)."""
    frame = opensky_frame(known())
    iso = frame.with_columns(
        (pl.from_epoch(pl.col(c).cast(pl.Float64) * 1e6, time_unit="us"))
        .dt.replace_time_zone("UTC")
        .dt.to_string("%Y-%m-%d %H:%M:%S%.6f%:z")
        for c in ("time", "lastposupdate", "lastcontact")
    ).with_columns(hour=pl.lit("2024-05-01 12:00:00+00:00"))
    path = tmp_path / "history.csv"
    iso.select("hour", *reversed(iso.columns[:-1])).write_csv(path)
    _assert_reads_back(path, si_units=True)


@pytest.mark.parametrize("separator", ["\t", ";"])
def test_tab_and_semicolon_separated_files_read_back(tmp_path: Path, separator: str) -> None:
    """Spreadsheet and SQL-shell exports separate fields with tabs or semicolons."""
    osky, traffic = tmp_path / "states.tsv", tmp_path / "traffic.tsv"
    opensky_frame(known()).write_csv(osky, separator=separator)
    traffic_frame().write_csv(traffic, separator=separator)
    for path, fmt in ((osky, "opensky"), (traffic, "traffic")):
        _assert_reads_back(path, fmt, si_units=True)


def _write_quoted(path: Path, frame: pl.DataFrame, *, r_style: bool) -> Path:
    """R's ``write.csv`` (every field quoted, a row-name column, ``NA`` for missing)
    or Python's ``csv.QUOTE_NONNUMERIC`` (strings quoted, missing as ``""``)."""
    import csv

    with path.open("w", newline="") as f:
        if r_style:
            w = csv.writer(f, quoting=csv.QUOTE_ALL)
            w.writerow(["", *frame.columns])
            for i, row in enumerate(frame.rows(), start=1):
                w.writerow([i, *(_cell(v, "NA") for v in row)])
        else:
            w = csv.writer(f, quoting=csv.QUOTE_NONNUMERIC)
            w.writerow(frame.columns)
            w.writerows([("" if v is None else v for v in row) for row in frame.rows()])
    return path


@pytest.mark.parametrize("r_style", [True, False], ids=["R write.csv", "QUOTE_NONNUMERIC"])
def test_quoted_csv_exports_read_back(tmp_path: Path, r_style: bool) -> None:
    osky = opensky_frame(known()).with_columns(pl.col("lastcontact").cast(pl.Float64))
    traffic = traffic_frame().with_columns(
        pl.col("timestamp").dt.to_string("%Y-%m-%d %H:%M:%S%.6f%:z")
    )
    for frame, fmt in ((osky, "opensky"), (traffic, "traffic")):
        assert frame.null_count().sum_horizontal().item() > 0  # the missing values matter
        path = _write_quoted(tmp_path / f"{fmt}.csv", frame, r_style=r_style)
        _assert_reads_back(path, fmt, si_units=True)


def test_sql_shell_nulls_are_missing_values(tmp_path: Path) -> None:
    text = opensky_frame(known()).write_csv(null_value="NULL")
    assert ",NULL," in text
    path = tmp_path / "states.csv"
    path.write_text(text.replace(",NULL,", ",\\N,", 1))
    result = read_positions([path])
    assert result.quarantine.height == 0
    assert_frame_equal(_data(result.positions), known(), rel_tol=1e-6, abs_tol=1e-3)


def _pipe_table(frame: pl.DataFrame) -> str:
    """``frame`` as the Impala / Trino shells print a query result."""
    cells = [[str(c) for c in frame.columns]] + [
        [str(_cell(v, "NULL")) for v in row] for row in frame.rows()
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(frame.columns))]
    border = "+" + "+".join("-" * (w + 2) for w in widths) + "+"

    def line(r: list[str]) -> str:
        return "|" + "|".join(f" {v:<{w}} " for v, w in zip(r, widths, strict=True)) + "|"

    return "\n".join([border, line(cells[0]), border, *map(line, cells[1:]), border]) + "\n"


def test_sql_shell_table_reads_back(tmp_path: Path) -> None:
    """Query results pasted from the OpenSky Impala shell: ``| ... |`` rows, borders,
    padded cells, ``NULL`` for missing values."""
    path = tmp_path / "query.txt"
    path.write_text(_pipe_table(opensky_frame(known())))
    assert "| NULL " in path.read_text()
    _assert_reads_back(path, "opensky", si_units=True)


TRAFFIC_WRITERS = {
    "json records gz": lambda p: write_traffic_json(p / "t.json.gz"),
    "json records plain": lambda p: write_traffic_json(p / "t.json", gz=False),
    "json columns gz": lambda p: write_traffic_json(p / "t.json.gz", columns=True),
    "csv": lambda p: write_traffic_csv(p / "t.csv"),
    "parquet": lambda p: write_traffic_parquet(p / "t.parquet"),
}


@pytest.mark.parametrize("kind", TRAFFIC_WRITERS)
def test_traffic_reads_back(tmp_path: Path, kind: str) -> None:
    _assert_reads_back(TRAFFIC_WRITERS[kind](tmp_path), "traffic")


def _pandas_json(orient: str) -> str:
    """The known frame as pandas' ``to_json(orient=...)`` writes it (epoch ms)."""
    records = traffic_records()
    names = list(records[0])
    if orient == "lines":
        return "\n".join(json.dumps(r) for r in records) + "\n"
    if orient == "split":
        doc: object = {
            "columns": names,
            "index": list(range(len(records))),
            "data": [[r[c] for c in names] for r in records],
        }
    elif orient == "table":
        doc = {"schema": {"fields": [{"name": c} for c in names]}, "data": records}
    else:  # index: row labels out of order, as after a filter and a sort
        doc = {str(i): records[i] for i in reversed(range(len(records)))}
    return json.dumps(doc)


@pytest.mark.parametrize("orient", ["lines", "split", "table", "index"])
def test_traffic_json_in_every_pandas_orientation(tmp_path: Path, orient: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(_pandas_json(orient))
    _assert_reads_back(path, "traffic")


def test_json_lines_bad_line_is_quarantined(tmp_path: Path) -> None:
    lines = _pandas_json("lines").splitlines()
    lines.insert(2, '{"timestamp": 17145')  # a line cut short
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines))
    result = read_positions([path])
    assert result.quarantine["reason"].to_list() == ["malformed_record"]
    assert result.quarantine["row"].to_list() == [2]
    assert_frame_equal(_data(result.positions), known())


def test_json_object_in_no_known_layout_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"icao24": "3c6444", "latitude": 48.1}))
    result = read_positions([path])
    assert result.positions.height == 0
    (error,) = result.errors
    assert "no known layout" in str(error)


def test_traffic_float_squawk_is_padded(tmp_path: Path) -> None:
    records = [
        {
            "timestamp": 1647421385000,
            "icao24": "39b415",
            "latitude": 43.2,
            "longitude": 6.7,
            "squawk": sq,
        }
        for sq in (4720.0, 25.0, 0.0, None)
    ]
    for i, r in enumerate(records):
        r["timestamp"] += i * 1000  # type: ignore[operator]
    path = tmp_path / "savan.json"
    path.write_text(json.dumps(records))
    result = read_positions([path])
    assert result.positions["squawk"].to_list() == ["4720", "0025", "0000", None]


def test_readsb_trace_reads_back(tmp_path: Path) -> None:
    path = write_trace(tmp_path / "trace_full_3c6444.json")  # gzipped despite the name
    assert detect_format(path) == "readsb_trace"
    positions, quarantine = read_readsb_trace(path)
    expected = known().filter(pl.col("icao24") == "3c6444")
    # "ground" carries no altitude: the known ground row has none either
    assert_frame_equal(_data(positions), expected, abs_tol=1e-3)
    assert quarantine.schema == QUARANTINE


def test_readsb_trace_flags(tmp_path: Path) -> None:
    doc = {
        "icao": "ac671b",
        "timestamp": 1738703622.619,
        "trace": [
            [
                0.0,
                16.7,
                -88.0,
                32000,
                478.6,
                327.8,
                0,
                0,
                {"flight": "DAL1812 "},
                "adsb_icao",
                33825,
                32,
                280,
                0.0,
            ],
            # altitude geometric (8) and rate geometric (4): baro altitude unknown
            [9.0, 16.8, -88.1, 33800, 480.0, 330.0, 12, 64, None, "adsb_icao", 33800, 64, 280, 0.0],
            # new leg (2): the callsign is not carried over
            [
                7200.0,
                44.8,
                -93.2,
                "ground",
                10.0,
                120.0,
                2,
                None,
                None,
                "adsb_icao",
                None,
                None,
                None,
                None,
            ],
            [
                7210.0,
                44.8,
                -93.2,
                None,
                12.0,
                120.0,
                1,
                None,
                {"flight": "DAL2418"},
                "adsb_icao",
                None,
                None,
                None,
                None,
            ],
        ],
    }
    path = tmp_path / "trace_full_ac671b.json"
    path.write_text(json.dumps(doc))
    positions, _ = read_readsb_trace(path)
    assert positions["callsign"].to_list() == ["DAL1812", "DAL1812", None, "DAL2418"]
    assert positions["alt_baro_ft"].to_list() == [32000.0, None, None, None]
    assert positions["alt_geom_ft"].to_list() == [33825.0, 33800.0, None, None]
    assert positions["on_ground"].to_list() == [False, False, True, None]
    assert positions["vrate_fpm"].to_list() == [0.0, 64.0, None, None]
    assert positions["time"][3].timestamp() == pytest.approx(1738703622.619 + 7210.0)


def test_readsb_globe_history_tree(tmp_path: Path) -> None:
    for icao in ("3c6444", "4b1815"):
        folder = tmp_path / "2024" / "05" / "01" / "traces" / icao[-2:]
        folder.mkdir(parents=True)
        write_trace(folder / f"trace_full_{icao}.json", icao=icao)
    result = read_positions([tmp_path])
    assert result.errors == []
    assert result.positions.height == 6
    (summary,) = result.files
    assert (summary.format, summary.files) == ("readsb_trace", 2)


def test_non_icao_trace_is_quarantined(tmp_path: Path) -> None:
    path = write_trace(tmp_path / "trace_full_~3c6444.json", icao="~3c6444")
    result = read_positions([path])
    assert result.positions.height == 0
    assert result.quarantine["reason"].to_list() == ["non_icao_address"] * 3


def test_aircraft_json_snapshot(tmp_path: Path) -> None:
    path = write_aircraft_json(tmp_path / "aircraft.json")
    assert detect_format(path) == "aircraft_json"
    result = read_positions([path])
    (row,) = result.positions.iter_rows(named=True)
    assert row["time"] == known()["time"][2]  # now - seen_pos
    assert (row["icao24"], row["callsign"], row["alt_baro_ft"]) == ("3c6444", "DLH4TR", 2500.0)
    (summary,) = result.files
    # the aircraft without a position is counted, not quarantined
    assert (summary.rows_read, summary.rows_kept, summary.no_position) == (2, 1, 1)
    assert result.quarantine.height == 0


def test_old_dump1090_aircraft_json_keys(tmp_path: Path) -> None:
    """dump1090-mutability / early dump1090-fa: altitude, speed, vert_rate."""
    doc = {
        "now": 1_700_000_000.0,
        "aircraft": [
            {"hex": "3c6444", "altitude": 2500, "speed": 175, "vert_rate": -640,
             "track": 252, "lat": 50.05, "lon": 8.51, "seen_pos": 2.0},
            {"hex": "4b1815", "altitude": "ground", "speed": 12, "track": 90,
             "lat": 50.03, "lon": 8.55, "seen_pos": 0.5},
        ],
    }  # fmt: skip
    path = tmp_path / "aircraft.json"
    path.write_text(json.dumps(doc))
    result = read_positions([path])
    assert result.quarantine.height == 0
    rows = result.positions.sort("icao24").select(
        "icao24", "alt_baro_ft", "gs_kt", "vrate_fpm", "on_ground"
    )
    assert rows.rows() == [
        ("3c6444", 2500.0, 175.0, -640.0, False),
        ("4b1815", None, 12.0, None, True),
    ]


def test_aircraft_json_tar_of_gz_snapshots(tmp_path: Path) -> None:
    import io
    import tarfile

    tar_path = tmp_path / "readsb-hist.tar"
    with tarfile.open(tar_path, "w") as tar:
        for i in range(3):
            doc = aircraft_doc()
            doc["now"] = float(doc["now"]) + 5 * i  # type: ignore[arg-type]
            data = gzip.compress(json.dumps(doc).encode())
            info = tarfile.TarInfo(f"hist/{i:04d}.json.gz")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = read_positions([tar_path])
    assert result.positions.height == 3
    (summary,) = result.files
    assert (summary.files, summary.no_position) == (3, 3)


def test_repeated_snapshot_positions_are_duplicates(tmp_path: Path) -> None:
    a = write_aircraft_json(tmp_path / "a.json")
    b = write_aircraft_json(tmp_path / "b.json")
    result = read_positions([a, b])
    assert result.positions.height == 1
    assert [f.duplicates for f in result.files] == [0, 1]


def test_forced_format_on_wrong_content_is_unreadable(tmp_path: Path) -> None:
    path = write_aircraft_json(tmp_path / "aircraft.json")
    result = read_positions([path], format="readsb_trace")
    (error,) = result.errors
    assert isinstance(error, UnreadableFileError)
    assert error.path == str(path)


def test_mixed_formats_are_merged_sorted(tmp_path: Path) -> None:
    paths = [
        write_opensky_csv(tmp_path / "s.csv"),
        write_trace(tmp_path / "trace_full_3c6444.json"),
    ]
    result = read_positions(paths)
    assert result.errors == []
    # the trace repeats OpenSky's 3c6444 rows exactly: duplicates, whatever the source
    assert result.positions.height == 6
    assert [f.duplicates for f in result.files] == [0, 3]
    assert set(result.positions["source_format"]) == {"opensky"}  # the first read is kept
    # two files, each by aircraft: together neither by aircraft nor by time, so sorted
    assert result.positions["time"].is_sorted()
