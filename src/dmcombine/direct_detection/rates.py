"""Differential and integrated rates of elastic, spin-independent WIMP-nucleus scattering.

Per unit detector mass, for a target isotope of mass number A and charge Z
(Lewin & Smith 1996, eq. 3.10 with the SI cross-section of their eq. 7.27),

    dR/dE_R = rho sigma_p [Z + (A - Z) f_n/f_p]² |F(E_R)|² eta(v_min) / (2 m_chi mu_p²),

with sigma_p the WIMP-proton cross-section (equal to the WIMP-nucleon one for f_n = f_p, when the
bracket is A), mu_p the WIMP-nucleon reduced mass, and
v_min = sqrt(m_A E_R / 2) / mu_A the smallest speed that can give a recoil E_R.
The nucleus reduced mass mu_A cancels between the nuclear cross-section
sigma_A = sigma_p (mu_A/mu_p)² [...]² and dsigma/dE_R = m_A sigma_A |F|² / (2 mu_A² v²).

Everything is vectorised over WIMP mass (first axis) and recoil energy (second axis).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import (
    CM_PER_KM,
    GEV_C2_IN_KG,
    KEV_PER_GEV,
    PROTON_MASS_GEV,
    SECONDS_PER_DAY,
    SPEED_OF_LIGHT_KM_S,
)
from dmcombine.direct_detection.halo import StandardHaloModel
from dmcombine.direct_detection.nuclear import FormFactor, Target, form_factor_squared

# rho[GeV/cm³] sigma[cm²] eta[s/km] c²[km²/s²] / (m[GeV] mu²[GeV²]) -> events / (GeV s kg)
_TO_PER_KEV_DAY_KG = CM_PER_KM * SPEED_OF_LIGHT_KM_S**2 / GEV_C2_IN_KG * SECONDS_PER_DAY / KEV_PER_GEV

# WIMP masses are taken in blocks of about this many (mass, energy) points: the temporaries of a
# block stay in the CPU cache
_BLOCK_ELEMENTS = 2**16


@dataclass(frozen=True)
class Couplings:
    """Spin-independent couplings: the neutron-to-proton ratio f_n/f_p (1 = isospin conserving)."""

    fn_over_fp: float = 1.0


def reduced_mass_gev(m1_gev: ArrayLike, m2_gev: ArrayLike) -> NDArray[np.float64]:
    """m1 m2 / (m1 + m2).

    >>> float(reduced_mass_gev(1.0, 1.0))
    0.5
    """
    m1 = np.asarray(m1_gev, dtype=float)
    m2 = np.asarray(m2_gev, dtype=float)
    return m1 * m2 / (m1 + m2)


def vmin_km_s(recoil_energy_kev: ArrayLike, wimp_mass_gev: ArrayLike, nucleus_mass_gev: float) -> NDArray[np.float64]:
    """Minimum WIMP speed (Earth frame) that can deposit E_R: sqrt(m_A E_R/2)/mu_A [km/s]."""
    e_gev = np.asarray(recoil_energy_kev, dtype=float) / KEV_PER_GEV
    mu_a = reduced_mass_gev(wimp_mass_gev, nucleus_mass_gev)
    vmin = np.sqrt(nucleus_mass_gev * e_gev / 2.0) / mu_a
    vmin *= SPEED_OF_LIGHT_KM_S  # in place: one (mass, energy) array fewer
    return vmin


def differential_rate(
    recoil_energy_kev: ArrayLike,
    wimp_mass_gev: ArrayLike,
    sigma_p_cm2: float,
    target: Target,
    halo: StandardHaloModel,
    couplings: Couplings = Couplings(),
    nucleon_mass_gev: float = PROTON_MASS_GEV,
    form_factor: FormFactor = FormFactor(),
) -> NDArray[np.float64]:
    """dR/dE_R [events / (kg day keV)] on a (mass, energy) grid.

    Returns an array of shape (len(masses), len(energies)); scalars broadcast. The factors of the
    energy alone are computed once per isotope, eta(v_min) for a block of masses at a time.

    >>> from dmcombine.direct_detection.nuclear import single_isotope_target
    >>> shm = StandardHaloModel(0.3, 220.0, 544.0, 232.0)
    >>> ar = single_isotope_target("Ar40", 40, 18, 39.9623831)
    >>> r = differential_rate([10.0, 50.0], [100.0], 1e-45, ar, shm)
    >>> r.shape, bool(r[0, 0] > r[0, 1] > 0)
    ((1, 2), True)
    """
    energies = np.atleast_1d(np.asarray(recoil_energy_kev, dtype=float))[np.newaxis, :]
    masses = np.atleast_1d(np.asarray(wimp_mass_gev, dtype=float))[:, np.newaxis]
    if np.any(energies < 0) or np.any(masses <= 0):
        raise ValueError("recoil energies must be >= 0 keV and WIMP masses > 0 GeV")
    mu_p = reduced_mass_gev(masses, nucleon_mass_gev)
    denominator = 2.0 * masses * mu_p**2
    # per isotope, what depends on the energy alone (computed once): abundance × [Z + (A - Z) f_n/f_p]² |F(E_R)|²
    weights = [
        iso.mass_fraction
        * (iso.atomic_number + (iso.mass_number - iso.atomic_number) * couplings.fn_over_fp) ** 2
        * form_factor_squared(energies, iso, form_factor)
        for iso in target.isotopes
    ]
    rate = np.zeros(np.broadcast_shapes(masses.shape, energies.shape))
    block = max(1, _BLOCK_ELEMENTS // max(1, energies.shape[1]))
    for start in range(0, len(masses), block):
        part = rate[start:start + block]  # a view: filled in place
        block_masses = masses[start:start + block]
        for iso, weight in zip(target.isotopes, weights, strict=True):
            eta = halo.eta_s_km(vmin_km_s(energies, block_masses, iso.mass_gev))
            eta *= weight  # weight × eta, in place
            part += eta
        part *= halo.rho_gev_cm3
        part *= sigma_p_cm2
        part /= denominator[start:start + block]
        part *= _TO_PER_KEV_DAY_KG
    return rate


def expected_events_per_cm2(
    wimp_mass_gev: ArrayLike,
    energy_grid_kev: NDArray[np.float64],
    acceptance: NDArray[np.float64],
    exposure_kg_day: float,
    target: Target,
    halo: StandardHaloModel,
    couplings: Couplings = Couplings(),
    form_factor: FormFactor = FormFactor(),
) -> NDArray[np.float64]:
    """Expected signal events per unit WIMP-proton cross-section [events/cm²], per mass.

    N(m) / sigma_p = exposure × ∫ dR/dE_R(E; m, sigma_p = 1 cm²) × acceptance(E) dE, integrated
    with the trapezoidal rule on ``energy_grid_kev`` (the acceptance is given on the same grid).
    """
    if energy_grid_kev.shape != acceptance.shape:
        raise ValueError("energy grid and acceptance must have the same shape")
    rate = differential_rate(energy_grid_kev, wimp_mass_gev, 1.0, target, halo, couplings, form_factor=form_factor)
    return exposure_kg_day * np.trapezoid(rate * acceptance[np.newaxis, :], energy_grid_kev, axis=1)
