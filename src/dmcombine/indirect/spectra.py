"""Annihilation spectra at production, dN/dlog10(x) with x = E/m, tabulated versus DM mass.

Reads the PPPC4DMID "AtProduction" tables (Cirelli et al., JCAP 03 (2011) 051, arXiv:1012.4515):
columns mDM [GeV], Log[10,x], then one column per annihilation channel named as in Mathematica
(``b``, ``\\[Tau]``, ``W``, ...). The spectrum at a mass between table masses is interpolated
linearly in log(m) at fixed log10(x), the usual treatment of these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.tables import load_numeric

# Our channel names -> the PPPC4DMID column headers
PPPC_CHANNELS = {
    "ee": "e",
    "mumu": "\\[Mu]",
    "tautau": "\\[Tau]",
    "qq": "q",
    "cc": "c",
    "bb": "b",
    "tt": "t",
    "ww": "W",
    "zz": "Z",
    "gg": "g",
    "hh": "h",
}


@dataclass(frozen=True)
class SpectrumTable:
    """dN/dlog10(x) per annihilation on a (mass, log10 x) grid, one array per channel."""

    masses_gev: NDArray[np.float64]
    log10x: NDArray[np.float64]
    dn_dlog10x: dict[str, NDArray[np.float64]]
    source: str

    def at_mass(self, channel: str, mass_gev: float) -> NDArray[np.float64]:
        """dN/dlog10(x) on ``log10x`` at one mass (linear in log m between table masses)."""
        if channel not in self.dn_dlog10x:
            raise ConfigError(f"channel {channel!r} is not in {self.source}; available: {', '.join(sorted(self.dn_dlog10x))}")
        lo, hi = self.masses_gev[0], self.masses_gev[-1]
        if not lo <= mass_gev <= hi:
            raise ConfigError(f"mass {mass_gev} GeV is outside the spectra of {self.source} ({lo}-{hi} GeV)")
        lm = np.log10(self.masses_gev)
        i = int(np.clip(np.searchsorted(lm, np.log10(mass_gev)) - 1, 0, len(lm) - 2))
        t = (np.log10(mass_gev) - lm[i]) / (lm[i + 1] - lm[i])
        table = self.dn_dlog10x[channel]
        return (1.0 - t) * table[i] + t * table[i + 1]

    def energy_integrals_gev(self, channel: str, mass_gev: float, e_lo_gev: ArrayLike, e_hi_gev: ArrayLike,
                             samples: int = 64) -> NDArray[np.float64]:
        """∫ E dN/dE dE over each energy bin [GeV per annihilation].

        With x = E/m and dN/dE dE = dN/dlog10x dlog10x, the integral is m ∫ x dN/dlog10x dlog10x,
        evaluated with ``samples`` trapezoids per bin (bins above x = 1 contribute nothing).
        """
        spectrum = self.at_mass(channel, mass_gev)
        lo = np.log10(np.asarray(e_lo_gev, dtype=float) / mass_gev)
        hi = np.minimum(np.log10(np.asarray(e_hi_gev, dtype=float) / mass_gev), 0.0)
        t = np.linspace(0.0, 1.0, samples)
        grid = lo[:, None] + (hi - lo)[:, None] * t[None, :]
        values = np.interp(grid, self.log10x, spectrum, left=0.0, right=0.0) * 10.0**grid
        integral = np.trapezoid(values, grid, axis=1)
        return mass_gev * np.where(hi > lo, integral, 0.0)


def read_pppc(data: bytes, source: str) -> SpectrumTable:
    """Parse a PPPC4DMID AtProduction table."""
    text = data.decode("utf-8", errors="strict")
    header, _, body = text.partition("\n")
    names = header.lstrip("#").split()
    if len(names) < 3 or names[0] != "mDM" or not names[1].startswith("Log[10,x]"):
        raise InputFormatError(f"{source}: expected a PPPC4DMID header starting 'mDM Log[10,x] ...', got {header[:60]!r}")
    table = load_numeric(body, source, "a numeric table below the header")
    if table.shape[1] != len(names):
        raise InputFormatError(f"{source}: {table.shape[1]} columns but the header names {len(names)}")
    if not np.all(np.isfinite(table)) or np.any(table[:, 2:] < 0):
        row = int(np.argmax(~np.all(np.isfinite(table), axis=1) | np.any(table[:, 2:] < 0, axis=1))) + 2
        raise InputFormatError(f"{source}: line {row} holds a NaN, an infinity or a negative dN/dlog10x")
    masses = np.unique(table[:, 0])
    log10x = np.unique(table[:, 1])
    if len(masses) * len(log10x) != len(table):
        raise InputFormatError(
            f"{source}: {len(table)} rows do not form a full grid of {len(masses)} masses × {len(log10x)} log10(x) values"
        )
    order = np.lexsort((table[:, 1], table[:, 0]))
    table = table[order]
    columns = {name: i for i, name in enumerate(names)}
    spectra = {
        ours: table[:, columns[theirs]].reshape(len(masses), len(log10x))
        for ours, theirs in PPPC_CHANNELS.items()
        if theirs in columns
    }
    return SpectrumTable(masses, log10x, spectra, source)
