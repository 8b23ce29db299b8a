"""Where a point stands relative to runways: on an airport, or on a runway's axis.

Airports are decided from runway *thresholds and centrelines*, not from airport
reference points, so Le Bourget (LFPB) and Charles de Gaulle (LFPG), 9 km apart, are
told apart by which runway the aircraft rolled on or lined up with.

For a runway end E (threshold position, true heading ``h`` for landing on it,
length ``L``) and a point P, ``along`` is P's distance from E along ``h`` (negative
before the threshold) and ``cross`` its distance from the centreline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import polars as pl

from tailwatch.flights._geo import angle_diff_deg, bearing_deg, haversine_km

if TYPE_CHECKING:
    from tailwatch.flights.params import DetectionParams
    from tailwatch.reference.airports import AirportIndex

FT_PER_KM = 3280.84
#: Longest runway in the data (~5.5 km) plus margin, so a point past the far end finds
#: the threshold it departed from.
_RUNWAY_REACH_KM = 6.0


def _km(feet: pl.Expr) -> pl.Expr:
    """A runway length from the reference data's feet to km."""
    return feet.cast(pl.Float64) / FT_PER_KM


#: How much farther than ``arp_max_km`` a ground position may lie from the reference
#: point of an airport whose runways are listed without positions (see _arp_reach).
_ARP_REACH_KM = 1.5


def _arp_reach(length_km: pl.Expr, arp_max_km: float) -> pl.Expr:
    """How far from its reference point an airport without positioned runways reaches.

    ``arp_max_km``, or, when its longest runway is known to be long, half that length
    plus 1 km (a reference point lies near the middle of the runways; parallel runways
    and aprons lie up to ~1 km to the side): a roll on Bengaluru's 4-km runways ends
    ~2 km from the middle, beyond the 2.5 km that suits a small field. Capped at
    ``arp_max_km + _ARP_REACH_KM``.
    """
    reach = (length_km / 2 + 1.0).clip(arp_max_km, arp_max_km + _ARP_REACH_KM)
    return reach.fill_null(arp_max_km)


def _ends_near(points: pl.DataFrame, index: AirportIndex, radius_km: float, k: int) -> pl.DataFrame:
    """Runway ends near each point, with along/cross-track geometry (query = row of points).

    One row per (point, runway end within ``radius_km``, at most ``k``), nearest end
    first per point; the point's own columns ride along. Rows are gathered by number
    from the tree's answer (no joins on the airport/ident text).
    """
    if points.height == 0:
        return pl.DataFrame()
    query, rows, _, _ = index._query(
        index._runway_tree, points["lat"].to_numpy(), points["lon"].to_numpy(), radius_km, k
    )
    if query.size == 0:
        return pl.DataFrame()
    ends = index._runway_rows.select(
        "airport",
        "ident",
        "heading_deg",
        "elevation_ft",
        "length_ft",
        t_lat="lat",
        t_lon="lon",
    )[rows]
    j = pl.concat(
        [pl.DataFrame({"query": query}, schema={"query": pl.UInt32}), ends, points[query]],
        how="horizontal",
    )
    d = haversine_km(pl.col("t_lat"), pl.col("t_lon"), pl.col("lat"), pl.col("lon"))
    b = bearing_deg(pl.col("t_lat"), pl.col("t_lon"), pl.col("lat"), pl.col("lon"))
    rel = (b - pl.col("heading_deg").cast(pl.Float64)).radians()
    return j.with_columns(
        along_km=d * rel.cos(),
        cross_km=(d * rel.sin()).abs(),
        length_km=_km(pl.col("length_ft")).fill_null(2.0),
    )


