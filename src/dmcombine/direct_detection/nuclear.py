"""Target nuclei and the Helm nuclear form factor for spin-independent scattering."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import ATOMIC_MASS_UNIT_GEV, HBAR_C_GEV_FM, KEV_PER_GEV

# Helm parameters of Lewin & Smith, Astropart. Phys. 6 (1996) 87, eqs. (4.7)-(4.11) [fm]
HELM_SKIN_FM = 0.9
HELM_A_FM = 0.52


@dataclass(frozen=True)
class FormFactor:
    """The nuclear form factor of SI scattering: ``helm`` (Lewin & Smith 1996, with skin thickness
    s and surface parameter a [fm]) or ``none`` (|F|² = 1, point-like nucleus)."""

    name: str = "helm"
    skin_fm: float = HELM_SKIN_FM
    a_fm: float = HELM_A_FM

    def __post_init__(self) -> None:
        if self.name not in ("helm", "none"):
            raise ValueError(f"form factor {self.name!r}: expected 'helm' or 'none'")
        if self.skin_fm < 0 or self.a_fm < 0:
            raise ValueError("Helm parameters skin_fm and a_fm must be >= 0")


@dataclass(frozen=True)
class Isotope:
    """One nuclear species: mass number A, charge Z, nuclear mass and abundance (mass fraction)."""

    mass_number: float
    atomic_number: int
    mass_gev: float
    mass_fraction: float = 1.0


@dataclass(frozen=True)
class Target:
    """A detector target: one or more isotopes weighted by mass fraction."""

    name: str
    isotopes: tuple[Isotope, ...]

    def __post_init__(self) -> None:
        total = sum(i.mass_fraction for i in self.isotopes)
        if not self.isotopes or abs(total - 1.0) > 1e-6:
            raise ValueError(f"target {self.name}: isotope mass fractions sum to {total}, expected 1")


def single_isotope_target(name: str, mass_number: float, atomic_number: int, mass_u: float) -> Target:
    """A target of one isotope whose atomic mass is given in u.

    >>> round(single_isotope_target("Ar40", 40, 18, 39.9623831).isotopes[0].mass_gev, 4)
    37.2247
    """
    return Target(name, (Isotope(mass_number, atomic_number, mass_u * ATOMIC_MASS_UNIT_GEV),))


def momentum_transfer_gev(recoil_energy_kev: ArrayLike, nucleus_mass_gev: float) -> NDArray[np.float64]:
    """q = sqrt(2 m_A E_R) [GeV] for a recoil energy in keV."""
    return np.sqrt(2.0 * nucleus_mass_gev * np.asarray(recoil_energy_kev, dtype=float) / KEV_PER_GEV)


def form_factor_squared(recoil_energy_kev: ArrayLike, isotope: Isotope, form_factor: FormFactor) -> NDArray[np.float64]:
    """|F(E_R)|² of the chosen form factor."""
    if form_factor.name == "none":
        return np.ones(np.shape(np.asarray(recoil_energy_kev, dtype=float)))
    return helm_form_factor_squared(recoil_energy_kev, isotope, form_factor.skin_fm, form_factor.a_fm)


def helm_form_factor_squared(recoil_energy_kev: ArrayLike, isotope: Isotope, skin_fm: float = HELM_SKIN_FM,
                             a_fm: float = HELM_A_FM) -> NDArray[np.float64]:
    """Helm form factor |F(q)|², Lewin & Smith (1996) eqs. (4.7)-(4.11).

    F(q) = 3 j1(q r_n)/(q r_n) exp(-(q s)²/2), with s = 0.9 fm, a = 0.52 fm,
    c = 1.23 A^(1/3) - 0.60 fm and r_n² = c² + 7/3 π² a² - 5 s².

    >>> ar = single_isotope_target("Ar40", 40, 18, 39.9623831).isotopes[0]
    >>> float(helm_form_factor_squared(0.0, ar))
    1.0
    >>> 0.0 < float(helm_form_factor_squared(100.0, ar)) < 1.0
    True
    """
    q_fm = momentum_transfer_gev(recoil_energy_kev, isotope.mass_gev) / HBAR_C_GEV_FM
    c_fm = 1.23 * isotope.mass_number ** (1.0 / 3.0) - 0.60
    rn_fm = np.sqrt(c_fm**2 + 7.0 / 3.0 * np.pi**2 * a_fm**2 - 5.0 * skin_fm**2)
    x = np.atleast_1d(q_fm * rn_fm)
    small = x < 1e-3
    xs = np.where(small, 1.0, x)
    j1_over_x = (np.sin(xs) - xs * np.cos(xs)) / xs**3
    # series 1/3 - x²/30 below 1e-3, where the closed form loses digits
    j1_over_x = np.where(small, 1.0 / 3.0 - x**2 / 30.0, j1_over_x)
    form = 3.0 * j1_over_x * np.exp(-((q_fm * skin_fm) ** 2) / 2.0)
    return (form**2).reshape(np.shape(q_fm))
