"""The LHC DM WG s-channel spin-1 mediator with Dirac dark matter: translations between the
mediator plane (M_med, m_chi) and the direct-detection planes, and the documents that carry them.

Model (Abercrombie et al., arXiv:1507.00966; Albert et al., arXiv:1703.05703): a Z' of mass M with
vector (g_V = g, g_A = 0) or axial (g_A = g, g_V = 0) couplings g_q to every quark, g_l to charged
leptons and g_chi to Dirac dark matter chi. Benchmarks V2 (vector: g_q = 0.1, g_l = 0.01,
g_chi = 1) and A2 (axial: g_q = 0.1, g_l = 0.1, g_chi = 1).

Partial widths at tree level (colour factor N_c = 3 for quarks, beta = sqrt(1 - 4 m_f²/M²);
neutrinos are left-handed, so they couple with g_V = g_A = g_l/2 in both models):

    Gamma(Z' -> f fbar) = N_c M beta / (12 pi) [g_V² (1 + 2 m_f²/M²) + g_A² (1 - 4 m_f²/M²)].

Direct detection at zero momentum transfer (Boveia et al., arXiv:1603.04156, eqs. 4.3 and 4.7):

    vector:  sigma_SI = 9 g_q^2 g_chi^2 mu_nchi^2 / (pi M^4)
             = 6.9e-41 cm^2 (g_q g_chi / 0.25)^2 (1 TeV / M)^4 (mu_nchi / 1 GeV)^2,
    axial:   sigma_SD = 3 g_q^2 g_chi^2 mu_nchi^2 (Delta_u + Delta_d + Delta_s)^2 / (pi M^4)
             = 2.4e-42 cm^2 (g_q g_chi / 0.25)^2 (1 TeV / M)^4 (mu_nchi / 1 GeV)^2,

with Delta_u = 0.84, Delta_d = -0.43, Delta_s = -0.09 (the proton's; the neutron's swap u and d, so
the sum, and sigma_SD, is the same for both nucleons); mu_nchi = m_chi m_N/(m_chi + m_N) with the
proton mass (PDG 2024); (hbar c)^2 = 0.3893794e-27 GeV^2 cm^2. The predicted cross-section falls as
M^-4, so an upper limit sigma_UL(m_chi) excludes every M below

    M_lim(m_chi) = [C g_q^2 g_chi^2 mu_nchi^2 / sigma_UL(m_chi)]^(1/4),  C = 9/pi or 3 (sum Delta)^2/pi,

the largest excluded mediator mass at that m_chi, which is how the mediator plane's limit files
read (parameter of interest ``mediator_mass``). Both directions are exact inverses of each other.
Validity: tree level, the couplings of the benchmark only (other couplings scale as g_q^2 g_chi^2),
and the direct-detection limit's own halo (the Standard Halo Model of the source file).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import GEV_MINUS2_IN_CM2, PROTON_MASS_GEV

N_C = 3
# quark masses [GeV] (PDG 2024: pole mass for t, MS-bar otherwise) and type (u or d)
QUARKS = (("u", 0.0022, "u"), ("d", 0.0047, "d"), ("s", 0.095, "d"), ("c", 1.275, "u"), ("b", 4.18, "d"), ("t", 172.7, "u"))
LEPTONS = (("e", 0.000511), ("mu", 0.10566), ("tau", 1.77686))


@dataclass(frozen=True)
class Couplings:
    """Vector and axial couplings of one fermion class."""

    vector: float
    axial: float

    @property
    def squared(self) -> float:
        return self.vector**2 + self.axial**2


def model_couplings(kind: str, g_q: float, g_l: float, g_chi: float) -> dict[str, Couplings]:
    """Quark, charged-lepton, neutrino and DM couplings of the vector or axial model."""
    if kind == "vector":
        quark, lepton, dm = Couplings(g_q, 0.0), Couplings(g_l, 0.0), Couplings(g_chi, 0.0)
    elif kind == "axial":
        quark, lepton, dm = Couplings(0.0, g_q), Couplings(0.0, g_l), Couplings(0.0, g_chi)
    else:
        raise ValueError(f"mediator kind {kind!r}: expected 'vector' or 'axial'")
    return {"quark": quark, "lepton": lepton, "neutrino": Couplings(g_l / 2, g_l / 2), "dm": dm}


def partial_width(mass: NDArray[np.float64], coupling: Couplings, fermion_mass: ArrayLike, colours: int = 1) -> NDArray[np.float64]:
    """Gamma(Z' -> f fbar) [GeV] of the module docstring; zero below threshold."""
    m = np.asarray(mass, dtype=float)
    r = np.asarray(fermion_mass, dtype=float) ** 2 / m**2
    open_ = r < 0.25
    beta = np.sqrt(np.where(open_, 1.0 - 4.0 * r, 0.0))
    value = colours * m * beta / (12 * np.pi) * (coupling.vector**2 * (1 + 2 * r) + coupling.axial**2 * (1 - 4 * r))
    return np.where(open_, value, 0.0)


def sm_width(mass: ArrayLike, up: Couplings, down: Couplings, lepton: Couplings, neutrino: Couplings) -> NDArray[np.float64]:
    """Total width [GeV] into Standard-Model fermions: six quarks, three charged leptons, three neutrinos."""
    m = np.asarray(mass, dtype=float)
    quarks = sum(partial_width(m, up if kind == "u" else down, mq, N_C) for _, mq, kind in QUARKS)
    leptons = sum(partial_width(m, lepton, ml) for _, ml in LEPTONS)
    return quarks + leptons + 3 * partial_width(m, neutrino, 0.0)


def total_width(mass: NDArray[np.float64], m_chi: NDArray[np.float64], c: dict[str, Couplings]) -> NDArray[np.float64]:
    """Total width [GeV] on a (mediator mass, DM mass) grid: SM fermions plus Dirac dark matter."""
    mm = np.asarray(mass, dtype=float)[:, None]
    sm = sm_width(mm, c["quark"], c["quark"], c["lepton"], c["neutrino"])
    return sm + partial_width(mm, c["dm"], np.asarray(m_chi, dtype=float)[None, :])


SPIN_DEPENDENT_DELTAS = (0.84, -0.43, -0.09)  # Delta_u, Delta_d, Delta_s of the proton (arXiv:1603.04156)
REFERENCES = [
    {"citation": "A. Boveia et al. (LHC DM WG), Phys. Dark Univ. 27 (2020) 100365", "arxiv": "1603.04156"},
    {"citation": "A. Albert et al. (LHC DM WG), Phys. Dark Univ. 26 (2019) 100377", "arxiv": "1703.05703"},
]
SI = {"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI WIMP-nucleon cross-section"}
SD = {"name": "sigma_sd_nucleon", "unit": "cm^2", "label": "SD WIMP-nucleon cross-section"}
MEDIATOR = {"name": "mediator_mass", "unit": "GeV", "label": "largest excluded mediator mass M_med"}
DM_MASS = {"name": "dm_mass", "unit": "GeV", "label": "dark-matter mass m_chi"}
WIMP_MASS = {"name": "mass", "unit": "GeV", "label": "WIMP mass"}


def model_name(kind: str) -> str:
    """The model's name in every limit file of the benchmark (ATLAS's and the translations')."""
    return f"s-channel {kind} mediator with Dirac dark matter (LHC DM WG)"


def coefficient(kind: str) -> float:
    """C of sigma = C g_q^2 g_chi^2 mu^2 / M^4 (natural units): 9/pi (vector, SI) or
    3 (Delta_u + Delta_d + Delta_s)^2/pi (axial, SD).

    >>> round(coefficient("vector") * 0.25**2 / 1000.0**4 * GEV_MINUS2_IN_CM2, 43)
    6.97e-41
    >>> round(coefficient("axial") * 0.25**2 / 1000.0**4 * GEV_MINUS2_IN_CM2, 44)
    2.38e-42
    """
    if kind == "vector":
        return 9.0 / np.pi
    if kind == "axial":
        return 3.0 * sum(SPIN_DEPENDENT_DELTAS) ** 2 / np.pi
    raise ValueError(f"a spin-1 mediator is 'vector' or 'axial', not {kind!r}")


def reduced_mass(m_chi: ArrayLike) -> NDArray[np.float64]:
    """DM-nucleon reduced mass [GeV] (proton mass)."""
    m = np.asarray(m_chi, dtype=float)
    return m * PROTON_MASS_GEV / (m + PROTON_MASS_GEV)


def cross_section_cm2(kind: str, g_q: float, g_chi: float, mediator_gev: ArrayLike, m_chi: ArrayLike) -> NDArray[np.float64]:
    """sigma_SI (vector) or sigma_SD (axial) per nucleon [cm^2] at (M, m_chi)."""
    mu = reduced_mass(m_chi)
    return coefficient(kind) * g_q**2 * g_chi**2 * mu**2 / np.asarray(mediator_gev, dtype=float) ** 4 * GEV_MINUS2_IN_CM2


def excluded_mediator_mass(kind: str, g_q: float, g_chi: float, sigma_limit_cm2: ArrayLike, m_chi: ArrayLike) -> NDArray[np.float64]:
    """The largest mediator mass [GeV] a cross-section upper limit excludes at each m_chi (the
    inverse of :func:`cross_section_cm2`)."""
    mu = reduced_mass(m_chi)
    sigma = np.asarray(sigma_limit_cm2, dtype=float) / GEV_MINUS2_IN_CM2
    return (coefficient(kind) * g_q**2 * g_chi**2 * mu**2 / sigma) ** 0.25


def plane_of_kind(kind: str) -> dict[str, str]:
    """The direct-detection parameter a benchmark translates to."""
    return SI if kind == "vector" else SD


def formula(kind: str, direction: str) -> str:
    """The translation's formula as recorded in the files."""
    c = "9/pi" if kind == "vector" else "3 (Delta_u + Delta_d + Delta_s)^2/pi"
    sigma = "sigma_SI" if kind == "vector" else "sigma_SD"
    if direction == "to_mediator":
        return (f"M_lim(m_chi) = [C g_q^2 g_chi^2 mu_nchi^2 / {sigma}_UL(m_chi)]^(1/4), C = {c} "
                "(arXiv:1603.04156 eq. 4.3/4.7 inverted); points with M < M_lim are excluded")
    return f"{sigma}(m_chi) = C g_q^2 g_chi^2 mu_nchi^2 / M_lim(m_chi)^4, C = {c} (arXiv:1603.04156 eq. 4.3/4.7)"


def constants(kind: str) -> dict[str, Any]:
    """Every constant of the translation."""
    out: dict[str, Any] = {"nucleon_mass_gev": PROTON_MASS_GEV, "hbar_c_squared_gev2_cm2": GEV_MINUS2_IN_CM2}
    if kind == "axial":
        out["delta_u_d_s"] = list(SPIN_DEPENDENT_DELTAS)
    return out


VALIDITY = ("tree level, zero momentum transfer; only the couplings of this benchmark (the cross-section scales as "
            "g_q^2 g_chi^2); the halo and nucleon assumptions of the source limit")


def translation_block(kind: str, benchmark: str, couplings: dict[str, Any], direction: str,
                      source: dict[str, Any]) -> dict[str, Any]:
    """The ``translation`` block of a translated file (limit-file version 3)."""
    dd = plane_of_kind(kind)
    return {
        "model": "spin1_mediator", "benchmark": benchmark,
        "from": dd if direction == "to_mediator" else MEDIATOR,
        "to": MEDIATOR if direction == "to_mediator" else dd,
        "formula": formula(kind, direction), "parameters": couplings, "constants": constants(kind),
        "validity": VALIDITY, "source": source,
    }
