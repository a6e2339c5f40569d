"""Neutrino backgrounds of a direct-detection experiment, from neutrino fluxes.

Coherent elastic neutrino-nucleus scattering (CEvNS; Freedman 1974; Drukier & Stodolsky 1984),
for a nucleus of mass m_N, N neutrons and Z protons:

    dsigma/dE_R = G_F² m_N / (4 pi) Q_W² (1 - m_N E_R / (2 E_nu²)) |F(E_R)|²,
    Q_W = N - (1 - 4 sin²theta_W) Z,

with the neutrino energy at least E_min = sqrt(m_N E_R / 2) (E_R << m_N). The weak charge of a
nucleus is carried by its neutrons, so the Helm form factor is used for F.

Neutrino-electron elastic scattering (the irreducible electronic-recoil background; 't Hooft 1971,
e.g. Marciano & Parsa, J. Phys. G 29 (2003) 2629), for electron recoil T:

    dsigma/dT = (2 G_F² m_e / pi) [g_L² + g_R² (1 - T/E)² - g_L g_R m_e T / E²],

g_R = sin²theta_W, g_L = 1/2 + sin²theta_W for nu_e (charged + neutral current) and
-1/2 + sin²theta_W for nu_mu, nu_tau. Solar electron neutrinos arrive with survival probability
P_ee, so the effective cross-section is P_ee sigma_e + (1 - P_ee) sigma_mu. Every electron of the
atom counts as free (no binding-energy suppression, a ~10% overestimate below ~10 keV for xenon).

Constants: G_F = 1.1663788e-5 /GeV² and sin²theta_W = 0.23857 (MS-bar at low energy; PDG 2024),
(hbar c)² = 0.3893794e-27 GeV² cm², m_e = 0.51099895 MeV.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import ATOMIC_MASS_UNIT_GEV, GEV_C2_IN_KG, KEV_PER_GEV, SECONDS_PER_YEAR
from dmcombine.direct_detection.nuclear import FormFactor, Target, form_factor_squared
from dmcombine.errors import InputFormatError
from dmcombine.tables import load_numeric

FERMI_CONSTANT_GEV2 = 1.1663788e-5
SIN2_THETA_W = 0.23857
HBARC2_GEV2_CM2 = 0.3893794e-27
ELECTRON_MASS_GEV = 0.51099895e-3
KG_PER_TONNE = 1000.0


@dataclass(frozen=True)
class NeutrinoSource:
    """A neutrino flux: total [1/(cm² s)] and its normalised spectrum (a line when ``pdf`` is None)."""

    name: str
    total_flux_cm2_s: float
    energy_mev: NDArray[np.float64]
    pdf_per_mev: NDArray[np.float64] | None

    def lines_and_weights(self, points: int = 400) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Energies [GeV] and flux weights [1/(cm² s)] that integrate any function of E_nu."""
        if self.pdf_per_mev is None:
            return self.energy_mev * 1e-3, np.array([self.total_flux_cm2_s])
        e = self.energy_mev
        # trapezoid weights on the tabulated grid, renormalised to the total flux
        dx = np.diff(e)
        w = np.zeros_like(e)
        w[:-1] += dx / 2 * self.pdf_per_mev[:-1]
        w[1:] += dx / 2 * self.pdf_per_mev[1:]
        return e * 1e-3, w / w.sum() * self.total_flux_cm2_s


def read_spectrum(data: bytes, source: str, name: str, total_flux_cm2_s: float) -> NeutrinoSource:
    """Parse a NeutrinoFog spectrum file: ``E [MeV], dN/dE`` comma separated, or a line with a
    ``-1,-1`` sentinel row after it."""
    table = load_numeric(data, source, "two comma-separated numeric columns (E [MeV], spectrum)", delimiter=",")
    if table.shape[1] != 2 or len(table) < 2:
        raise InputFormatError(f"{source}: expected rows of two columns (E [MeV], spectrum), got shape {table.shape}")
    if not np.all(np.isfinite(table)):
        raise InputFormatError(f"{source}: holds a non-finite value")
    if table[1, 0] == -1:  # a line source
        if table[0, 0] <= 0:
            raise InputFormatError(f"{source}: line energy {table[0, 0]} MeV must be positive")
        return NeutrinoSource(name, total_flux_cm2_s, table[:1, 0], None)
    e, pdf = table[:, 0], table[:, 1]
    keep = e > 0
    e, pdf = e[keep], pdf[keep]
    if np.any(np.diff(e) <= 0) or np.any(pdf < 0):
        raise InputFormatError(f"{source}: energies must increase and the spectrum must be >= 0")
    return NeutrinoSource(name, total_flux_cm2_s, e, pdf)


