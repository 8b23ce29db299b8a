"""Country of a position: vectorised point-in-polygon over country land borders.

Source: ``country_borders.geojson`` (country-coder's ``borders.json``). Its features
are the leaves of a hierarchy: some carry an ISO code (``iso1A2``), some only the
``country`` they belong to (England -> GB), some (regions, landforms) no geometry.
The code returned is ``iso1A2`` unless it is an ISO "exceptionally reserved" code
(``FX`` Metropolitan France, ``IC`` Canary Islands...), in which case the parent
``country`` is used, so Paris is ``FR``. Territories with their own ISO code (Puerto
Rico ``PR``, Hong Kong ``HK``) keep it. Features with neither (Northern Cyprus,
Bir Tawil) and the sea give ``None``.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import store

if TYPE_CHECKING:
    from pathlib import Path

    from numpy.typing import ArrayLike, NDArray

FILENAME = "country_borders.geojson"


def feature_code(properties: dict[str, Any]) -> str | None:
    """The ISO alpha-2 code a border feature stands for (see module docstring)."""
    iso = properties.get("iso1A2")
    if iso and properties.get("isoStatus") != "excRes":
        return str(iso)
    country = properties.get("country")
    return str(country) if country else (str(iso) if iso else None)


@dataclass(frozen=True)
class Borders:
    geometries: NDArray[np.object_]
    codes: NDArray[np.object_]
    names: NDArray[np.object_]
    tree: shapely.STRtree

    def country_at(self, lat: ArrayLike, lon: ArrayLike) -> NDArray[np.object_]:
        """ISO alpha-2 (or ``None``) of each position; NaN positions give ``None``."""
        lat_a = np.asarray(lat, dtype=np.float64)
        lon_a = np.asarray(lon, dtype=np.float64)
        out = np.full(lat_a.shape, None, dtype=object)
        points = shapely.points(lon_a.ravel(), lat_a.ravel())
        # (point index, polygon index) for every polygon containing a point. Leaves do
        # not overlap, so at most one per point (if they do, the last one wins).
        pts, polys = self.tree.query(points, predicate="within")
        flat = out.ravel()
        flat[pts] = self.codes[polys]
        return flat.reshape(lat_a.shape)


def parse_borders(path: Path) -> Borders:
    try:
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: unreadable country borders ({exc})"
        raise ReferenceDataError(msg) from exc
    geoms, codes, names = [], [], []
    for feature in features:
        geometry = feature.get("geometry")
        if not geometry:
            continue
        props = feature.get("properties") or {}
        geoms.append(shapely.from_geojson(json.dumps(geometry)))
        codes.append(feature_code(props))
        names.append(props.get("nameEn"))
    geometries = np.asarray(geoms, dtype=object)
    shapely.prepare(geometries)
    return Borders(
        geometries,
        np.asarray(codes, dtype=object),
        np.asarray(names, dtype=object),
        shapely.STRtree(geometries),
    )


@functools.cache
def _load(path: Path, digest: str | None) -> Borders:
    return parse_borders(path)


def borders() -> Borders:
    """Country borders from the store (cached)."""
    folder, digest = store.require_dataset("country-borders", "country borders")
    return _load(folder / FILENAME, digest)


def country_at(lat: ArrayLike, lon: ArrayLike) -> NDArray[np.object_]:
    """Vectorised: ISO alpha-2 country (or ``None``) at each (lat, lon)."""
    return borders().country_at(lat, lon)


def clear_cache() -> None:
    _load.cache_clear()


__all__ = ["Borders", "borders", "clear_cache", "country_at", "feature_code", "parse_borders"]
