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
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy.interpolate import PchipInterpolator, PPoly

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
LNL_BLOCK_ROWS = 40
"""Rows (masses) per block in BinnedLikelihood.lnl: a block's few (rows × amounts) arrays stay in the L2
cache. Any size gives the same bits."""
PROFILE_BLOCK_ROWS, PROFILE_GROUP = 64, 16
"""Rows per block and J offsets per bounded group in _profile_over_j (speed only, as above)."""


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
        the slope of the last interval; up to Φ_top it is the PCHIP interpolant.

        The bits are those of _lnl_masked (the plain evaluation, used when the premises below fail),
        at a fraction of the cost. With u_b ≥ 0 and a positive and increasing, the fluxes u_b a of a
        row (mass, bin) do not decrease along the row (rounding is monotonic), so the row is three
        runs: fluxes in the interpolant's first interval [0, Φ₁), fluxes up to Φ_top, fluxes above.
        The run ends are found exactly, from the same products. Per block of rows, the first
        interval is evaluated here (_first_interval, scipy's operations in scipy's order), the
        columns where some row of the block is in the second run go to scipy, the rest take the
        line. Rows with u_b = 0 (a bin above the mass) take the interpolant at Φ = 0. Bins are added
        in order, as in _lnl_masked.
        """
        flux = self.flux_mev_cm2_s
        n_bins = len(self.dloglike)
        rows = per_unit.reshape(-1, per_unit.shape[-1])[:, :n_bins]
        ordered = amounts.ndim == 1 and len(amounts) > 0 and bool(np.all(np.isfinite(amounts)))
        ordered = ordered and amounts[0] > 0 and bool(np.all(amounts[1:] > amounts[:-1]))
        if not (ordered and flux[0] == 0.0 and rows.shape[1] == n_bins and np.all(np.isfinite(rows)) and np.all(rows >= 0)):
            return self._lnl_masked(per_unit, amounts)
        top, prev = flux[-1], flux[-2]
        n = len(amounts)
        pchip = PchipInterpolator(flux, self.dloglike, axis=1, extrapolate=False)
        polys = [PPoly.construct_fast(np.ascontiguousarray(pchip.c[:, :, b]), pchip.x, extrapolate=False) for b in range(n_bins)]
        at_zero = [poly(0.0) for poly in polys]
        curves = self.dloglike
        slopes = (curves[:, -1] - curves[:, -2]) / (top - prev)
        first_end = _first_index(rows, amounts, flux[1], strict=False)  # first column with u a ≥ Φ₁
        inside_end = _first_index(rows, amounts, top, strict=True)  # first column with u a > Φ_top
        total = np.zeros((len(rows), n))
        scratch = np.empty((4, min(LNL_BLOCK_ROWS, len(rows)) * n))
        bins = np.arange(n_bins)
        for r0 in range(0, len(rows), LNL_BLOCK_ROWS):
            u, block = rows[r0:r0 + LNL_BLOCK_ROWS], total[r0:r0 + LNL_BLOCK_ROWS]
            # per bin: the leading rows without flux, and the run ends over the rows after them
            has_flux = u > 0
            lead = np.where(has_flux.any(axis=0), np.argmax(has_flux, axis=0), len(u))
            at = np.minimum(lead, len(u) - 1), bins
            lo = np.minimum.accumulate(first_end[r0:r0 + len(u)][::-1], axis=0)[::-1][at]
            lin = np.minimum.accumulate(inside_end[r0:r0 + len(u)][::-1], axis=0)[::-1][at]
            hi = np.maximum.accumulate(inside_end[r0:r0 + len(u)][::-1], axis=0)[::-1][at]
            for b in range(n_bins):
                z = int(lead[b])
                if z:
                    block[:z] += at_zero[b]
                if z < len(u):
                    _add_bin(block[z:], u[z:, b, None], amounts, (int(lo[b]), int(lin[b]), int(hi[b])), polys[b],
                             (top, slopes[b], curves[b, -1]), scratch)
        return total.reshape(per_unit.shape[:-1] + amounts.shape)

    def _lnl_masked(self, per_unit: NDArray[np.float64], amounts: NDArray[np.float64]) -> NDArray[np.float64]:
        """lnl by boolean masks: the interpolant is evaluated only at the fluxes it covers, and once
        at Φ = 0 for the rows where u_b = 0 (a bin above the mass); no premises on u or a."""
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


def _first_index(u: NDArray[np.float64], amounts: NDArray[np.float64], threshold: float, strict: bool) -> NDArray[np.int64]:
    """For each u ≥ 0: the first i with u a_i ≥ threshold (> if strict), len(amounts) if none, for
    increasing amounts. The products are nondecreasing in i, so the guess threshold / u is moved
    one step at a time until its neighbours prove the boundary; the test uses the products
    themselves, hence it is exact."""
    n = len(amounts)
    with np.errstate(divide="ignore", over="ignore"):  # u = 0 or subnormal: a guess beyond the end
        index = np.searchsorted(amounts, threshold / (u.ravel() + 0.0))  # + 0.0: u = -0.0 guesses len(amounts) too

    def reached(i: NDArray[np.int64]) -> NDArray[np.bool_]:
        e = u.ravel() * amounts[np.minimum(i, n - 1)]
        return e > threshold if strict else e >= threshold

    while True:
        down = (index > 0) & reached(index - 1)
        up = (index < n) & ~reached(index)
        if not (down.any() or up.any()):
            return index.reshape(u.shape)
        index = index - down + up


def _first_interval(e: NDArray[np.float64], coef: NDArray[np.float64], out: NDArray[np.float64],
                    z: NDArray[np.float64], t: NDArray[np.float64]) -> None:
    """The piecewise cubic (power-basis coefficients coef, highest first) in its first interval,
    which starts at Φ = 0, at fluxes e; z and t are scratch of e's shape.

    scipy's PPoly evaluation (_ppoly.evaluate) sums the local power series term by term with
    s = e - 0 = e: ((0 + c₃) + c₂s) + c₁(s·s) + c₀((s·s)·s). The same operations in the same order
    give the same bits (tests/unit/test_fermi_speed.py compares them; a scipy other than the locked
    one, or a build that fuses multiply-adds, must pass that test)."""
    np.multiply(e, coef[2], out=out)
    out += 0.0 + coef[3]
    np.multiply(e, e, out=z)
    np.multiply(z, coef[1], out=t)
    out += t
    z *= e
    z *= coef[0]
    out += z


def _add_bin(total: NDArray[np.float64], u: NDArray[np.float64], amounts: NDArray[np.float64], runs: tuple[int, int, int],
             poly: PPoly, line: tuple[float, float, float], scratch: NDArray[np.float64]) -> None:
    """total += ln L_b(u a) for rows from the first with u > 0 on (shape (rows, 1); a later u = 0 gives
    the value at Φ = 0 too, exactly, through the same evaluation). runs = (lo, lin, hi): every row
    is in the first interval before column lo and above Φ_top from column hi; the first row above
    Φ_top starts at lin. line = (Φ_top, slope, ln L_b(Φ_top))."""
    lo, lin, hi = runs
    top, slope, last = line
    m, n = len(u), len(amounts)
    if lo:
        e, v, z, t = (buf[:m * lo].reshape(m, lo) for buf in scratch)
        np.multiply(u, amounts[:lo], out=e)
        _first_interval(e, poly.c[:, 0], v, z, t)
        total[:, :lo] += v
    if hi > lo:
        e = scratch[0, :m * (hi - lo)].reshape(m, hi - lo)
        np.multiply(u, amounts[lo:hi], out=e)
        inside = poly(e)  # nan above Φ_top
    if lin < n:
        v = scratch[1, :m * (n - lin)].reshape(m, n - lin)
        np.multiply(u, amounts[lin:], out=v)
        above = v[:, :hi - lin] > top
        v -= top
        v *= slope
        v += last
        if hi > lin:
            np.copyto(inside[:, lin - lo:], v[:, :hi - lin], where=above)
        total[:, hi:] += v[:, hi - lin:]
    if hi > lo:
        total[:, lo:hi] += inside


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

    The penalty P_d (d = |j - k|) is even, so the offsets k ± d share one addition:
    max(f(i + k - d), f(i + k + d)) + P_d, exactly the larger of the two penalised terms since
    rounding is monotonic. A maximum is exact in any order, so a term that cannot exceed the
    running maximum may be skipped without changing a bit. After d = 0 and d = k (the usual
    winners, on the flat and on the steep side of f), the offsets go in groups d ∈ [lo, hi]: by
    monotonic rounding every term of a group is at most fl(F + P_lo), F the largest f in the two
    windows of columns the group reads and P_lo its largest penalty (the computed P_d do not
    increase with d, by the same argument), and a group is evaluated only over the columns where that
    bound exceeds the running maximum in some row of the block (a NaN bound counts as exceeding,
    so a NaN still propagates). Rows go in blocks, transposed so that a range of columns is
    contiguous.
    """
    if k == 0:
        return f
    offsets = (np.arange(k + 1) - k) * step_dex
    penalty = (-0.5 * (offsets / sigma) ** 2)[::-1]  # penalty[d]
    n = f.shape[-1] - 2 * k
    rows = f.reshape(-1, f.shape[-1])
    out = np.empty((len(rows), n))
    groups = [(lo, min(lo + PROFILE_GROUP, k) - 1) for lo in range(1, k, PROFILE_GROUP)]
    for r0 in range(0, len(rows), PROFILE_BLOCK_ROWS):
        ft = np.ascontiguousarray(rows[r0:r0 + PROFILE_BLOCK_ROWS].T)  # (columns, rows)
        best = ft[k:k + n] + penalty[0]  # d = 0
        bound = np.maximum(ft[:n], ft[2 * k:2 * k + n])  # d = k; then the buffer of the groups' bounds
        bound += penalty[k]
        np.maximum(best, bound, out=best)
        # window maxima: widest[p][y] = max ft[y:y + p] for powers of two p
        widest = {1: ft}
        while 2 * max(widest) <= PROFILE_GROUP:
            p = max(widest)
            widest[2 * p] = np.maximum(widest[p][:-p], widest[p][p:])
        for lo, hi in groups:
            w = hi - lo + 1
            p = 1 << (w.bit_length() - 1)
            window = widest[p]
            np.maximum(window[k - hi:k - hi + n], window[k + lo:k + lo + n], out=bound)
            if p < w:  # two overlapping windows of p cover w
                np.maximum(bound, window[k - hi + w - p:k - hi + w - p + n], out=bound)
                np.maximum(bound, window[k + lo + w - p:k + lo + w - p + n], out=bound)
            bound += penalty[lo]
            needed = np.flatnonzero(~(bound <= best).all(axis=1))
            if len(needed) == 0:
                continue
            c0, c1 = int(needed[0]), int(needed[-1]) + 1
            # terms[t, c] for d = lo + t at column c0 + c: the left window read backwards
            left = sliding_window_view(ft[c0 + k - hi:c1 + k - lo], c1 - c0, axis=0).transpose(0, 2, 1)[::-1]
            right = sliding_window_view(ft[c0 + k + lo:c1 + k + hi], c1 - c0, axis=0).transpose(0, 2, 1)
            terms = np.maximum(left, right)
            terms += penalty[lo:hi + 1, None, None]
            np.maximum(best[c0:c1], terms.max(axis=0), out=best[c0:c1])
        out[r0:r0 + PROFILE_BLOCK_ROWS] = best.T
    return out.reshape(f.shape[:-1] + (n,))


