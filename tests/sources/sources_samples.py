"""Tiny hand-made position files of every format, written from one known frame.

``known()`` is the truth in canonical units; each writer converts it to what the
format stores (OpenSky: SI units and epoch seconds; traffic: epoch ms; readsb: relative
seconds and "ground"), so reading a file back must give ``known()`` again.
"""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import polars as pl

from tailwatch._schema import POSITIONS

if TYPE_CHECKING:
    from pathlib import Path

M_PER_FT = 0.3048
MS_PER_KT = 1852 / 3600
MS_PER_FPM = 0.3048 / 60
T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
DATA_COLS = [c for c in POSITIONS if c not in ("source_format", "source_file")]


def in_reader_order(positions: pl.DataFrame) -> bool:
    """Every aircraft's rows in time order, the whole table sorted by time, or by
    (icao24, time) when the files came grouped by aircraft (readers keep that)."""
    keys = positions.select("icao24", "time")
    return keys["time"].is_sorted() or keys.equals(keys.sort("icao24", "time"))


def known() -> pl.DataFrame:
    """Six positions of two aircraft, one on the ground, sorted by (icao24, time)."""
    rows = [
        # icao24, dt_s, callsign, lat, lon, alt, geo, gs, track, vrate, on_ground, squawk
        ("3c6444", 0.0, "DLH4TR", 50.03, 8.55, None, None, 12.0, 250.0, 0.0, True, "1000"),
        (
            "3c6444",
            10.5,
            "DLH4TR",
            50.04,
            8.53,
            1500.0,
            1550.0,
            160.0,
            251.0,
            2000.0,
            False,
            "1000",
        ),
        (
            "3c6444",
            21.0,
            "DLH4TR",
            50.05,
            8.51,
            2500.0,
            2575.0,
            175.0,
            252.5,
            2500.0,
            False,
            "1000",
        ),
        (
            "4b1815",
            3.25,
            "TAP123",
            41.23,
            -8.67,
            35000.0,
            35400.0,
            450.0,
            12.0,
            -64.0,
            False,
            "0025",
        ),
        (
            "4b1815",
            13.25,
            "TAP123",
            41.26,
            -8.66,
            35000.0,
            35425.0,
            451.0,
            12.5,
            0.0,
            False,
            "0025",
        ),
        ("4b1815", 23.25, None, 41.29, -8.65, 34975.0, 35400.0, 452.0, 13.0, -128.0, False, None),
    ]
    cols = list(zip(*rows, strict=True))
    return pl.DataFrame(
        {
            "time": [T0 + timedelta(seconds=s) for s in cols[1]],
            "icao24": cols[0],
            "callsign": cols[2],
            "lat": cols[3],
            "lon": cols[4],
            "alt_baro_ft": cols[5],
            "alt_geom_ft": cols[6],
            "gs_kt": cols[7],
            "track_deg": cols[8],
            "vrate_fpm": cols[9],
            "on_ground": cols[10],
            "squawk": cols[11],
        },
        schema={c: POSITIONS[c] for c in DATA_COLS},
    )


def opensky_frame(df: pl.DataFrame) -> pl.DataFrame:
    """The known frame as OpenSky state vectors (SI units, epoch seconds)."""
    epoch = pl.col("time").dt.epoch("us") / 1e6
    return df.select(
        (epoch.floor() + 1).cast(pl.Int64).alias("time"),  # snapshot just after the position
        pl.col("icao24"),
        pl.col("lat"),
        pl.col("lon"),
        (pl.col("gs_kt").cast(pl.Float64) * MS_PER_KT).alias("velocity"),
        pl.col("track_deg").cast(pl.Float64).alias("heading"),
        (pl.col("vrate_fpm").cast(pl.Float64) * MS_PER_FPM).alias("vertrate"),
        pl.col("callsign").str.pad_end(8),
        pl.col("on_ground").alias("onground"),
        pl.lit(False).alias("alert"),
        pl.lit(False).alias("spi"),
        pl.col("squawk"),
        (pl.col("alt_baro_ft").cast(pl.Float64) * M_PER_FT).alias("baroaltitude"),
        (pl.col("alt_geom_ft").cast(pl.Float64) * M_PER_FT).alias("geoaltitude"),
        epoch.alias("lastposupdate"),
        (epoch.floor() + 1).alias("lastcontact"),
    )


def opensky_csv_text(df: pl.DataFrame | None = None) -> str:
    text = opensky_frame(known() if df is None else df).write_csv()
    return text


