"""Parameter grids built from configuration."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import ConfigError


def log_grid(spec: dict[str, Any], where: str) -> NDArray[np.float64]:
    """A log-spaced grid from ``{min, max, points}`` (both ends included).

    >>> log_grid({"min": 10, "max": 1000, "points": 3}, "mass_grid_gev").tolist()
    [10.0, 100.0, 1000.0]
    """
    lo, hi, n = spec.get("min"), spec.get("max"), spec.get("points")
    if not (isinstance(n, int) and n >= 1):
        raise ConfigError(f"{where}.points is {n!r}; expected a whole number >= 1")
    if not (isinstance(lo, (int, float)) and isinstance(hi, (int, float)) and 0 < lo <= hi):
        raise ConfigError(f"{where}: expected 0 < min <= max, got min={lo!r}, max={hi!r}")
    if n == 1 and lo != hi:
        raise ConfigError(f"{where}: a single point needs min == max, got min={lo!r}, max={hi!r}")
    grid = np.logspace(np.log10(lo), np.log10(hi), n)
    grid[0], grid[-1] = lo, hi  # exact ends, free of log/exp rounding
    return grid


@lru_cache(maxsize=8)
def gauss_legendre(nodes: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Nodes and weights of the ``nodes``-point Gauss–Legendre rule on [-1, 1], read-only: the
    eigenvalue problem behind it is solved once per process, not at every integral.

    >>> t, w = gauss_legendre(2)
    >>> round(float(w.sum()), 12), round(float(t[1]), 6)
    (2.0, 0.57735)
    """
    t, w = np.polynomial.legendre.leggauss(nodes)
    t.flags.writeable = w.flags.writeable = False
    return t, w
