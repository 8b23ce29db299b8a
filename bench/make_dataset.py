"""Build a >= 10 M-row benchmark set from the Paris recording, into bench/out/.

The 284,505 Paris records are repeated ``--copies`` times (default 36: 10.24 M rows);
copy k is shifted by k days and its icao24 addresses by k * 0x1000 (mod 2^24), so
every copy is a new set of aircraft and nothing is a duplicate. Altitudes and speeds
get a small deterministic perturbation so the columns do not compress to nothing.

Writes, each with the same rows:
- ``paris_x{N}.parquet``          traffic columns (as the traffic library writes them)
- ``states_x{N}.csv``             OpenSky state vectors (SI units, epoch seconds)
- ``states_x{N}.parquet``         the same OpenSky columns as Parquet
- ``states_x{N}_by_aircraft.parquet`` the same, ordered by (icao24, time)
Rows are in time order within each copy (as OpenSky dumps are), not by aircraft,
except in the ``_by_aircraft`` file: the other order readers keep as it comes.

    python bench/make_dataset.py [--copies 36] [--traffic-only]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import polars as pl

from tailwatch.sources import read_traffic

ROOT = Path(__file__).resolve().parents[1]
PARIS = ROOT.parent / "shared" / "data" / "adsb" / "paris_2021-10-07_quickstart.json.gz"
OUT = Path(__file__).resolve().parent / "out"


def repeated(base: pl.DataFrame, copies: int) -> pl.DataFrame:
    base = base.sort("time")
    addresses = base["icao24"].unique().to_list()
    frames = []
    for k in range(copies):
        # 213 addresses per copy: the mapping is tiny, the replace is vectorised
        shifted = {a: f"{(int(a, 16) + k * 0x1000) % (1 << 24):06x}" for a in addresses}
        jitter = ((pl.int_range(pl.len()) * (k + 1)) % 7 - 3).cast(pl.Float32)
        frames.append(
            base.with_columns(
                (pl.col("time") + pl.duration(days=k)).alias("time"),
                pl.col("icao24").replace_strict(shifted, return_dtype=pl.String),
                (pl.col("alt_baro_ft") + jitter * 25).alias("alt_baro_ft"),
                (pl.col("gs_kt") + jitter).clip(0).alias("gs_kt"),
            )
        )
    return pl.concat(frames)


def to_traffic(df: pl.DataFrame) -> pl.DataFrame:
    return df.select(
        pl.col("time").alias("timestamp"),
        "icao24",
        "callsign",
        pl.col("lat").alias("latitude"),
        pl.col("lon").alias("longitude"),
        pl.col("alt_baro_ft").cast(pl.Float64).alias("altitude"),
        pl.col("gs_kt").cast(pl.Float64).alias("groundspeed"),
        pl.col("track_deg").cast(pl.Float64).alias("track"),
        pl.col("vrate_fpm").cast(pl.Float64).alias("vertical_rate"),
        pl.col("on_ground").alias("onground"),
        "squawk",
    )


def to_opensky(df: pl.DataFrame) -> pl.DataFrame:
    epoch = pl.col("time").dt.epoch("ms") / 1000
    return df.select(
        (epoch.floor() + 1).cast(pl.Int64).alias("time"),
        "icao24",
        "lat",
        "lon",
        (pl.col("gs_kt").cast(pl.Float64) * 1852 / 3600).round(4).alias("velocity"),
        pl.col("track_deg").cast(pl.Float64).round(4).alias("heading"),
        (pl.col("vrate_fpm").cast(pl.Float64) * 0.3048 / 60).round(4).alias("vertrate"),
        pl.col("callsign").str.pad_end(8),
        pl.col("on_ground").alias("onground"),
        pl.lit(False).alias("alert"),
        pl.lit(False).alias("spi"),
        "squawk",
        (pl.col("alt_baro_ft").cast(pl.Float64) * 0.3048).round(2).alias("baroaltitude"),
        (pl.col("alt_geom_ft").cast(pl.Float64) * 0.3048).round(2).alias("geoaltitude"),
        epoch.alias("lastposupdate"),
        (epoch.floor() + 1).alias("lastcontact"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=36)
    parser.add_argument(
        "--traffic-only", action="store_true", help="only paris_x{N}.parquet (bench_scale)"
    )
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    t0 = time.perf_counter()
    base, _ = read_traffic(PARIS)
    big = repeated(base, args.copies)
    n = args.copies
    to_traffic(big).write_parquet(OUT / f"paris_x{n}.parquet")
    if args.traffic_only:
        took = time.perf_counter() - t0
        print(f"{big.height:,} rows in {OUT / f'paris_x{n}.parquet'} ({took:.0f} s)")
        return
    opensky = to_opensky(big)
    opensky.write_parquet(OUT / f"states_x{n}.parquet")
    opensky.write_csv(OUT / f"states_x{n}.csv")
    opensky.sort("icao24", "lastposupdate").write_parquet(OUT / f"states_x{n}_by_aircraft.parquet")
    print(f"{big.height:,} rows x3 files in {OUT} ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
