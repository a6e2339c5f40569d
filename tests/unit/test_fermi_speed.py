"""Fermi-LAT dwarfs: the fast likelihood and J profile give the bits of the plain evaluations."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from scipy.interpolate import PchipInterpolator

from dmcombine.errors import ConfigError
from dmcombine.experiments.fermi_dwarfs import physics as fd

LIKE = Path(__file__).resolve().parents[2] / "data/fermi_dwarfs/likelihoods"


def likelihood(name: str = "draco") -> fd.BinnedLikelihood:
    return fd.read_likelihood((LIKE / f"like_{name}.txt").read_bytes(), name, name)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


def test_first_interval_is_scipys_evaluation() -> None:
    like = likelihood()
    flux = like.flux_mev_cm2_s
    rng = np.random.default_rng(3)
    e = np.concatenate([[0.0, 5e-324], 10 ** rng.uniform(-40, np.log10(flux[1]), 2000), rng.uniform(0, flux[1], 2000),
                        [np.nextafter(flux[1], 0)]])
    for curve in like.dloglike:
        pchip = PchipInterpolator(flux, curve, extrapolate=False)
        out, z, t = (np.empty_like(e) for _ in range(3))
        fd._first_interval(e, pchip.c[:, 0], out, z, t)
        assert same_bits(out, pchip(e))


@pytest.mark.parametrize("dwarf", ["draco", "segue_1", "reticulum_II"])
def test_lnl_is_the_masked_evaluation(dwarf: str) -> None:
    """Masses whose bins open one by one (rows of zeros first), amounts over 20 decades: the blocks,
    runs and bands of lnl change no bit of the sum over bins."""
    like = likelihood(dwarf)
    rng = np.random.default_rng(5)
    per_unit = 10 ** rng.uniform(-14, -4, (97, fd.N_BINS))
    per_unit[np.arange(97)[:, None] < np.arange(fd.N_BINS) * 4] = 0.0
    per_unit[50, 3] = 0.0  # a row without flux after rows with flux, inside a block
    amounts = 10 ** (np.arange(-300, 500) * 0.025 + 0.3)
    assert same_bits(like.lnl(per_unit, amounts), like._lnl_masked(per_unit, amounts))


def test_lnl_at_the_tabulated_fluxes() -> None:
    """Fluxes exactly at the breakpoints, one ulp either side, and at and above the last one."""
    like = likelihood()
    flux = like.flux_mev_cm2_s
    amounts = np.unique(np.concatenate([flux[1:], np.nextafter(flux[1:], 0), np.nextafter(flux[1:], 1), [2 * flux[-1]]]))
    per_unit = np.ones((3, fd.N_BINS))
    per_unit[1] = 0.5
    per_unit[2, ::2] = 0.0
    assert same_bits(like.lnl(per_unit, amounts), like._lnl_masked(per_unit, amounts))


def test_lnl_outside_its_premises_is_the_masked_evaluation() -> None:
    """Any leading shape; amounts that are not increasing, negative fluxes per unit: the plain path."""
    like = likelihood()
    rng = np.random.default_rng(7)
    per_unit = 10 ** rng.uniform(-12, -6, (2, 3, fd.N_BINS))
    amounts = 10 ** rng.uniform(-2, 6, 40)
    assert same_bits(like.lnl(per_unit, np.sort(amounts)), like._lnl_masked(per_unit, np.sort(amounts)))
    assert same_bits(like.lnl(per_unit, amounts), like._lnl_masked(per_unit, amounts))
    per_unit[0, 0, 5] = -1e-9
    assert same_bits(like.lnl(per_unit, np.sort(amounts)), like._lnl_masked(per_unit, np.sort(amounts)))


def direct_profile(f: np.ndarray, k: int, step: float, sigma: float) -> np.ndarray:
    """The penalised window maximum, every offset evaluated (the pairing as in _profile_over_j)."""
    penalty = -0.5 * (((np.arange(k + 1) - k) * step) / sigma) ** 2
    n = f.shape[-1] - 2 * k
    best = f[..., k:k + n] + penalty[k]
    for j, p in enumerate(penalty[:-1]):
        best = np.maximum(best, np.maximum(f[..., j:j + n], f[..., 2 * k - j:2 * k - j + n]) + p)
    return best


@pytest.mark.parametrize("k", [1, 2, 15, 16, 17, 33, 96])
def test_pruned_profile_is_the_window_maximum(k: int) -> None:
    """ln L-like rows (flat, then falling ever faster, with bumps), and random walks: skipping the
    groups that cannot win changes no bit; a NaN still propagates."""
    rng = np.random.default_rng(k)
    n, step, sigma = 150, 0.025, 0.6
    x = np.arange(n + 2 * k) * step
    knee = rng.uniform(0.5, 3.5, (70, 1))
    f = -(10 ** (2 * (x - knee))) + 0.3 * np.exp(-(((x - knee + 0.2) / 0.05) ** 2)) * rng.uniform(0, 1, (70, 1))
    walk = np.cumsum(rng.normal(size=(3, n + 2 * k)), axis=-1)
    for rows in (f, walk, f.reshape(7, 10, -1)):
        assert same_bits(fd._profile_over_j(rows, k, step, sigma), direct_profile(rows, k, step, sigma))
    f[4, k + 10] = np.nan
    f[5, 7] = np.inf
    assert same_bits(fd._profile_over_j(f, k, step, sigma), direct_profile(f, k, step, sigma))


def scalar_upper_limit(sigmav: np.ndarray, lnl: np.ndarray, threshold: float) -> float:
    """upper_limit one row at a time, as it was written before _row_limits."""
    best = int(np.argmax(lnl))
    m2dlnl = 2.0 * (lnl[best] - lnl)
    above = np.nonzero((np.arange(len(lnl)) > best) & (m2dlnl >= threshold))[0]
    if len(above) == 0:
        return math.nan
    i = int(above[0])
    lo, hi = np.log10(sigmav[i - 1]), np.log10(sigmav[i])
    t = (threshold - m2dlnl[i - 1]) / (m2dlnl[i] - m2dlnl[i - 1])
    return float(10.0 ** (lo + t * (hi - lo)))


def test_row_limits_are_upper_limit_row_by_row() -> None:
    rng = np.random.default_rng(11)
    sigmav = 10 ** (np.arange(-1200, -600) / 40)
    x = np.log10(sigmav)
    lnl = -(10 ** (2 * (x - rng.uniform(-28, -22, (60, 1))))) + rng.normal(0, 0.01, (60, len(x)))
    lnl[3] = 0.0  # never reaches the threshold
    threshold = fd.threshold_m2dlnl(0.95)
    limits, reached = fd._row_limits(sigmav, lnl, threshold)
    expected = np.array([scalar_upper_limit(sigmav, row, threshold) for row in lnl])
    assert same_bits(limits, expected)
    assert list(reached) == [not math.isnan(v) for v in expected]
    with pytest.raises(ConfigError, match="never reaches"):
        fd.upper_limit(sigmav, lnl[3], threshold)


def test_subnormal_fluxes_per_unit_give_the_masked_evaluation_without_a_warning() -> None:
    """u so small that threshold / u overflows (pytest turns warnings into errors here)."""
    like = likelihood()
    per_unit = np.full((2, fd.N_BINS), 1e-8)
    per_unit[0, 3], per_unit[1, 5] = 1e-320, 5e-324
    amounts = 10 ** (np.arange(-40, 40) * 0.25)
    assert same_bits(like.lnl(per_unit, amounts), like._lnl_masked(per_unit, amounts))