def _targets_per_tonne(mass_u: float) -> float:
    return KG_PER_TONNE / (mass_u * ATOMIC_MASS_UNIT_GEV * GEV_C2_IN_KG)


def cevns_rate(recoil_kev: ArrayLike, source: NeutrinoSource, target: Target,
               form_factor: FormFactor = FormFactor()) -> NDArray[np.float64]:
    """CEvNS recoil spectrum dR/dE_R [events / (t yr keV)] of one neutrino source."""
    e_r = np.atleast_1d(np.asarray(recoil_kev, dtype=float))
    e_nu, weight = source.lines_and_weights()
    two_e_nu2 = 2.0 * e_nu[None, :] ** 2
    rate = np.zeros_like(e_r)
    for iso in target.isotopes:
        m_n = iso.mass_gev
        e_r_gev = e_r / KEV_PER_GEV
        q_w = (iso.mass_number - iso.atomic_number) - (1 - 4 * SIN2_THETA_W) * iso.atomic_number
        # recoils beyond the endpoint of the largest E_nu get nothing: the sum runs over the others
        reached = 1.0 - m_n * e_r_gev / (2.0 * e_nu.max() ** 2) > 0.0
        # dsig = G_F² m_N / (4 pi) Q_W² max(0, 1 - m_N E_R / (2 E_nu²)) [GeV^-3], built in place on
        # the (recoil, E_nu) array
        dsig = m_n * e_r_gev[reached, None] / two_e_nu2
        np.subtract(1.0, dsig, out=dsig)
        np.clip(dsig, 0.0, None, out=dsig)
        dsig *= FERMI_CONSTANT_GEV2**2 * m_n / (4 * np.pi) * q_w**2
        per_nucleus = np.zeros_like(e_r)
        per_nucleus[reached] = (dsig @ weight) * HBARC2_GEV2_CM2 / KEV_PER_GEV  # cm² / keV × 1/(cm² s)
        per_nucleus = per_nucleus * form_factor_squared(e_r, iso, form_factor)
        n_targets = iso.mass_fraction * _targets_per_tonne(iso.mass_gev / ATOMIC_MASS_UNIT_GEV)
        rate += per_nucleus * n_targets * SECONDS_PER_YEAR
    return rate


def nu_electron_rate(recoil_kev: ArrayLike, source: NeutrinoSource, target: Target,
                     survival_probability: float) -> NDArray[np.float64]:
    """Neutrino-electron recoil spectrum dR/dT [events / (t yr keV)] of one solar source."""
    t = np.atleast_1d(np.asarray(recoil_kev, dtype=float))[:, None] / KEV_PER_GEV
    e_nu, weight = source.lines_and_weights()
    e = e_nu[None, :]
    me = ELECTRON_MASS_GEV
    gr = SIN2_THETA_W
    allowed = t <= 2 * e**2 / (me + 2 * e)

    def dsig(gl: float) -> NDArray[np.float64]:
        return 2 * FERMI_CONSTANT_GEV2**2 * me / np.pi * (gl**2 + gr**2 * (1 - t / e) ** 2 - gl * gr * me * t / e**2)

    cross = survival_probability * dsig(0.5 + gr) + (1 - survival_probability) * dsig(-0.5 + gr)
    per_electron = (np.where(allowed, cross, 0.0) @ weight) * HBARC2_GEV2_CM2 / KEV_PER_GEV
    electrons = sum(iso.mass_fraction * iso.atomic_number * _targets_per_tonne(iso.mass_gev / ATOMIC_MASS_UNIT_GEV)
                    for iso in target.isotopes)
    return per_electron * electrons * SECONDS_PER_YEAR
