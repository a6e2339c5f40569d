"""Fermi-LAT dwarf spheroidal galaxies: joint-likelihood limits on the annihilation cross-section.

Method of the Fermi-LAT collaboration (Ackermann et al., PRL 115 (2015) 231301, arXiv:1503.02641;
Albert et al., ApJ 834 (2017) 110, arXiv:1611.03184):

* For each target the public bin-by-bin likelihood gives ln L_b(Φ_E) in 24 energy bins
  (0.5-500 GeV) as a function of the energy flux Φ_E [MeV cm⁻² s⁻¹] in that bin. Between the
  25 tabulated fluxes ln L is interpolated monotonically (PCHIP) in Φ_E, and extrapolated
  linearly above the last one.
* The predicted energy flux in bin b is
  Φ_E,b = ⟨σv⟩ J / (8π k m²) ∫_b E dN/dE dE,
  with k = 1 for self-conjugate (Majorana) and k = 2 for Dirac dark matter, and dN/dE the PPPC4DMID
  photon spectrum per annihilation.
* J is a nuisance parameter with a log-normal likelihood of width σ_J (dex) about the measured
  value: -2 ln L_J = (log10 J - log10 J_obs)² / σ_J². It is profiled per target.
* The joint likelihood is the sum over targets; the 95% CL one-sided upper limit on ⟨σv⟩ is where
  -2ΔlnL = 2.71 above the best fit (⟨σv⟩ ≥ 0).

Traps of the release (data/fermi_dwarfs/README.md): the likelihood column is ln L (not -2 ln L)
with an arbitrary zero; energies are MeV; each file is 24 bins × 25 fluxes on one shared grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator

from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.grids import log_grid
from dmcombine.indirect.jfactors import JTable
from dmcombine.indirect.spectra import SpectrumTable
from dmcombine.limitfile import header
from dmcombine.stats import chi2_quantile
from dmcombine.tables import load_numeric

EXPERIMENT = "Fermi-LAT"
ANALYSIS = "dwarf spheroidal galaxies, joint bin-by-bin likelihood (6-year Pass 8)"
REFERENCES = [
    {"citation": "Fermi-LAT and DES Collaborations, A. Albert et al., ApJ 834 (2017) 110", "arxiv": "1611.03184",
     "doi": "10.3847/1538-4357/834/2/110"},
    {"citation": "Fermi-LAT Collaboration, M. Ackermann et al., PRL 115 (2015) 231301", "arxiv": "1503.02641",
     "doi": "10.1103/PhysRevLett.115.231301"},
    {"citation": "M. Cirelli et al., JCAP 03 (2011) 051 (PPPC4DMID spectra)", "arxiv": "1012.4515",
     "doi": "10.1088/1475-7516/2011/03/051"},
]
THERMAL_RELIC_CM3_S = 2.2e-26
"""Thermal-relic ⟨σv⟩ for a self-conjugate WIMP above ~10 GeV (Steigman, Dasgupta & Beacom,
PRD 86 (2012) 023506, arXiv:1204.3622)."""
MEV_PER_GEV = 1.0e3
N_BINS, N_FLUX = 24, 25


@dataclass(frozen=True)
class BinnedLikelihood:
    """ln L versus energy flux in each energy bin, for one target."""

    name: str
    emin_mev: NDArray[np.float64]
    emax_mev: NDArray[np.float64]
    flux_mev_cm2_s: NDArray[np.float64]
    dloglike: NDArray[np.float64]  # (bins, fluxes), natural log

    def lnl(self, per_unit: NDArray[np.float64], amounts: NDArray[np.float64]) -> NDArray[np.float64]:
        """Σ_b ln L_b(u_b a) for energy fluxes per unit amount u [MeV cm⁻² s⁻¹] of shape (..., bins)
        and amounts a of shape (n,): shape (..., n).

        Above the last tabulated flux Φ_top, ln L_b(Φ) = ln L_b(Φ_top) + s_b (Φ - Φ_top) with s_b
        the slope of the last interval. The interpolant is evaluated only at the fluxes it covers,
        and once at Φ = 0 for the rows where u_b = 0 (a bin above the mass).
        """
        total = np.zeros(per_unit.shape[:-1] + amounts.shape)
        top, prev = self.flux_mev_cm2_s[-1], self.flux_mev_cm2_s[-2]
        for b, curve in enumerate(self.dloglike):
            interpolant = PchipInterpolator(self.flux_mev_cm2_s, curve, extrapolate=False)
            has_flux = per_unit[..., b] > 0
            eflux = np.multiply.outer(per_unit[has_flux, b], amounts)
            values = curve[-1] + (curve[-1] - curve[-2]) / (top - prev) * (eflux - top)
            inside = eflux <= top
            values[inside] = interpolant(eflux[inside])
            total[has_flux] += values
            total[~has_flux] += interpolant(0.0)
        return total


def read_likelihood(data: bytes, source: str, name: str) -> BinnedLikelihood:
    """Parse ``like_<target>.txt``: emin [MeV], emax [MeV], energy flux [MeV cm⁻² s⁻¹], ΔlnL."""
    table = load_numeric(data, source, "four numeric columns (emin, emax, eflux, deltaLogLike)", comments="#")
    if table.shape[1] != 4:
        raise InputFormatError(f"{source}: expected 4 columns (emin, emax, eflux, deltaLogLike), got {table.shape[1]}")
    bad = ~np.all(np.isfinite(table), axis=1)
    if np.any(bad):
        raise InputFormatError(f"{source}: data row {int(np.argmax(bad)) + 1} holds NaN or infinity")
    if table.shape[0] != N_BINS * N_FLUX:
        raise InputFormatError(
            f"{source}: {table.shape[0]} rows, expected {N_BINS} energy bins × {N_FLUX} fluxes = {N_BINS * N_FLUX} "
            "(a bin or a flux row is missing)"
        )
    blocks = table.reshape(N_BINS, N_FLUX, 4)
    if np.any(blocks[:, :, 0] != blocks[:, :1, 0]) or np.any(blocks[:, :, 1] != blocks[:, :1, 1]):
        raise InputFormatError(f"{source}: the energy bounds change inside a bin's block of {N_FLUX} rows")
    flux = blocks[0, :, 2]
    if np.any(blocks[:, :, 2] != flux) or np.any(np.diff(flux) <= 0) or flux[0] < 0:
        raise InputFormatError(f"{source}: the bins do not share one increasing flux grid")
    emin, emax = blocks[:, 0, 0], blocks[:, 0, 1]
    if np.any(emax <= emin) or np.any(emin[1:] < emax[:-1] * (1 - 1e-9)):
        raise InputFormatError(f"{source}: energy bins are not increasing and disjoint")
    return BinnedLikelihood(name, emin, emax, flux, blocks[:, :, 3].copy())


def jfactors_for(dwarfs: list[str], tables: list[tuple[str, JTable]], where: str) -> dict[str, tuple[float, float]]:
    """(log10 J, sigma) per dwarf, from the first table (in the order given) that lists it."""
    chosen = {}
    for dwarf in dwarfs:
        for _, table in tables:
            if dwarf in table:
                chosen[dwarf] = table[dwarf]
                break
        else:
            names = ", ".join(name for name, _ in tables)
            raise ConfigError(f"{where}: dwarf {dwarf!r} has no J-factor in the table(s) {names}")
    return chosen


def threshold_m2dlnl(cl: float) -> float:
    """-2ΔlnL of a one-sided upper limit at confidence level ``cl`` (2.71 for 95%): the quantile
    q = 1 - 2(1 - cl) of χ² with one degree of freedom.

    >>> round(threshold_m2dlnl(0.95), 3)
    2.706
    """
    return chi2_quantile(1.0 - 2.0 * (1.0 - cl), 1)


def _profile_over_j(f: NDArray[np.float64], k: int, step_dex: float, sigma: float) -> NDArray[np.float64]:
    """max_j [f(i + j) - ½ ((j - k) h / σ)²] for each i: f is ln L on a grid of log10(⟨σv⟩ J)
    that extends k steps beyond the ⟨σv⟩ grid on both sides (last axis; any leading axes).

    The penalty is even in j - k, so the offsets j and 2k - j share one addition:
    max(f(i + j), f(i + 2k - j)) - ½ ((j - k) h / σ)², exactly the larger of the two penalised
    terms since rounding is monotonic.
    """
    if k == 0:
        return f
    offsets = (np.arange(k + 1) - k) * step_dex
    penalty = -0.5 * (offsets / sigma) ** 2
    n = f.shape[-1] - 2 * k
    best = f[..., k:k + n] + penalty[k]
    pair = np.empty_like(best)
    for j, p in enumerate(penalty[:-1]):
        np.maximum(f[..., j:j + n], f[..., 2 * k - j:2 * k - j + n], out=pair)
        pair += p
        np.maximum(best, pair, out=best)
    return best


def upper_limit(sigmav: NDArray[np.float64], lnl: NDArray[np.float64], threshold: float) -> float:
    """Smallest ⟨σv⟩ above the best fit where -2ΔlnL reaches ``threshold`` (log-linear interpolation)."""
    best = int(np.argmax(lnl))
    m2dlnl = 2.0 * (lnl[best] - lnl)
    above = np.nonzero((np.arange(len(lnl)) > best) & (m2dlnl >= threshold))[0]
    if len(above) == 0:
        raise ConfigError(
            "fermi_dwarfs.sigmav_grid_cm3_s.max is too low: -2ΔlnL never reaches "
            f"{threshold:.3f} (largest {m2dlnl.max():.3g}); raise it"
        )
    i = int(above[0])
    lo, hi = np.log10(sigmav[i - 1]), np.log10(sigmav[i])
    t = (threshold - m2dlnl[i - 1]) / (m2dlnl[i] - m2dlnl[i - 1])
    return float(10.0 ** (lo + t * (hi - lo)))


def _dwarf_limit(sigmav: NDArray[np.float64], lnl: NDArray[np.float64], threshold: float) -> float:
    """A single dwarf's limit, or inf where a weak target (large J uncertainty) does not reach the
    threshold inside the scanned range; such points are left out of its auxiliary curve."""
    try:
        return upper_limit(sigmav, lnl, threshold)
    except ConfigError:
        return math.inf


def compute(
    cfg: dict[str, Any],
    channel: str,
    dwarfs: dict[str, tuple[float, float]],
    likelihoods: dict[str, BinnedLikelihood],
    spectra: SpectrumTable,
) -> dict[str, Any]:
    """Joint and per-dwarf limits on ⟨σv⟩ for one channel over the configured mass grid."""
    masses = log_grid(cfg["mass_grid_gev"], "fermi_dwarfs.mass_grid_gev")
    grid = cfg["sigmav_grid_cm3_s"]
    per_decade = int(grid["points_per_decade"])
    step = 1.0 / per_decade
    log_sv = np.arange(math.floor(math.log10(grid["min"]) * per_decade), math.ceil(math.log10(grid["max"]) * per_decade) + 1) * step
    sigmav = 10.0**log_sv
    k_factor = 1.0 if cfg["self_conjugate"] else 2.0
    n_sigma = float(cfg["jfactor_profile_sigmas"])
    threshold = threshold_m2dlnl(cfg["confidence_level"])

    # energy flux per unit (⟨σv⟩ J) in each bin, per mass: (masses, bins) [MeV cm⁻² s⁻¹ / (cm³ s⁻¹ GeV² cm⁻⁵)]
    first = next(iter(likelihoods.values()))
    e_lo, e_hi = first.emin_mev / MEV_PER_GEV, first.emax_mev / MEV_PER_GEV
    integrals = np.array([spectra.energy_integrals_gev(channel, m, e_lo, e_hi) for m in masses])
    per_sv_j = integrals * MEV_PER_GEV / (8.0 * np.pi * k_factor * masses[:, None] ** 2)
    sensitive = integrals.sum(axis=1) > 0

    joint = np.zeros((len(masses), len(sigmav)))
    per_dwarf: dict[str, list[float]] = {}
    for dwarf, (log_j, sigma_j) in dwarfs.items():
        like = likelihoods[dwarf]
        if not (np.array_equal(like.emin_mev, first.emin_mev) and np.array_equal(like.emax_mev, first.emax_mev)):
            raise InputFormatError(f"fermi_dwarfs: the energy bins of {dwarf} differ from those of {first.name}")
        k = int(math.ceil(n_sigma * sigma_j / step)) if sigma_j > 0 else 0
        log_s = log_sv[0] - k * step + np.arange(len(sigmav) + 2 * k) * step + log_j
        profile = _profile_over_j(like.lnl(per_sv_j, 10.0**log_s), k, step, sigma_j)
        joint += profile
        per_dwarf[dwarf] = [_dwarf_limit(sigmav, profile[i], threshold) if sensitive[i] else math.inf for i in range(len(masses))]
    limits = np.array([upper_limit(sigmav, joint[i], threshold) if sensitive[i] else math.inf for i in range(len(masses))])
    return {
        "mass_gev": masses,
        "sensitive": sensitive,
        "sigmav_cm3_s": limits,
        "per_dwarf": per_dwarf,
        "sigmav_grid": sigmav,
        "joint_lnl": joint,
        "threshold": threshold,
    }


def _stored_profile(sigmav: NDArray[np.float64], lnl: NDArray[np.float64], limit: float) -> tuple[list[float], list[float]]:
    """-2ΔlnL at ⟨σv⟩ = 0 (the grid's first point, where the signal vanishes) and on the grid
    from limit/100 to 10 × limit."""
    m2dlnl = np.maximum(2.0 * (lnl.max() - lnl), 0.0)
    window = (sigmav >= limit / 100.0) & (sigmav <= limit * 10.0)
    poi = [0.0, *sigmav[window].tolist()]
    values = [float(m2dlnl[0]), *m2dlnl[window].tolist()]
    return poi, values


def limit_document(cfg: dict[str, Any], channel: str, dwarfs: dict[str, tuple[float, float]],
                   result: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """The standard limit file of one (dwarf set, channel); ``cfg["dwarf_set"]`` is the set
    (name, description, J tables, dwarfs)."""
    keep = result["sensitive"]
    if not np.any(keep):
        raise ConfigError(f"fermi_dwarfs: channel {channel} gives no photons at any mass of the grid")
    masses = result["mass_gev"][keep]
    limits = result["sigmav_cm3_s"][keep]
    profiles = [
        _stored_profile(result["sigmav_grid"], result["joint_lnl"][i], result["sigmav_cm3_s"][i])
        for i in np.nonzero(keep)[0]
    ]
    set_cfg = cfg["dwarf_set"]
    dwarf_set = set_cfg["name"]
    description = (
        "sum over dwarfs of the public bin-by-bin Poisson likelihoods, J-factors profiled with "
        f"log-normal priors; one-sided limit at -2ΔlnL = {result['threshold']:.4f}"
    )
    return {
        **header(EXPERIMENT, ANALYSIS, REFERENCES, "observed", cfg["confidence_level"], "joint_profile_likelihood",
                 description),
        "model": {
            "name": "WIMP annihilation",
            "variant": dwarf_set,
            "assumptions": {
                "channel": channel,
                "self_conjugate": cfg["self_conjugate"],
                "spectra": "PPPC4DMID AtProduction photon spectra (Cirelli et al. 2011)",
                "dwarf_set": dwarf_set,
                "dwarf_set_description": set_cfg["description"],
                "jfactor_tables": set_cfg["jfactors"],
                "jfactors_log10_gev2_cm5": {name: {"log10_j": lj, "sigma_dex": s} for name, (lj, s) in sorted(dwarfs.items())},
                "masses_without_sensitivity_gev": result["mass_gev"][~keep],
            },
        },
        "parameter_of_interest": {"name": "sigmav", "unit": "cm^3/s", "label": "velocity-averaged annihilation cross-section"},
        "x": {"name": "mass", "unit": "GeV", "label": "dark-matter mass"},
        "limit": {"x": masses, "value": limits},
        "likelihood": {
            "type": "profile_table",
            "poi_values": [p for p, _ in profiles],
            "delta_minus2lnl": [v for _, v in profiles],
        },
        "auxiliary_limits": [
            {"label": dwarf, "x": result["mass_gev"][finite], "value": np.asarray(values)[finite]}
            for dwarf, values in sorted(result["per_dwarf"].items())
            if np.any(finite := keep & np.isfinite(values))
        ],
        "provenance": provenance,
    }