def _dwarf_profile(like: BinnedLikelihood, per_sv_j: NDArray[np.float64], log_s: NDArray[np.float64], k: int,
                   step: float, sigma_j: float) -> NDArray[np.float64]:
    """One dwarf's ln L on the ⟨σv⟩ grid, J profiled: ln L on the grid of log10(⟨σv⟩ J) that extends
    k steps beyond it on both sides (``log_s``), then maximised over the J offsets."""
    return _profile_over_j(like.lnl(per_sv_j, 10.0**log_s), k, step, sigma_j)


def upper_limit(sigmav: NDArray[np.float64], lnl: NDArray[np.float64], threshold: float) -> float:
    """Smallest ⟨σv⟩ above the best fit where -2ΔlnL reaches ``threshold`` (log-linear interpolation)."""
    limits, reached = _row_limits(sigmav, lnl[None], threshold)
    if not reached[0]:
        raise _grid_too_low(lnl, threshold)
    return float(limits[0])


def _grid_too_low(lnl: NDArray[np.float64], threshold: float) -> ConfigError:
    """The error of a profile that never reaches ``threshold`` inside the ⟨σv⟩ grid."""
    m2dlnl = 2.0 * (lnl[int(np.argmax(lnl))] - lnl)
    return ConfigError("fermi_dwarfs.sigmav_grid_cm3_s.max is too low: -2ΔlnL never reaches "
                       f"{threshold:.3f} (largest {m2dlnl.max():.3g}); raise it")


