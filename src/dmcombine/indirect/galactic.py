"""The Galactic Centre as a dark-matter source: halo profiles, J-factors, and its path on the sky.

Density profiles (r = Galactocentric radius, each normalised so that ρ(r_⊙) = ρ_⊙):

* NFW (Navarro, Frenk & White, ApJ 462 (1996) 563):  ρ ∝ 1 / [(r/r_s)(1 + r/r_s)²]
* Einasto (Einasto 1965; as in PPPC4DMID):           ρ ∝ exp{-(2/α)[(r/r_s)^α - 1]}
* Burkert (Burkert, ApJ 447 (1995) L25):             ρ ∝ 1 / [(1 + r/r_s)(1 + (r/r_s)²)]

Default parameters are those of PPPC4DMID (Cirelli et al., JCAP 03 (2011) 051, arXiv:1012.4515,
Table 1): r_⊙ = 8.33 kpc, ρ_⊙ = 0.3 GeV/cm³, r_s = 24.42 (NFW), 28.44 (Einasto, α = 0.17) and
12.67 kpc (Burkert); all are configurable.

The annihilation J-factor of a region ΔΩ is the line-of-sight integral

    J(ΔΩ) = ∫_ΔΩ dΩ ∫_0^{l_max} ρ²(r(l, ψ)) dl,   r² = r_⊙² + l² - 2 l r_⊙ cos ψ   [GeV² cm⁻⁵],

with ψ the angle from the Galactic Centre and l_max where r reaches the halo radius. Along one line
of sight we substitute l = r_⊙ cos ψ + b tan u (b = r_⊙ sin ψ the impact parameter, r = b / cos u),
so that even the r⁻² cusp of ρ²_NFW becomes a smooth integrand, and integrate u with
Gauss–Legendre nodes.

The source's zenith angle θ at a detector of latitude φ, for declination δ and hour angle H,
is cos θ = sin φ sin δ + cos φ cos δ cos H; H runs uniformly over a sidereal day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.errors import ConfigError
from dmcombine.grids import gauss_legendre

CM_PER_KPC = 3.085_677_581e21
"""1 kpc in cm (IAU 2015 parsec)."""

PROFILES = ("nfw", "einasto", "burkert")


@dataclass(frozen=True)
class HaloProfile:
    """A spherical density profile normalised to the local density."""

    name: str
    rs_kpc: float
    rho_sun_gev_cm3: float
    r_sun_kpc: float
    halo_radius_kpc: float
    alpha: float = 0.17  # Einasto only

    def shape(self, r_kpc: ArrayLike) -> NDArray[np.float64]:
        """The profile's shape (unnormalised)."""
        x = np.asarray(r_kpc, dtype=float) / self.rs_kpc
        if self.name == "nfw":
            return 1.0 / (x * (1.0 + x) ** 2)
        if self.name == "einasto":
            return np.exp(-2.0 / self.alpha * (x**self.alpha - 1.0))
        if self.name == "burkert":
            return 1.0 / ((1.0 + x) * (1.0 + x**2))
        raise ConfigError(f"halo profile {self.name!r} is unknown; expected one of {', '.join(PROFILES)}")

    def density(self, r_kpc: ArrayLike) -> NDArray[np.float64]:
        """ρ(r) [GeV/cm³]."""
        return self.rho_sun_gev_cm3 * self.shape(r_kpc) / self.shape(self.r_sun_kpc)


def profile_from_config(halo: dict) -> HaloProfile:
    """The profile named by ``halo.profile`` with its parameters from ``halo.profiles.<name>``."""
    name = halo["profile"]
    if name not in halo["profiles"]:
        raise ConfigError(f"halo.profile: {name!r} has no parameters in halo.profiles")
    params = halo["profiles"][name]
    return HaloProfile(name, params["rs_kpc"], halo["rho_sun_gev_cm3"], halo["r_sun_kpc"], halo["halo_radius_kpc"],
                       params.get("alpha", 0.17))


def line_of_sight(density: Callable[[NDArray[np.float64]], NDArray[np.float64]], psi_rad: ArrayLike, r_sun_kpc: float,
                  halo_radius_kpc: float, nodes: int = 256) -> NDArray[np.float64]:
    """∫ ρ² dl along directions at angles ψ from the Galactic Centre [GeV² cm⁻⁶ kpc].

    ``density`` maps r [kpc] to ρ [GeV/cm³]; l runs from the observer to radius halo_radius_kpc.
    """
    psi = np.atleast_1d(np.asarray(psi_rad, dtype=float))
    if np.any(psi <= 0) or np.any(psi > np.pi):
        raise ValueError("angles from the Galactic Centre must lie in (0, pi]")
    b = r_sun_kpc * np.sin(psi)
    b = np.where(b > 0, b, 1e-300)
    centre = r_sun_kpc * np.cos(psi)
    l_max = centre + np.sqrt(np.maximum(halo_radius_kpc**2 - b**2, 0.0))
    u_lo, u_hi = np.arctan(-centre / b), np.arctan((l_max - centre) / b)
    t, w = gauss_legendre(nodes)
    u = 0.5 * (u_hi - u_lo)[:, None] * t[None, :] + 0.5 * (u_hi + u_lo)[:, None]
    r = b[:, None] / np.cos(u)
    integrand = density(r) ** 2 * b[:, None] / np.cos(u) ** 2
    return 0.5 * (u_hi - u_lo) * (integrand @ w)


def ring_jfactors(profile: HaloProfile, edges_rad: ArrayLike, nodes: int = 16) -> NDArray[np.float64]:
    """J-factor [GeV² cm⁻⁵] of each ring between consecutive angular ``edges_rad`` around the GC:
    2π ∫ sin ψ L(ψ) dψ with Gauss–Legendre nodes per ring."""
    edges = np.asarray(edges_rad, dtype=float)
    t, w = gauss_legendre(nodes)
    half = 0.5 * np.diff(edges)
    psi = (0.5 * (edges[1:] + edges[:-1]))[:, None] + half[:, None] * t[None, :]
    los = line_of_sight(profile.density, psi.ravel(), profile.r_sun_kpc, profile.halo_radius_kpc).reshape(psi.shape)
    return 2.0 * np.pi * half * ((np.sin(psi) * los) @ w) * CM_PER_KPC


def jfactor_cone(profile: HaloProfile, radius_rad: float, rings: int = 64) -> float:
    """J-factor [GeV² cm⁻⁵] of a cone of half-angle ``radius_rad`` centred on the GC."""
    edges = radius_rad * np.linspace(0.0, 1.0, rings + 1) ** 2  # finer near the centre
    return float(ring_jfactors(profile, edges).sum())


def zenith_track(latitude_deg: float, declination_deg: float, samples: int) -> NDArray[np.float64]:
    """Zenith angles [rad] of a source at ``samples`` equally spaced hour angles of a sidereal day."""
    if samples < 1:
        raise ConfigError("zenith_samples must be at least 1")
    hour = 2.0 * np.pi * (np.arange(samples) + 0.5) / samples
    phi, delta = np.radians(latitude_deg), np.radians(declination_deg)
    cos_theta = np.sin(phi) * np.sin(delta) + np.cos(phi) * np.cos(delta) * np.cos(hour)
    return np.arccos(np.clip(cos_theta, -1.0, 1.0))