def on_airport(points: pl.DataFrame, index: AirportIndex, params: DetectionParams) -> pl.DataFrame:
    """Airports whose runways (or, without runway data, reference point) are near each point.

    ``points`` has ``lat``, ``lon``. Returns one row per (query, airport) within
    ``runway_max_km`` of a runway, or ``arp_max_km`` of a runway-less airport's
    reference point (more for long runways listed without positions:
    :func:`_arp_reach`): ``query, airport, dist_km`` sorted by query and distance.
    """
    out_schema = pl.Schema({"query": pl.UInt32(), "airport": pl.String(), "dist_km": pl.Float64()})
    if points.height == 0:
        return pl.DataFrame(schema=out_schema)
    ends = _ends_near(points, index, params.runway_max_km + _RUNWAY_REACH_KM, 32)
    parts = []
    if ends.height:
        a, x, length = pl.col("along_km"), pl.col("cross_km"), pl.col("length_km")
        seg = (
            pl.when(a < 0)
            .then((a**2 + x**2).sqrt())
            .when(a > length)
            .then(((a - length) ** 2 + x**2).sqrt())
            .otherwise(x)
        )
        parts.append(
            ends.select("query", "airport", dist_km=seg).filter(
                pl.col("dist_km") <= params.runway_max_km
            )
        )
    near = index.near(
        points["lat"].to_numpy(), points["lon"].to_numpy(), params.arp_max_km + _ARP_REACH_KM, 8
    )
    with_runways = index.airports_with_runways
    parts.append(
        near.join(with_runways, left_on="icao", right_on="airport", how="anti")
        .join(index.unplaced_runways, left_on="icao", right_on="airport", how="left")
        .filter(pl.col("distance_km") <= _arp_reach(_km(pl.col("length_ft")), params.arp_max_km))
        .select("query", pl.col("icao").alias("airport"), pl.col("distance_km").alias("dist_km"))
    )
    res = (
        pl.concat([p.cast(out_schema) for p in parts]) if parts else pl.DataFrame(schema=out_schema)
    )
    return (
        res.group_by("query", "airport")
        .agg(pl.col("dist_km").min())
        .sort("query", "dist_km", "airport")
    )


def aligned(
    points: pl.DataFrame,
    kind: Literal["landing", "takeoff"],
    index: AirportIndex,
    params: DetectionParams,
) -> pl.DataFrame:
    """Runway ends a point is lined up with, for a landing ahead or a take-off behind.

    ``points`` has ``lat, lon, alt_ft, course_deg, vrate_fpm``. A point qualifies for a
    runway end when its course is within ``align_max_deg`` of the runway heading, it
    is on the extended centreline (before the threshold for a landing, past the far
    end for a take-off), no farther than ``inferred_max_km``, no higher than a steep
    (~6°) glide over that distance, capped at ``inferred_max_height_ft``, and no lower
    than a shallow (~1.1°) one; a landing must not be climbing hard, a take-off not
    descending hard.

    Returns ``query, airport, runway, dist_km, height_ft, cross_km, score`` — every
    qualifying end, best (lowest score) first per query.
    """
    schema = pl.Schema(
        {
            "query": pl.UInt32(),
            "airport": pl.String(),
            "runway": pl.String(),
            "dist_km": pl.Float64(),
            "height_ft": pl.Float64(),
            "cross_km": pl.Float64(),
            "score": pl.Float64(),
        }
    )
    ends = _ends_near(points, index, params.inferred_max_km + _RUNWAY_REACH_KM, 48)
    if ends.height == 0:
        return pl.DataFrame(schema=schema)
    p = params
    a, x, length = pl.col("along_km"), pl.col("cross_km"), pl.col("length_km")
    # Distance to go (landing: before the threshold) or flown (take-off: past the far end).
    dist = (-a).clip(0.0, None) if kind == "landing" else (a - length).clip(0.0, None)
    in_range = (
        (a >= -p.inferred_max_km) & (a <= length)
        if kind == "landing"
        else ((a >= 0.0) & (a - length <= p.inferred_max_km))
    )
    height = pl.col("alt_ft").cast(pl.Float64) - pl.col("elevation_ft").cast(pl.Float64)
    # Height is judged against distance from where the aircraft meets the runway: the
    # threshold on a landing; on a take-off the start of the runway, since lift-off can
    # come anywhere along it (a heavy jet may pass the far end at 800 ft).
    climb = dist if kind == "landing" else a.clip(0.0, None)
    # Too low for the distance: no approach is that shallow and no departure climbs
    # that slowly (1,100 ft at 14 km from LFPB's runway 07 is a CDG departure).
    # Negative heights are pressure-altitude error (high QNH): read them as zero.
    # The floor counts from the threshold (landing) or the far end (take-off: a heavy
    # jet can lift off at the very end of the runway).
    shallow = height.clip(0.0, None) < p.min_glide_ft_per_km * dist - p.glide_base_ft
    vz = pl.col("vrate_fpm").cast(pl.Float64)
    trend = (vz <= 500.0) if kind == "landing" else (vz >= -500.0)
    ok = (
        (
            angle_diff_deg(
                pl.col("course_deg").cast(pl.Float64), pl.col("heading_deg").cast(pl.Float64)
            )
            <= p.align_max_deg
        )
        & in_range
        & (x <= pl.max_horizontal(pl.lit(p.centreline_km), p.centreline_slope * dist))
        & (
            height
            <= pl.min_horizontal(
                pl.lit(p.inferred_max_height_ft), p.glide_base_ft + p.glide_ft_per_km * climb
            )
        )
        & ~shallow
        & trend.fill_null(True)
    )
    res = ends.with_columns(dist_km=dist, height_ft=height).filter(ok.fill_null(False))
    return (
        res.select(
            "query",
            "airport",
            pl.col("ident").alias("runway"),
            "dist_km",
            "height_ft",
            "cross_km",
            score=pl.col("cross_km") + 0.05 * pl.col("dist_km"),
        )
        .cast(schema)
        .sort("query", "score", "airport", "runway")
    )


