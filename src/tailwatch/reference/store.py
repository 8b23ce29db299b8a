"""The user's reference-data store: where downloaded or imported datasets live.

Layout (``data_dir()``, from env ``TAILWATCH_DATA_DIR`` or the platform's user data
dir)::

    manifest.json              what each dataset holds, from where, when, sha256
    plane-alert-db/*.csv       one folder per dataset, replaced as a whole
    tar1090-db/db/*.js         (and optionally tar1090-db/aircraft.csv.gz)
    icao24-ranges/icao24_ranges_patterns.json
    country-borders/country_borders.geojson
    ourairports/{airports,runways}.csv.gz
    cache/                     derived files (e.g. the registry as Parquet), disposable

Nothing is created at import. A dataset is installed by writing a complete new folder
beside the old one and swapping them with renames, so a failed or interrupted update
never destroys the previous good copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

from tailwatch.errors import ReferenceDataError

if TYPE_CHECKING:
    from collections.abc import Iterator

MANIFEST = "manifest.json"
CACHE = "cache"


@dataclass(frozen=True)
class Dataset:
    """A dataset the store knows: its folder name, files, licence and upstream."""

    name: str
    description: str
    licence: str
    upstream: str
    #: files that must be present (relative to the dataset folder)
    required: tuple[str, ...]


DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "plane-alert-db",
            "aircraft of interest (watchlist): hex, registration, operator, category, tags",
            "ODbL 1.0",
            "https://github.com/sdr-enthusiasts/plane-alert-db",
            ("plane-alert-db.csv",),
        ),
        Dataset(
            "tar1090-db",
            "aircraft registry: hex -> registration, type, flags (Mictronics/tar1090)",
            "see upstream (Mictronics database)",
            "https://github.com/wiedehopf/tar1090-db",
            (),  # db/files.js or aircraft.csv(.gz): checked by the registry loader
        ),
        Dataset(
            "icao24-ranges",
            "ICAO 24-bit address blocks by country (Annex 10 Vol. III)",
            "MIT (traffic)",
            "https://github.com/xoolive/traffic",
            ("icao24_ranges_patterns.json",),
        ),
        Dataset(
            "country-borders",
            "country land borders (GeoJSON, ISO 3166 alpha-2)",
            "ISC (@rapideditor/country-coder)",
            "https://github.com/rapideditor/country-coder",
            ("country_borders.geojson",),
        ),
        Dataset(
            "ourairports",
            "OurAirports airports and runways",
            "public domain",
            "https://ourairports.com/data/",
            ("airports.csv.gz", "runways.csv.gz"),
        ),
    )
}


def data_dir() -> Path:
    """The store's root folder (not created here)."""
    env = os.environ.get("TAILWATCH_DATA_DIR")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("tailwatch"))


def cache_dir() -> Path:
    """Folder for derived, disposable files (created on demand by the writer)."""
    return data_dir() / CACHE


def _check_name(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(DATASETS)
        msg = f"unknown dataset {name!r} (known: {known})"
        raise ReferenceDataError(msg) from None


def dataset_path(name: str) -> Path | None:
    """The folder of an installed dataset, or ``None`` if it is not in the store."""
    _check_name(name)
    path = data_dir() / name
    if path.is_dir() and name in read_manifest():
        return path
    return None


def require_dataset(name: str, what: str) -> tuple[Path, str | None]:
    """The folder and content digest of an installed dataset; raises if it is missing.

    ``what`` names it for the user, e.g. "country borders".
    """
    path = dataset_path(name)
    if path is None:
        msg = f"no {what}: run `tailwatch data import DIR` or `tailwatch data update`"
        raise ReferenceDataError(msg)
    return path, dataset_digest(name)


def read_manifest() -> dict[str, dict[str, Any]]:
    """Dataset name -> its manifest record; empty if nothing is installed."""
    path = data_dir() / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        datasets: dict[str, dict[str, Any]] = json.loads(text)["datasets"]
    except (ValueError, KeyError, TypeError) as exc:
        msg = f"{path}: corrupt manifest ({exc}); re-run `tailwatch data import` or `update`"
        raise ReferenceDataError(msg) from exc
    return datasets


def dataset_digest(name: str) -> str | None:
    """sha256 over the dataset's files (from the manifest); changes when data changes."""
    record = read_manifest().get(name)
    return None if record is None else str(record["sha256"])


def _write_manifest(datasets: dict[str, dict[str, Any]]) -> None:
    root = data_dir()
    text = json.dumps({"version": 1, "datasets": datasets}, indent=2, sort_keys=True)
    atomic_write_bytes(root / MANIFEST, text.encode())


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class Staging:
    """A new copy of a dataset being written; becomes the installed copy on commit.

    Use :func:`stage` as a context manager: on an exception the staging folder is
    removed and the installed copy (if any) is left untouched.
    """

    def __init__(self, name: str, folder: Path) -> None:
        self.name = name
        self.folder = folder
        #: the upstream's own date for this copy, when the writer can tell
        self.upstream_date: datetime | None = None

    def path(self, relative: str) -> Path:
        """Where to write ``relative`` (parents created)."""
        target = self.folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def write(self, relative: str, data: bytes) -> None:
        self.path(relative).write_bytes(data)

    def copy(self, relative: str, source: Path) -> None:
        shutil.copyfile(source, self.path(relative))


@contextlib.contextmanager
def stage(
    name: str,
    *,
    source: str,
    method: str,
) -> Iterator[Staging]:
    """Context manager yielding a :class:`Staging`; installs it atomically on success."""
    spec = _check_name(name)
    root = data_dir()
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(dir=root, prefix=f".staging-{name}-"))
    try:
        staging = Staging(name, folder)
        yield staging
        missing = [f for f in spec.required if not (folder / f).is_file()]
        if missing:
            msg = f"{name}: missing {', '.join(missing)} in {source}"
            raise ReferenceDataError(msg)
        record = _describe(
            folder, source=source, method=method, upstream_date=staging.upstream_date
        )
        if not record["files"]:
            msg = f"{name}: no files found in {source}"
            raise ReferenceDataError(msg)
        _swap_in(folder, root / name)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    manifest = read_manifest()
    manifest[name] = record
    _write_manifest(manifest)


def _describe(
    folder: Path, *, source: str, method: str, upstream_date: datetime | None
) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    size = 0
    total = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        digest = _sha256(path)
        total.update(f"{rel}\0{digest}\n".encode())
        files.append({"path": rel, "size": path.stat().st_size, "sha256": digest})
        size += path.stat().st_size
    return {
        "source": source,
        "method": method,
        "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
        "upstream_date": upstream_date.isoformat(timespec="seconds") if upstream_date else None,
        "files": files,
        "size": size,
        "sha256": total.hexdigest(),
    }


def _swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with renames; the old copy survives until the end."""
    old: Path | None = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
    try:
        os.replace(new, target)
    except BaseException:
        if old is not None:
            os.replace(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


__all__ = [
    "DATASETS",
    "Dataset",
    "Staging",
    "atomic_write_bytes",
    "cache_dir",
    "data_dir",
    "dataset_digest",
    "dataset_path",
    "read_manifest",
    "stage",
]
