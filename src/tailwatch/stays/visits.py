"""Visits: a (watched) aircraft's stay at an airport, with who and where in words.

A visit is a row of the stays table, joined with:

* the watchlist entries valid at the arrival (``Watchlists.watch_column``); with no
  watchlist, every stay is a visit;
* the aircraft: registration, type and description from the registry (when installed),
  else from the watchlist entry, else from ``identities`` given by the caller;
* the registration country from the ICAO 24-bit address block (when installed);
* the airport's name, city and country;
* the stays around it (the previous stop, the next airport), then the one-sentence
  description (:mod:`tailwatch.report.sentences`).

Reference data that is not installed leaves its columns null: a visit is never lost
because a lookup table is missing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import polars as pl

from tailwatch._schema import VISITS, WATCH_ENTRIES
from tailwatch.errors import ReferenceDataError
from tailwatch.report.sentences import (
    Place,
    VisitFacts,
    Who,
    airport_display_name,
    visit_sentence,
)

if TYPE_CHECKING:
    from tailwatch.reference.airports import AirportIndex
    from tailwatch.reference.watchlists import Watchlists

_IDENTITY = ("registration", "typecode", "aircraft_description", "registration_country")

#: A stop this short or shorter, just before a visit, reads "after a 40-minute stop at".
STOPOVER_MAX = timedelta(minutes=90)


def _registry(icao24: pl.Series) -> pl.DataFrame:
    out = pl.DataFrame({"icao24": icao24})
    try:
        from tailwatch.reference.registry import registry

        found = registry().lookup(icao24).select("registration", "typecode", "description")
        return out.hstack(found)
    except (ReferenceDataError, ImportError):
        return out.with_columns(
            registration=pl.lit(None, pl.String),
            typecode=pl.lit(None, pl.String),
            description=pl.lit(None, pl.String),
        )


def _countries(icao24: pl.Series) -> tuple[pl.Series, dict[str, str]]:
    """Registration country (ISO) per hex, and ISO -> country name when known."""
    from tailwatch.reference.airports import country_names

    names = dict(country_names())
    try:
        from tailwatch.reference import icao_blocks

        blocks = icao_blocks.blocks()
        found = blocks.lookup(icao24)
        names.update(
            {iso: name for name, iso in zip(blocks.country, blocks.iso, strict=True) if iso}
        )
        return found.get_column("country_iso"), names
    except (ReferenceDataError, ImportError):
        return pl.Series([None] * len(icao24), dtype=pl.String), names


def _context(stays: pl.DataFrame) -> pl.DataFrame:
    """Previous stop and next airport of each stay, linked through the flight between."""
    by = stays.sort("icao24", "arrival_time")
    prev_linked = (
        pl.col("arrival_flight_id").is_not_null()
        & (pl.col("departure_flight_id").shift(1).over("icao24") == pl.col("arrival_flight_id"))
    ).fill_null(value=False)
    next_linked = (
        pl.col("departure_flight_id").is_not_null()
        & (pl.col("arrival_flight_id").shift(-1).over("icao24") == pl.col("departure_flight_id"))
    ).fill_null(value=False)
    return by.with_columns(
        previous_airport=pl.when(prev_linked).then(pl.col("airport").shift(1).over("icao24")),
        previous_dwell_s=pl.when(
            prev_linked & (pl.col("dwell_bound").shift(1).over("icao24") == "exact")
        ).then(pl.col("dwell_s").shift(1).over("icao24")),
        next_airport=pl.when(next_linked).then(pl.col("airport").shift(-1).over("icao24")),
    )


def build_visits(
    stays: pl.DataFrame,
    *,
    watchlists: Watchlists | None = None,
    index: AirportIndex | None = None,
    identities: pl.DataFrame | None = None,
    events: pl.DataFrame | None = None,
    watched_only: bool = True,
    date_in_sentence: bool = True,
) -> pl.DataFrame:
    """Visits (VISITS schema) from stays (STAYS schema).

    ``watchlists``: keep stays of aircraft with an entry valid at the arrival (all
    stays when ``None`` or ``watched_only=False``). ``identities``: optional frame with
    ``icao24`` and any of ``registration, typecode, aircraft_description,
    registration_country``
    that win over the registry (e.g. the demo's aircraft). ``events``: the EVENTS the
    stays came from, to say at which altitude an ``inferred`` landing lost the signal.
    """
    from tailwatch.reference.airports import AirportIndex

    ix = index or AirportIndex.default()
    st = _context(stays)
    times = pl.coalesce("arrival_time", "departure_time")
    if watchlists is not None:
        watch = watchlists.watch_column(st["icao24"], st.select(times).to_series())
        st = st.with_columns(watch.alias("watch"))
        if watched_only:
            st = st.filter(pl.col("watch").list.len() > 0)
    else:
        st = st.with_columns(pl.lit([], dtype=WATCH_ENTRIES).alias("watch"))

    ident = _registry(st["icao24"])
    iso, country_names = _countries(st["icao24"])
    st = st.with_columns(
        ident.get_column("registration"),
        ident.get_column("typecode"),
        ident.get_column("description").alias("aircraft_description"),
        iso.alias("registration_country"),
    )
    if watchlists is not None and st.height:
        # the watchlist knows the registration / type when the registry does not
        m = watchlists.match(st["icao24"], st.select(times).to_series())
        first = m.group_by("row").agg(
            pl.col("registration").drop_nulls().first().alias("_w_reg"),
            pl.col("type_name").drop_nulls().first().alias("_w_type"),
            pl.col("typecode").drop_nulls().first().alias("_w_code"),
        )
        st = (
            st.with_row_index("row")
            .with_columns(pl.col("row").cast(pl.Int64))
            .join(first, on="row", how="left", maintain_order="left")
            .with_columns(
                registration=pl.coalesce("registration", "_w_reg"),
                aircraft_description=pl.coalesce("aircraft_description", "_w_type"),
                typecode=pl.coalesce("typecode", "_w_code"),
            )
            .drop("row", "_w_reg", "_w_type", "_w_code")
        )
    if identities is not None:
        cols = [c for c in _IDENTITY if c in identities.columns]
        given = identities.select("icao24", *(pl.col(c).alias(f"_id_{c}") for c in cols))
        st = st.join(given.unique("icao24"), on="icao24", how="left", maintain_order="left")
        st = st.with_columns(pl.coalesce(f"_id_{c}", c).alias(c) for c in cols)
        st = st.drop(f"_id_{c}" for c in cols)

    ap = ix.airports.select(
        pl.col("icao").alias("airport"),
        pl.col("name").alias("airport_name"),
        pl.col("city").alias("airport_city"),
        pl.col("country").alias("airport_country"),
    ).unique("airport", keep="first")
    st = st.join(ap, on="airport", how="left", maintain_order="left")

    lost: dict[str, float] = {}
    if events is not None and "alt_ft" in events.columns:
        inferred = events.filter(pl.col("confidence") == "inferred").select("event_id", "alt_ft")
        lost = {k: float(v) for k, v in inferred.iter_rows() if v is not None}
    names = {
        r["airport"]: airport_display_name(r["airport_name"], r["airport_city"])
        for r in ap.filter(
            pl.col("airport").is_in(
                pl.concat([st["airport"], st["previous_airport"], st["next_airport"]])
                .drop_nulls()
                .unique()
                .implode()
            )
        ).iter_rows(named=True)
    }
    countries = dict(ap.select("airport", "airport_country").iter_rows())

    def place(icao: str | None, long: bool = False) -> Place | None:
        if icao is None:
            return None
        iso_code = countries.get(icao)
        country = country_names.get(iso_code, iso_code) if iso_code and long else None
        return Place(icao, names.get(icao), country)

    sentences: list[str] = []
    for r in st.iter_rows(named=True):
        entry = r["watch"][0] if r["watch"] else None
        who = Who(
            r["icao24"],
            r["registration"],
            r["aircraft_description"],
            entry["label"] if entry else None,
            entry["source"] if entry else None,
            entry["category"] if entry else None,
        )
        prev_dwell = r["previous_dwell_s"]
        airport = place(r["airport"], long=True)
        assert airport is not None  # stays always have an airport
        facts = VisitFacts(
            who=who,
            airport=airport,
            arrival_time=r["arrival_time"],
            arrival_is_lower_bound=r["arrival_is_lower_bound"],
            arrival_confidence=r["arrival_confidence"],
            departure_time=r["departure_time"],
            departure_is_upper_bound=r["departure_is_upper_bound"],
            departure_confidence=r["departure_confidence"],
            is_open=r["open"],
            data_start=r["data_start"],
            data_end=r["data_end"],
            previous=place(r["previous_airport"]),
            previous_dwell_s=prev_dwell,
            previous_is_stopover=prev_dwell is not None
            and prev_dwell <= STOPOVER_MAX.total_seconds(),
            next=place(r["next_airport"]),
            lost_at_ft=lost.get(r["arrival_event_id"] or ""),
            runway=r["arrival_runway"],
        )
        sentences.append(visit_sentence(facts, date=date_in_sentence))
    st = st.with_columns(pl.Series("sentence", sentences, dtype=pl.String))
    return st.select([pl.col(c).cast(t) for c, t in VISITS.items()]).sort("arrival_time", "icao24")


__all__ = ["STOPOVER_MAX", "build_visits"]
