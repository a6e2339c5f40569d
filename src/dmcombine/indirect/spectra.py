"""Annihilation spectra at production, dN/dlog10(x) with x = E/m, tabulated versus DM mass.

Two formats, both columns mDM [GeV], log10 x, then one column per annihilation channel:

* PPPC4DMID "AtProduction" photon tables (Cirelli et al., JCAP 03 (2011) 051, arXiv:1012.4515),
  channels named as in Mathematica (``b``, ``\\[Tau]``, ``W``, ...);
* CosmiXs "AtProduction-<flavour>" neutrino tables (Arina et al., JCAP 03 (2024) 035,
  arXiv:2312.01153), header ``# DM Log10[x] dNdLog10x [eL] ...``. Each gives one flavour of
  neutrino (equivalently antineutrino) per annihilation, without the line at x = 1 of the
  χχ → νν̄ channels.

The spectrum at a mass between table masses is interpolated linearly in log(m) at fixed
log10(x), the usual treatment of these tables.
"""

from __future__ import annotations

import re
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

# Our channel names -> the CosmiXs column labels (``dNdLog10x [<label>]``). "nunu" is
# χχ → ν_μ ν̄_μ (its electroweak continuum; the line is added by the caller).
COSMIXS_CHANNELS = {
    "ee": "e",
    "mumu": "mu",
    "tautau": "tau",
    "qq": "u",
    "cc": "c",
    "bb": "b",
    "tt": "t",
    "ww": "W",
    "zz": "Z",
    "gg": "g",
    "hh": "H",
    "nunu": "numu",
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


def _decode(data: bytes, source: str) -> tuple[str, str]:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise InputFormatError(f"{source}: expected a text table: {exc}") from None
    header, _, body = text.partition("\n")
    return header, body


def read_pppc(data: bytes, source: str) -> SpectrumTable:
    """Parse a PPPC4DMID AtProduction table."""
    header, body = _decode(data, source)
    names = header.lstrip("#").split()
    if len(names) < 3 or names[0] != "mDM" or not names[1].startswith("Log[10,x]"):
        raise InputFormatError(f"{source}: expected a PPPC4DMID header starting 'mDM Log[10,x] ...', got {header[:60]!r}")
    return _grid(names, body, source, PPPC_CHANNELS)


def read_cosmixs(data: bytes, source: str) -> SpectrumTable:
    """Parse a CosmiXs AtProduction table (``# DM Log10[x] dNdLog10x [eL] dNdLog10x [eR] ...``)."""
    header, body = _decode(data, source)
    labels = re.findall(r"dNdLog10x\s*\[([^\]]+)\]", header)
    if not header.lstrip("#").split()[:2] == ["DM", "Log10[x]"] or not labels:
        raise InputFormatError(
            f"{source}: expected a CosmiXs header '# DM Log10[x] dNdLog10x [eL] ...', got {header[:60]!r}"
        )
    return _grid(["DM", "Log10[x]", *labels], body, source, COSMIXS_CHANNELS)


def _grid(names: list[str], body: str, source: str, channels: dict[str, str]) -> SpectrumTable:
    """The (mass, log10 x) grid of a table whose columns are ``names``, one array per channel."""
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
        for ours, theirs in channels.items()
        if theirs in columns
    }
    return SpectrumTable(masses, log10x, spectra, source)