def _row_limits(sigmav: NDArray[np.float64], lnl: NDArray[np.float64], threshold: float) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """upper_limit of each row of lnl (rows, ⟨σv⟩ grid), and whether the row reaches the threshold
    (nan where not). The search runs on all rows at once; the interpolation is upper_limit's, row
    by row, in the same scalar operations."""
    best = np.argmax(lnl, axis=1)
    m2dlnl = 2.0 * (lnl[np.arange(len(lnl)), best][:, None] - lnl)
    above = (np.arange(lnl.shape[1]) > best[:, None]) & (m2dlnl >= threshold)
    reached = above.any(axis=1)
    first = np.argmax(above, axis=1)
    limits = np.full(len(lnl), math.nan)
    for row in np.flatnonzero(reached):
        i = int(first[row])
        lo, hi = np.log10(sigmav[i - 1]), np.log10(sigmav[i])
        t = (threshold - m2dlnl[row, i - 1]) / (m2dlnl[row, i] - m2dlnl[row, i - 1])
        limits[row] = 10.0 ** (lo + t * (hi - lo))
    return limits, reached


class SharedProfiles:
    """The per-dwarf profiles of one job's dwarf sets: a dwarf that several sets take with the same
    (log10 J, σ_J) has the same profile in each (the same likelihood, spectra, mass and ⟨σv⟩
    grids: one channel, one configuration), so it is computed once and kept until the last set
    that uses it (``uses`` counts the sets per (dwarf, log10 J, σ_J)). A profile is reused only
    for the very same energy fluxes per unit (compared bit for bit), so the bits are those of
    computing it again."""

    def __init__(self, uses: Counter[tuple[str, float, float]]) -> None:
        self._uses = uses
        self._kept: dict[tuple[str, float, float], tuple[bytes, NDArray[np.float64]]] = {}
        self.reused = 0

    def profile(self, key: tuple[str, float, float], per_unit: NDArray[np.float64],
                compute: Callable[[], NDArray[np.float64]]) -> NDArray[np.float64]:
        fluxes = per_unit.tobytes()
        kept = self._kept.pop(key, None)
        if kept is not None and kept[0] == fluxes:
            profile = kept[1]
            self.reused += 1
        else:
            profile = compute()
        self._uses[key] -= 1
        if self._uses[key] > 0:
            self._kept[key] = (fluxes, profile)
        return profile


def compute(
    cfg: dict[str, Any],
    channel: str,
    dwarfs: dict[str, tuple[float, float]],
    likelihoods: dict[str, BinnedLikelihood],
    spectra: SpectrumTable,
    shared: SharedProfiles | None = None,
) -> dict[str, Any]:
    """Joint and per-dwarf limits on ⟨σv⟩ for one channel over the configured mass grid (a dwarf's
    profile over J from ``shared`` when another set of the job has computed it)."""
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
        profile_of = partial(_dwarf_profile, like, per_sv_j, log_s, k, step, sigma_j)
        profile = shared.profile((dwarf, log_j, sigma_j), per_sv_j, profile_of) if shared else profile_of()
        joint += profile
        # inf where a weak target (large J uncertainty) does not reach the threshold inside the
        # scanned range; such points are left out of its auxiliary curve
        limits, reached = _row_limits(sigmav, profile, threshold)
        per_dwarf[dwarf] = np.where(sensitive & reached, limits, math.inf).tolist()
    limits, reached = _row_limits(sigmav, joint, threshold)
    if np.any(short := sensitive & ~reached):
        raise _grid_too_low(joint[np.argmax(short)], threshold)
    limits = np.where(sensitive, limits, math.inf)
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
