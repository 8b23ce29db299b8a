"""Every threshold of the detector, in one frozen dataclass (units in the names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectionParams:
    """Thresholds of take-off / landing detection. See ``docs/detection.md`` for the why.

    Cleaning
    --------
    max_speed_kt: 750. Implied speed between consecutive positions above which the
        hop is physically impossible for the subsonic jets and props we watch
        (a Falcon/Gulfstream cruises at ~480 kt ground speed, ~650 kt with a jet stream).
    position_slack_km: 0.3. Position noise forgiven before computing implied speed.
    max_glitch_s: 300. A run of positions cut off from its neighbours by impossible
        hops (or altitudes by impossible climbs) and shorter than this is a glitch.
    max_vrate_fpm: 12000. Implied climb/descent rate above which an altitude jump is
        impossible (bizjets climb at 4-6,000 ft/min; fighters are out of scope).
    altitude_slack_ft: 400. Altitude noise forgiven before the rate test.

    Ground / air state
    ------------------
    field_search_km: 30. Radius to find the field elevation that heights refer to.
    air_height_ft: 1000. Above this height over the nearest field a moving aircraft is
        airborne whatever its on-ground flag says (flags flicker: HUAF408, SAVAN04).
    ground_height_ft: 400. Below this height a slow aircraft is on the ground even
        without a flag (pressure altitude is off by up to ~400 ft with QNH).
    baro_offset_max_ft / baro_offset_s: 1000, 7200. Pressure altitude is corrected
        by the offset the aircraft itself shows while parked/taxiing at a field (QNH:
        -430 ft in Paris at 1029 hPa; +-1,000 ft covers 980-1050 hPa), when within
        1,000 ft of the field (farther is a garbled altitude), for positions within 2 h
        of that stop.
    taxi_speed_kt: 45. Slower than this a fixed-wing aircraft cannot fly (a helicopter
        can: slow rows with a clear flag well above a known field stay airborne).
    air_speed_kt: 60. Faster than this, with no ground flag, it is flying.
    speed_baseline_s: 20, speed_tolerance_s: 120. Without a reported ground speed,
        speed is implied from the positions ~20 s before and after (a time baseline,
        so stale repeated positions followed by a jump do not read as motion); no
        neighbour within 120 s: the adjacent positions.
    min_air_s / min_air_points: an airborne run between two ground runs that is
        shorter (or has fewer points) and stays below ``air_height_ft`` is noise.
    min_ground_s / min_ground_points: a ground run between two airborne runs that is
        shorter is a touch-and-go (if fast and on a runway) or a flag flicker.
    touch_and_go_min_kt: 40. A touch-and-go keeps at least this speed on the ground.
    static_air_s: 20. A position held unchanged (within 50 m) for 20 s against the
        previous or next one is static, as if no speed were reported: a parked aircraft
        whose feed repeats a stale ground speed and a garbled altitude (PGT90Y at Orly:
        35,000 ft, 101 kt, one position for 5 min). Nothing flying holds a position.
    flying_speed_kt: 80. A short, low airborne run at a coverage edge (data start/end
        or a gap of ``min_gap_s``) that touches a ground run is a real landing or
        take-off, not noise, when its median reported and implied speeds reach this
        (approach/rotation speed of the slowest types we watch; taxi is < 30 kt) and
        it is lined up with a runway, descending onto it or climbing from it (Zurich
        CAI3208: in coverage 27 s on short final to LSZH 14 at 120 kt).
    min_edge_points: 2. Such an edge run needs this many positions (any other
        airborne run ``min_air_points``): with OpenSky's 10-s state vectors CAI3208's
        27 s give two or three. Speed, alignment and trend must still hold.

    Flights and gaps
    ----------------
    min_gap_s: 600. Shorter airborne signal gaps never split a flight.
    stop_gap_s: 900. A gap at least this long splits a flight when the aircraft
        vanished on a final approach (inferred landing) or reappears climbing out of
        an airport (inferred take-off): there was time for a ground stop.
    callsign_gap_s: 1800. A callsign change across a gap at least this long splits.
    loiter_gap_s: 10800 and loiter_max_km: 50. After 3 h out of sight, reappearing
        within 50 km of where it vanished means it landed (no orbiting that long).
    endurance_s: 64800. No aircraft we watch stays airborne 18 h: a longer gap splits.
    ground_jump_km: 20. Two ground positions this far apart across a gap mean an
        unseen flight between them.

    Airports
    --------
    observed_max_gap_s: 300. A take-off/landing is ``observed`` when the last ground
        and first airborne positions (or vice versa) are at most this far apart in time.
    gap_reach_km: 60. When the transition fell in a longer gap, the airport where the
        aircraft was on the ground is still claimed (``inferred``) if the airborne end
        is within this distance of it (a direct climb-out or descent); farther away,
        the flight's end is judged from its airborne end alone.
    runway_max_km: 1.5. A ground position belongs to an airport when it lies within
        this distance of one of its runways (aprons and taxiways included).
    arp_max_km: 2.5. Fallback for airports without runway data: distance to the
        airport reference point (up to 1.5 km more where runways are listed long but
        without positions: half the longest plus 1 km).
    observed_height_ft: 300, observed_dist_km: 3. An airborne end lined up with a
        runway, at most 300 ft above its threshold and 3 km from it, is ``observed``:
        the data shows it at the runway (coverage often stops a few hundred feet up).
    inferred_max_km: 12. Signal lost farther than this from a threshold: no airport.
    inferred_max_height_ft: 2000. Signal lost higher than this above the threshold:
        no airport.
    align_max_deg: 20. Track within this of the runway heading.
    centreline_km / centreline_slope: cross-track distance to the extended centreline
        allowed: max(centreline_km, centreline_slope * distance to threshold).
    glide_base_ft / glide_ft_per_km: highest plausible height on final or initial
        climb: base + slope * distance from the runway (~6°, twice a normal glide).
    min_glide_ft_per_km: 120. Lowest plausible: slope * distance - base (~1.1°, a
        third of a normal glide; a departure below it is another airport's, e.g. a
        CDG departure 14 km east of Le Bourget at 1,100 ft).
    candidates_km / candidates_k: airports listed for a ``none`` event.
    evidence_points: positions kept as evidence on each side of an event.

    Aircraft
    --------
    rotorcraft: addresses of helicopters, gyroplanes and tilt-rotors (from the
        registry, :meth:`~tailwatch.reference.registry.Registry.rotorcraft`). Slow
        is not "on the ground" for them: moving (>= 10 kt), reported as airborne and
        the ground flag not set, they fly at any speed (see ``docs/detection.md``).
        Empty: every aircraft is judged as an aeroplane, as when no registry is
        installed.
    """

    # cleaning
    max_speed_kt: float = 750.0
    position_slack_km: float = 0.3
    max_glitch_s: float = 300.0
    max_vrate_fpm: float = 12000.0
    altitude_slack_ft: float = 400.0
    # ground / air
    field_search_km: float = 30.0
    air_height_ft: float = 1000.0
    ground_height_ft: float = 400.0
    baro_offset_max_ft: float = 1000.0
    baro_offset_s: float = 7200.0
    taxi_speed_kt: float = 45.0
    air_speed_kt: float = 60.0
    speed_baseline_s: float = 20.0
    speed_tolerance_s: float = 120.0
    min_air_s: float = 30.0
    min_air_points: int = 3
    min_ground_s: float = 60.0
    min_ground_points: int = 3
    touch_and_go_min_kt: float = 40.0
    static_air_s: float = 20.0
    flying_speed_kt: float = 80.0
    min_edge_points: int = 2
    # flights and gaps
    min_gap_s: float = 600.0
    stop_gap_s: float = 900.0
    callsign_gap_s: float = 1800.0
    loiter_gap_s: float = 10800.0
    loiter_max_km: float = 50.0
    endurance_s: float = 64800.0
    ground_jump_km: float = 20.0
    # airports
    observed_max_gap_s: float = 300.0
    gap_reach_km: float = 60.0
    runway_max_km: float = 1.5
    arp_max_km: float = 2.5
    observed_height_ft: float = 300.0
    observed_dist_km: float = 3.0
    inferred_max_km: float = 12.0
    inferred_max_height_ft: float = 2000.0
    align_max_deg: float = 20.0
    centreline_km: float = 0.6
    centreline_slope: float = 0.15
    glide_base_ft: float = 400.0
    glide_ft_per_km: float = 350.0
    min_glide_ft_per_km: float = 120.0
    candidates_km: float = 80.0
    candidates_k: int = 5
    evidence_points: int = 3
    # aircraft
    rotorcraft: frozenset[str] = frozenset()


__all__ = ["DetectionParams"]
