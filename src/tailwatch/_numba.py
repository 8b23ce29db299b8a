"""How tailwatch compiles its loops: numba, machine code cached on disk, no GIL.

``cache=True`` keeps the compiled code beside the module, so only the first run on a
machine pays the compile; ``nogil=True`` lets worker threads run kernels in parallel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from numba import njit

if TYPE_CHECKING:
    from collections.abc import Callable


def compiled(fn: Callable[..., Any]) -> Callable[..., Any]:
    return njit(cache=True, nogil=True)(fn)


__all__ = ["compiled"]