def runway_for(
    points: pl.DataFrame, index: AirportIndex, max_cross_km: float, max_deg: float
) -> pl.DataFrame:
    """The runway end each point is on or over and moving along (``query, airport, runway``).

    ``points`` has ``lat, lon, course_deg``; the point must be within ``max_cross_km``
    of the centreline, between the thresholds (with 1 km margin), course aligned.
    """
    schema = pl.Schema({"query": pl.UInt32(), "airport": pl.String(), "runway": pl.String()})
    ends = _ends_near(points, index, _RUNWAY_REACH_KM + 1.0, 32)
    if ends.height == 0:
        return pl.DataFrame(schema=schema)
    a, length = pl.col("along_km"), pl.col("length_km")
    ok = (
        (pl.col("cross_km") <= max_cross_km)
        & (a >= -1.0)
        & (a <= length + 1.0)
        & (
            angle_diff_deg(
                pl.col("course_deg").cast(pl.Float64), pl.col("heading_deg").cast(pl.Float64)
            )
            <= max_deg
        )
    )
    return (
        ends.filter(ok.fill_null(False))
        .sort("query", "cross_km")
        .unique("query", keep="first", maintain_order=True)
        .select("query", "airport", pl.col("ident").alias("runway"))
        .cast(schema)
    )


def nearest_airports(
    points: pl.DataFrame, index: AirportIndex, radius_km: float, k: int
) -> pl.DataFrame:
    """Airports near each point (``query, airport, distance_km, bearing_deg``), nearest first."""
    if points.height == 0:
        return pl.DataFrame(
            schema={
                "query": pl.UInt32(),
                "airport": pl.String(),
                "distance_km": pl.Float32(),
                "bearing_deg": pl.Float32(),
            }
        )
    near = index.near(points["lat"].to_numpy(), points["lon"].to_numpy(), radius_km, k)
    return near.select(
        "query",
        pl.col("icao").alias("airport"),
        pl.col("distance_km").cast(pl.Float32),
        pl.col("bearing_deg").cast(pl.Float32),
    )


__all__ = ["aligned", "nearest_airports", "on_airport", "runway_for"]
