"""Where the real recordings and reference data live, for every test.

``../shared/data`` beside the checkout (as in CI), or ``TAILWATCH_SHARED_DATA``.
Nothing from there is copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("TAILWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
ADSB = SHARED_DATA / "adsb"
REFERENCE = SHARED_DATA / "reference"