def write_opensky_csv(path: Path, df: pl.DataFrame | None = None) -> Path:
    path.write_text(opensky_csv_text(df))
    return path


def write_opensky_csv_gz(path: Path, df: pl.DataFrame | None = None) -> Path:
    path.write_bytes(gzip.compress(opensky_csv_text(df).encode()))
    return path


def write_opensky_tar(path: Path, df: pl.DataFrame | None = None) -> Path:
    """As published: a tar holding ``states_...csv.gz`` plus LICENSE and README."""
    members = {
        "states_2024-05-01-12.csv.gz": gzip.compress(opensky_csv_text(df).encode()),
        "LICENSE.txt": b"ODbL",
        "README.txt": b"OpenSky state vectors",
    }
    with tarfile.open(path, "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def write_opensky_parquet(path: Path, df: pl.DataFrame | None = None) -> Path:
    opensky_frame(known() if df is None else df).write_parquet(path)
    return path


def traffic_frame(df: pl.DataFrame | None = None) -> pl.DataFrame:
    df = known() if df is None else df
    return df.select(
        pl.col("time").alias("timestamp"),
        pl.col("icao24"),
        pl.col("callsign"),
        pl.col("lat").alias("latitude"),
        pl.col("lon").alias("longitude"),
        pl.col("alt_baro_ft").cast(pl.Float64).alias("altitude"),
        pl.col("alt_geom_ft").cast(pl.Float64).alias("geoaltitude"),
        pl.col("gs_kt").cast(pl.Float64).alias("groundspeed"),
        pl.col("track_deg").cast(pl.Float64).alias("track"),
        pl.col("vrate_fpm").cast(pl.Float64).alias("vertical_rate"),
        pl.col("on_ground").alias("onground"),
        pl.col("squawk"),
    )


def traffic_records(df: pl.DataFrame | None = None) -> list[dict[str, object]]:
    frame = traffic_frame(df).with_columns(pl.col("timestamp").dt.epoch("ms"))
    return frame.to_dicts()


def write_traffic_json(path: Path, *, columns: bool = False, gz: bool = True) -> Path:
    records = traffic_records()
    if columns:
        doc: object = {c: {str(i): r[c] for i, r in enumerate(records)} for c in records[0]}
    else:
        doc = records
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_traffic_csv(path: Path) -> Path:
    traffic_frame().write_csv(path)  # ISO timestamps with +00:00, as pandas writes
    return path


def write_traffic_parquet(path: Path) -> Path:
    traffic_frame().write_parquet(path)
    return path


def trace_doc(icao: str = "3c6444") -> dict[str, object]:
    df = known().filter(pl.col("icao24") == icao.lstrip("~"))
    base = df["time"][0].timestamp()
    trace: list[list[object]] = []
    last_callsign = None
    for i, r in enumerate(df.iter_rows(named=True)):
        details = None
        if r["callsign"] != last_callsign:
            details = {"flight": f"{r['callsign'] or '':<8}", "squawk": r["squawk"]}
            last_callsign = r["callsign"]
        alt: object = "ground" if r["on_ground"] else r["alt_baro_ft"]
        trace.append(
            [
                round(r["time"].timestamp() - base, 2),
                r["lat"],
                r["lon"],
                alt,
                r["gs_kt"],
                r["track_deg"],
                2 if i == 0 else 0,
                r["vrate_fpm"],
                details,
                "adsb_icao",
                r["alt_geom_ft"],
                None,
                None,
                None,
            ]
        )
    return {"icao": icao, "timestamp": base, "trace": trace}


def write_trace(path: Path, *, gz: bool = True, icao: str = "3c6444") -> Path:
    data = json.dumps(trace_doc(icao)).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def aircraft_doc() -> dict[str, object]:
    now = T0.timestamp() + 30
    return {
        "now": now,
        "messages": 1234,
        "aircraft": [
            {
                "hex": "3c6444",
                "flight": "DLH4TR  ",
                "alt_baro": 2500,
                "alt_geom": 2575,
                "gs": 175.0,
                "track": 252.5,
                "baro_rate": 2500,
                "squawk": "1000",
                "lat": 50.05,
                "lon": 8.51,
                "seen_pos": 9.0,
                "seen": 0.4,
                "nav_modes": ["autopilot"],
            },
            {"hex": "4b1815", "flight": "TAP123  ", "alt_baro": 35000, "seen": 1.0},
        ],
    }


def write_aircraft_json(path: Path) -> Path:
    path.write_text(json.dumps(aircraft_doc()))
    return path
