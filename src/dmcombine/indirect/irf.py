"""Neutrino-telescope instrument response functions in the GADF FITS format (read with astropy).

Files of the KM3NeT ``km3irf`` release (data/km3net_irf/README.md): effective area (AEFF_2D),
point-spread function (PSF_TABLE), energy dispersion (EDISP_2D) and background rates (BKG_2D).
THETA is the zenith angle of the arrival direction. Every reader checks the extension, the
columns and their units, the array shapes against the bin edges, and that values are finite and
non-negative, and names the file when anything is off (a truncated or swapped file included).
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import InputFormatError


@dataclass(frozen=True)
class Axis:
    """Bin edges of one IRF axis (lo, hi arrays of equal length)."""

    lo: NDArray[np.float64]
    hi: NDArray[np.float64]

    @property
    def centres(self) -> NDArray[np.float64]:
        return 0.5 * (self.lo + self.hi)

    def index(self, values: NDArray[np.float64]) -> NDArray[np.intp]:
        """Bin of each value (values outside go to the first or last bin)."""
        return np.clip(np.searchsorted(self.hi, values, side="right"), 0, len(self.lo) - 1)


@dataclass(frozen=True)
class EffectiveArea:
    energy: Axis  # true energy [GeV]
    zenith: Axis  # [rad]
    area_m2: NDArray[np.float64]  # [zenith, energy]


@dataclass(frozen=True)
class PointSpread:
    energy: Axis
    zenith: Axis
    rad: Axis  # angular distance [deg]
    density_sr: NDArray[np.float64]  # [rad, zenith, energy]


@dataclass(frozen=True)
class EnergyDispersion:
    energy: Axis
    zenith: Axis
    migra: Axis  # E_reco / E_true
    probability: NDArray[np.float64]  # per migration bin, [zenith, migra, energy]


@dataclass(frozen=True)
class Background:
    energy: Axis  # reconstructed energy [GeV]
    zenith: Axis
    rate_mev_sr_s: NDArray[np.float64]  # [energy, zenith]


def _table(data: bytes, source: str, extname: str, columns: dict[str, str | None]) -> dict[str, NDArray[np.float64]]:
    """The first row of extension ``extname``, each listed column with its required unit."""
    from astropy.io import fits

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # astropy warns (not raises) on some damaged files
            with fits.open(io.BytesIO(data), mode="readonly", memmap=False) as hdus:
                hdus.verify("exception")
                if extname not in hdus:
                    names = [h.name for h in hdus]
                    raise InputFormatError(f"{source}: no FITS extension {extname!r} (found {names}); is this the right IRF file?")
                hdu = hdus[extname]
                if len(hdu.data) < 1:
                    raise InputFormatError(f"{source}: extension {extname} has no rows")
                found = set(hdu.columns.names)
                out = {}
                for name, unit in columns.items():
                    if name not in found:
                        raise InputFormatError(f"{source}: extension {extname} has no column {name!r} (columns: {sorted(found)})")
                    col_unit = hdu.columns[name].unit or None
                    if unit is not None and col_unit != unit:
                        raise InputFormatError(f"{source}: column {name} is in {col_unit!r}, expected {unit!r}")
                    out[name] = np.array(hdu.data[name][0], dtype=float)
    except InputFormatError:
        raise
    except (OSError, ValueError, TypeError, KeyError, IndexError, UserWarning) as exc:
        raise InputFormatError(f"{source}: not a readable GADF FITS file ({type(exc).__name__}: {exc})") from None
    for name, values in out.items():
        if not np.all(np.isfinite(values)) or np.any(values < 0):
            raise InputFormatError(f"{source}: column {name} holds a NaN, an infinity or a negative value")
    return out


def _axis(table: dict[str, NDArray[np.float64]], stem: str, source: str) -> Axis:
    lo, hi = table[f"{stem}_LO"], table[f"{stem}_HI"]
    if lo.ndim != 1 or lo.shape != hi.shape or not np.all(hi > lo) or not np.all(lo[1:] >= hi[:-1] - 1e-6 * hi[:-1]):
        raise InputFormatError(f"{source}: {stem}_LO/{stem}_HI are not increasing, contiguous bin edges")
    return Axis(lo, hi)


def _shape(values: NDArray[np.float64], shape: tuple[int, ...], name: str, source: str) -> NDArray[np.float64]:
    if values.shape != shape:
        raise InputFormatError(f"{source}: {name} has shape {values.shape}, expected {shape} from its bin edges")
    return values


def read_aeff(data: bytes, source: str) -> EffectiveArea:
    t = _table(data, source, "EFFECTIVE AREA", {"ENERG_LO": "GeV", "ENERG_HI": "GeV", "THETA_LO": "rad",
                                                "THETA_HI": "rad", "EFFAREA": "m2"})
    energy, zenith = _axis(t, "ENERG", source), _axis(t, "THETA", source)
    return EffectiveArea(energy, zenith, _shape(t["EFFAREA"], (len(zenith.lo), len(energy.lo)), "EFFAREA", source))


def read_psf(data: bytes, source: str) -> PointSpread:
    t = _table(data, source, "PSF_2D_TABLE", {"ENERG_LO": "GeV", "ENERG_HI": "GeV", "THETA_LO": "rad", "THETA_HI": "rad",
                                              "RAD_LO": "deg", "RAD_HI": "deg", "RPSF": "sr-1"})
    energy, zenith, rad = _axis(t, "ENERG", source), _axis(t, "THETA", source), _axis(t, "RAD", source)
    shape = (len(rad.lo), len(zenith.lo), len(energy.lo))
    return PointSpread(energy, zenith, rad, _shape(t["RPSF"], shape, "RPSF", source))


def read_edisp(data: bytes, source: str) -> EnergyDispersion:
    t = _table(data, source, "EDISP_2D", {"ENERG_LO": "GeV", "ENERG_HI": "GeV", "MIGRA_LO": None, "MIGRA_HI": None,
                                          "THETA_LO": "rad", "THETA_HI": "rad", "MATRIX": None})
    energy, zenith, migra = _axis(t, "ENERG", source), _axis(t, "THETA", source), _axis(t, "MIGRA", source)
    matrix = _shape(t["MATRIX"], (len(zenith.lo), len(migra.lo), len(energy.lo)), "MATRIX", source)
    sums = matrix.sum(axis=1)
    if np.any(sums > 1.0 + 1e-6):
        raise InputFormatError(f"{source}: MATRIX sums to {sums.max():.4g} over migration; expected probabilities per bin (≤ 1)")
    return EnergyDispersion(energy, zenith, migra, matrix)


def read_background(data: bytes, source: str) -> Background:
    t = _table(data, source, "BACKGROUND", {"ENERG_LO": "GeV", "ENERG_HI": "GeV", "THETA_LO": "rad", "THETA_HI": "rad",
                                            "BKG": "MeV-1 sr-1 s-1"})
    energy, zenith = _axis(t, "ENERG", source), _axis(t, "THETA", source)
    return Background(energy, zenith, _shape(t["BKG"], (len(energy.lo), len(zenith.lo)), "BKG", source))
