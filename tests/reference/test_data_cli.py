"""``tailwatch data import|update|status`` and the store, without the network."""

from __future__ import annotations

import gzip
import json
from typing import TYPE_CHECKING

import httpx

from tailwatch.cli.data import main
from tailwatch.reference import store as store_mod
from tailwatch.reference import update as upd
from tailwatch.reference.registry import registry

if TYPE_CHECKING:
    from pathlib import Path

    import pytest


def test_store_creates_nothing_until_asked(empty_store: Path) -> None:
    assert store_mod.dataset_path("tar1090-db") is None
    assert store_mod.read_manifest() == {}
    assert not empty_store.exists()


def test_import_and_status(
    empty_store: Path, reference_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(reference_dir)]) == 0
    manifest = store_mod.read_manifest()
    assert set(manifest) == set(store_mod.DATASETS)
    tar = manifest["tar1090-db"]
    assert tar["method"] == "import"
    assert tar["upstream_date"].startswith("2026-04-06")  # gzip header of files.js
    assert len(tar["files"]) == 85
    assert all(len(f["sha256"]) == 64 for f in tar["files"])
    assert store_mod.dataset_path("ourairports") == empty_store / "ourairports"
    capsys.readouterr()

    assert main(["status"]) == 0
    out = capsys.readouterr().out
    for name in store_mod.DATASETS:
        assert name in out
    assert "not installed" not in out


def test_import_nothing(empty_store: Path, tmp_path: Path) -> None:
    assert main(["import", str(tmp_path)]) == 1
    assert not empty_store.exists() or store_mod.read_manifest() == {}


def _mock_upstream(reference_dir: Path, fail: set[str] | None = None) -> httpx.MockTransport:
    """Serve the shared reference files at their upstream URLs."""
    fail = fail or set()
    tar_db = reference_dir / "tar1090-db" / "db"
    plain = {
        upd.ICAO_RANGES_URL: reference_dir / "icao24_ranges_patterns.json",
        upd.BORDERS_URL: reference_dir / "country_borders.geojson",
    }
    served: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        served.append(url)
        if any(f in url for f in fail):
            return httpx.Response(500)
        if url in plain:
            return httpx.Response(200, content=plain[url].read_bytes())
        if url.startswith(upd.TAR1090_DB_URL):
            path = tar_db / url.removeprefix(upd.TAR1090_DB_URL)
            if path.is_file():
                return httpx.Response(200, content=path.read_bytes())
        if url.startswith(upd.PLANE_ALERT_URL):
            path = reference_dir / "plane-alert-db" / url.removeprefix(upd.PLANE_ALERT_URL)
            if path.is_file():
                headers = {"last-modified": "Sun, 01 Mar 2026 10:00:00 GMT"}
                return httpx.Response(200, content=path.read_bytes(), headers=headers)
        if url.startswith(upd.OURAIRPORTS_URL):
            name = url.removeprefix(upd.OURAIRPORTS_URL)
            path = reference_dir / "ourairports" / f"{name}.gz"
            if path.is_file():
                return httpx.Response(200, content=gzip.decompress(path.read_bytes()))
        return httpx.Response(404)

    transport = httpx.MockTransport(handler)
    transport.served = served  # type: ignore[attr-defined]
    return transport


def test_update_with_mock_transport(empty_store: Path, reference_dir: Path) -> None:
    transport = _mock_upstream(reference_dir)
    with httpx.Client(transport=transport) as client:
        outcomes = upd.update(client=client)
    assert [(o.dataset, o.status) for o in outcomes] == [
        (name, "installed") for name in upd.UPDATERS
    ]
    manifest = store_mod.read_manifest()
    assert manifest["plane-alert-db"]["upstream_date"] == "2026-03-01T10:00:00+00:00"
    assert manifest["tar1090-db"]["method"] == "update"
    listing = json.loads(gzip.decompress((reference_dir / "tar1090-db/db/files.js").read_bytes()))
    assert len(listing) == 77
    assert {f"{upd.TAR1090_DB_URL}{n}.js" for n in listing} <= set(transport.served)  # type: ignore[attr-defined]
    assert registry().get("018019") is not None  # parsed into the cache at install
    assert list((empty_store / "cache").glob("registry-*.parquet"))
    # OurAirports are stored gzipped, the layout the airports loader reads
    rows = gzip.decompress((empty_store / "ourairports" / "runways.csv.gz").read_bytes())
    assert rows.startswith(b'"id","airport_ref"') or rows.startswith(b"id,")


def test_failed_update_keeps_the_good_copy(empty_store: Path, reference_dir: Path) -> None:
    upd.import_dir(reference_dir)
    before = store_mod.read_manifest()
    # one shard fails half way through the tar1090-db download
    transport = _mock_upstream(reference_dir, fail={"/db/A0.js", "borders.json"})
    with httpx.Client(transport=transport) as client:
        outcomes = {o.dataset: o for o in upd.update(client=client)}
    assert outcomes["tar1090-db"].status == "failed"
    assert "HTTP 500" in outcomes["tar1090-db"].detail
    assert outcomes["country-borders"].status == "failed"
    assert outcomes["plane-alert-db"].status == "installed"
    after = store_mod.read_manifest()
    assert after["tar1090-db"] == before["tar1090-db"]
    assert after["country-borders"] == before["country-borders"]
    assert (empty_store / "tar1090-db" / "db" / "A0.js").is_file()
    # no staging leftovers
    assert not [p for p in empty_store.iterdir() if p.name.startswith(".")]


def test_update_network_error_is_reported(empty_store: Path) -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("no route", request=request)

    with httpx.Client(transport=httpx.MockTransport(boom)) as client:
        outcomes = upd.update(["icao24-ranges"], client=client)
    assert outcomes[0].status == "failed"
    assert "no route" in outcomes[0].detail
    assert store_mod.dataset_path("icao24-ranges") is None
