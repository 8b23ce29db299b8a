"""``tailwatch watch``: the live daemon (feed -> tracker -> alerts), see docs/live.md."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from tailwatch.cli._console import stderr
from tailwatch.cli._run import EXIT_OK, run
from tailwatch.errors import ConfigError, InputError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from tailwatch.alerts import AlertConfig, AlertEngine, Sink
    from tailwatch.live.daemon import Daemon, Source
    from tailwatch.live.tracker import CountryFn


def _hostport(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        msg = f"expected HOST:PORT, got {value!r}"
        raise InputError(msg)
    return host, int(port)


def _receiver(value: str | None) -> tuple[float, float] | None:
    if value is None:
        return None
    try:
        lat, lon = (float(v) for v in value.split(","))
    except ValueError as exc:
        msg = f"expected --receiver LAT,LON, got {value!r}"
        raise InputError(msg) from exc
    return lat, lon


def build_source(
    beast: str | None,
    sbs: str | None,
    json_url: str | None,
    replay: Path | None,
    speed: float,
    receiver: tuple[float, float] | None,
) -> Source:
    from tailwatch.live import daemon as d

    given = [x for x in (beast, sbs, json_url, replay) if x is not None]
    if len(given) != 1:
        msg = "give exactly one of --beast, --sbs, --json, --replay"
        raise InputError(msg)
    if beast is not None:
        return d.beast_source(*_hostport(beast), receiver=receiver)
    if sbs is not None:
        return d.sbs_source(*_hostport(sbs))
    if json_url is not None:
        return d.json_source(json_url)
    assert replay is not None
    return d.replay_source(replay, speed=speed, receiver=receiver)


def build_daemon(
    source: Source,
    config: Path,
    db: Path | None,
    state: Path | None,
    watchlist: tuple[Path, ...] = (),
    sinks: Sequence[Sink] | Mapping[str, Sink] | None = None,
    country_at: CountryFn | None = None,
) -> Daemon:
    """The daemon with its tracker (resumed from ``state`` if present) and alert engine.

    ``sinks`` (tests, embedding): see :class:`~tailwatch.alerts.AlertEngine`; by default
    each rule's sinks are built from the config. ``country_at``: the country of
    positions, for airspace alerts (default: the data store's borders). A rule on
    "airspace" without borders is a :class:`~tailwatch.errors.ConfigError`: it would
    never fire.
    """
    from tailwatch.alerts import AlertEngine, AlertStore, default_db_path, load_config
    from tailwatch.cli.visits import load_watchlists
    from tailwatch.detect import detection_params
    from tailwatch.live.daemon import Daemon
    from tailwatch.live.tracker import LiveTracker

    cfg = load_config(config)  # a bad rule stops here, naming file and line
    country = country_at if country_at is not None else _country_fn()
    if country is None:
        _no_airspace_rules(cfg)
    lists = load_watchlists(watchlist)
    store = AlertStore(db or default_db_path())
    engine = AlertEngine(cfg, store, sinks=sinks, watchlists=lists)
    if state is not None and state.exists():
        tracker = LiveTracker.load(state, params=detection_params(), country_at=country)
    else:
        tracker = LiveTracker(params=detection_params(), country_at=country)
    return Daemon(source, tracker, engine, watchlists=lists, state_path=state)


def unrouted_note(engine: AlertEngine) -> str | None:
    """A start-up note when the outbox holds deliveries for sinks the config dropped."""
    waiting = engine.unrouted_pending()
    if not waiting:
        return None
    n = sum(waiting.values())
    where = ", ".join(f"{sink} ({count})" for sink, count in sorted(waiting.items()))
    return (
        f"note: {n} pending {'delivery waits' if n == 1 else 'deliveries wait'} for "
        f"sinks no longer in the config: {where}. Kept in the outbox; they go out when a "
        "config names those sinks again (see tailwatch history)."
    )


def _no_airspace_rules(cfg: AlertConfig) -> None:
    for i, rule in enumerate(cfg.rules):
        if "airspace" in rule.kinds:
            line = cfg.lines.get(f"rules/{i}/kinds", rule.line)
            msg = (
                f"rule {rule.name!r} alerts on 'airspace', which needs the country borders, "
                "not installed: run `tailwatch data update` (or drop 'airspace' from kinds)"
            )
            raise ConfigError(cfg.path or "config", line, msg)


def _country_fn() -> CountryFn | None:
    """Country borders if the data store has them; airspace alerts are off otherwise."""
    from tailwatch.errors import ReferenceDataError
    from tailwatch.reference import borders

    try:
        borders.borders()
    except ReferenceDataError:
        return None
    return borders.country_at


async def serve(daemon: Daemon, *, live_status: bool = True) -> None:
    """Run until the feed ends or SIGINT/SIGTERM; state and outbox are flushed on exit."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # not the main thread / platform
            pass
    err = stderr()
    try:
        if live_status and err.is_terminal:
            from rich.live import Live

            with Live(daemon.line(), console=err, refresh_per_second=2) as live:
                daemon.on_tick = lambda dm: live.update(dm.line())
                await daemon.run(stop)
        else:
            await daemon.run(stop)
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        if daemon.engine is not None:
            daemon.engine.store.close()
    err.print(daemon.line(), markup=False, highlight=False)


@click.command("watch")
@click.option("--beast", metavar="HOST:PORT", help="Beast binary feed (readsb/dump1090 30005).")
@click.option("--sbs", metavar="HOST:PORT", help="SBS-1 / BaseStation feed (port 30003).")
@click.option("--json", "json_url", metavar="URL", help="aircraft.json to poll every second.")
@click.option(
    "--replay",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A recording: raw frames (.jsonl/.hex), or any positions file tailwatch reads.",
)
@click.option("--speed", default=0.0, show_default=True, help="Replay speed; 0 = no waiting.")
@click.option(
    "--config",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Alert rules (TOML or YAML, see docs/alerts.md).",
)
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="Alert store.")
@click.option(
    "--state",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Tracker state file: resumed at start, saved every minute and on exit.",
)
@click.option("--receiver", metavar="LAT,LON", help="Antenna position (surface positions).")
@click.option(
    "--watchlist",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Extra watchlist files (plane-alert-db from the data store is always used).",
)
@click.option("--once", is_flag=True, help="Process what is available, then exit (cron).")
@click.option(
    "--listen",
    "listen_s",
    type=click.FloatRange(min=0.0),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="With --once on a Beast/SBS stream: how long to listen before exiting.",
)
def command(
    beast: str | None,
    sbs: str | None,
    json_url: str | None,
    replay: Path | None,
    speed: float,
    config: Path,
    db: Path | None,
    state: Path | None,
    receiver: str | None,
    watchlist: tuple[Path, ...],
    once: bool,
    listen_s: float,
) -> int:
    """Watch a receiver feed live and alert on landings, stays and departures."""
    source = build_source(beast, sbs, json_url, replay, speed, _receiver(receiver))
    if once and not source.replay:
        source = _once(source, 0.0 if source.fmt == "aircraft_json" else listen_s)
    daemon = build_daemon(source, config, db, state, watchlist)
    if daemon.engine is not None:
        note = unrouted_note(daemon.engine)
        if note:
            stderr().print(note, markup=False, highlight=False)
    asyncio.run(serve(daemon))
    return EXIT_OK


def _once(source: Source, listen_s: float) -> Source:
    """``--once`` on a live feed: one poll of aircraft.json; on a Beast/SBS stream, what
    arrives in ``listen_s`` seconds (at least one chunk); then the end of the feed."""
    from dataclasses import replace

    inner = source.batches

    async def batches() -> object:
        until = time.monotonic() + listen_s
        first = True
        while True:
            left = until - time.monotonic()
            if not first and left <= 0:
                break
            try:
                # the first chunk is waited for; later ones only until the time is up
                nxt = anext(inner)
                batch = await (nxt if first else asyncio.wait_for(nxt, left))
            except (StopAsyncIteration, TimeoutError):
                break
            first = False
            yield batch
        aclose = getattr(inner, "aclose", None)
        if aclose is not None:
            with contextlib.suppress(Exception):
                await aclose()

    return replace(source, batches=batches(), replay=False)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    return run(command, argv)


__all__ = ["build_daemon", "build_source", "command", "main", "serve", "unrouted_note"]
