"""Higgs-portal dark matter: an upper limit on BR(h -> invisible) as an upper limit on sigma_SI.

Model (Djouadi, Lebedev, Mambrini & Quevillon, arXiv:1112.3299, the European Strategy Briefing Book
benchmarks; the same formulas in Djouadi, Falkowski, Mambrini & Quevillon, arXiv:1205.3169): a real
scalar S or a Majorana fermion chi, singlet under the Standard Model and odd under a Z2, coupled only
to the Higgs doublet H,

    scalar:   L ⊃ -1/2 m_S² S² - 1/4 lambda_S S⁴ - 1/4 lambda_hSS H†H S²,
    Majorana: L ⊃ -1/2 m_chi chibar chi - 1/4 (lambda_hchichi / Lambda) H†H chibar chi,

the Majorana case being a dimension-5 operator suppressed by a new-physics scale Lambda. For
m_chi < m_h/2 the Higgs decays invisibly, with beta = sqrt(1 - 4 m_chi²/m_h²),

    Gamma(h -> SS)         = lambda_hSS² v² beta / (64 pi m_h),
    Gamma(h -> chi chi)    = lambda_hchichi² v² m_h beta³ / (32 pi Lambda²),

and the same couplings give the spin-independent DM-nucleon cross-section at zero momentum
transfer (f_N the Higgs-nucleon coupling, <N| sum_q m_q qbar q |N> = f_N m_N ubar u, heavy quarks
through the trace anomaly),

    sigma_SI(scalar)   = lambda_hSS² m_N⁴ f_N² / (16 pi m_h⁴ (m_S + m_N)²),
    sigma_SI(Majorana) = lambda_hchichi² m_N⁴ m_chi² f_N² / (4 pi Lambda² m_h⁴ (m_chi + m_N)²).

Eliminating the coupling (the translation of Hoferichter, Klos, Menéndez & Schwenk,
arXiv:1708.02245, and of the ATLAS and CMS invisible-Higgs papers) with
Gamma_inv = BR/(1 - BR) Gamma_SM (SM production and SM visible width; the BR limit is on the total
invisible fraction):

    scalar:   sigma_SI = P_s Gamma_inv m_N⁴ f_N² / (m_h³ v² beta (m_chi + m_N)²),
    Majorana: sigma_SI = P_M Gamma_inv m_N⁴ m_chi² f_N² / (m_h⁵ v² beta³ (m_chi + m_N)²),

with P_s and P_M fixed by the Lagrangian's normalisation of v (below), converted from GeV⁻² to cm²
with (hbar c)² = 0.389 379 4e-27 GeV² cm² (dmcombine.constants.GEV_MINUS2_IN_CM2). P_s, P_M and v
are fields of HiggsPortalConstants.

Which normalisation of v belongs to Djouadi's widths. Computing the widths from the Lagrangian with
H⁰ = (v + h)/sqrt 2, v = 246 GeV (so H†H ⊃ v h): the hSS vertex is -i lambda_hSS v/2 and
Gamma(h -> SS) = lambda_hSS² v² beta/(128 pi m_h); the Majorana vertex is -i lambda v/(2 Lambda) and
Gamma(h -> chi chi) = lambda² v² m_h beta³/(64 pi Lambda²); the cross-sections come out exactly as
Djouadi's (which do not involve v). Djouadi's printed widths (64 pi, 32 pi) are therefore those of
v = 174 GeV (<H⁰> = v), and the relation between sigma_SI and Gamma_inv is P_s = 8, P_M = 16 with
v = 246.22 GeV, equivalently P_s = 4, P_M = 8 with v = 174 GeV. Two named sets (CONSTANT_SETS):

* ``default``: P_s = 8, P_M = 16 with v = 246.22 GeV = (sqrt 2 G_F)^(-1/2); m_h = 125.20 GeV (PDG 2024
  average); Gamma_SM = 4.1 MeV (LHC Higgs Cross Section WG, YR4 arXiv:1610.07922: 4.10 MeV at
  m_h = 125.09-125.10 GeV); m_N = 0.939 GeV (isospin-averaged nucleon mass);
  f_N = 0.308 ± 0.018 (arXiv:1708.02245, their summary value; the ±1σ curves are drawn beside).
* ``briefing_book``: the constants of the 2026 European Strategy Physics Briefing Book notebook
  (arXiv:2511.03883): P_s = 4, P_M = 8 with v = 174 GeV, m_h = 125 GeV, Gamma_SM = 4.07 MeV,
  m_N = 0.93895 GeV, f_N = 0.326 (the lattice value used by Djouadi et al.; no uncertainty given). The
  notebook's scalar formula is the one above with v = 174 GeV; its Majorana formula is taken to use
  the same substitution (v = 174 GeV, prefactor 8).

How the two sets differ. The conventions agree: 4/174² = 1.3212e-4 and 8/246.22² = 1.3196e-4 GeV⁻²
(a ratio 1.0012 from 174 vs 246.22/sqrt 2 = 174.10). With each set's own constants the ratio at
m_chi = 50 GeV and equal BR is sigma(default)/sigma(briefing_book) = 0.8926 × (the smaller effects of
Gamma_SM, m_h, m_N): 0.8915 (scalar) and 0.8836 (Majorana), dominated by (0.308/0.326)² = 0.8926.

Majorana EFT scale. Inverting the width, with the same prefactor convention
(Gamma = lambda² v² m_h beta³ / (4 pi P_M Lambda²), which is Djouadi's 32 pi for P_M = 8),

    Lambda / lambda_hchichi = v sqrt(m_h beta³ / (4 pi P_M Gamma_inv)),

which keeps sigma_SI = (lambda/Lambda)² m_N⁴ m_chi² f_N² / (4 pi m_h⁴ (m_chi + m_N)²) for every
constant set. Validity: the operator H†H chibar chi / Lambda is the leading term of an expansion in
E/Lambda, so the translation needs Lambda >> m_h (the energy of the decay) and a momentum transfer in
nuclear recoils (q ≲ 0.1 GeV) << Lambda, which holds whenever the former does. Only the ratio
Lambda/lambda is constrained; perturbativity, lambda ≤ 4 pi, bounds the scale of the completion,
Lambda ≤ 4 pi (Lambda/lambda), and the EFT is self-consistent only where 4 pi (Lambda/lambda) >> m_h.
Near m_chi -> m_h/2 the limit on Lambda/lambda weakens as beta^(3/2) and the sigma_SI limit grows as
beta⁻³ (beta⁻¹ for the scalar).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import GEV_MINUS2_IN_CM2

REFERENCES = [
    {"citation": "A. Djouadi, A. Falkowski, Y. Mambrini, J. Quevillon, Eur. Phys. J. C 73 (2013) 2455", "arxiv": "1205.3169"},
    {"citation": "A. Djouadi, O. Lebedev, Y. Mambrini, J. Quevillon, Phys. Lett. B 709 (2012) 65", "arxiv": "1112.3299"},
    {"citation": "M. Hoferichter, P. Klos, J. Menéndez, A. Schwenk, Phys. Rev. Lett. 119 (2017) 181803", "arxiv": "1708.02245"},
    {"citation": "Physics Briefing Book: input for the 2026 update of the European Strategy for Particle Physics",
     "arxiv": "2511.03883"},
]
GEV2_TO_CM2 = GEV_MINUS2_IN_CM2
"""(hbar c)² [GeV² cm²] = 0.389 379 4e-27: a cross-section in GeV⁻² times this is in cm²."""
SPINS = ("scalar", "majorana")


@dataclass(frozen=True)
class HiggsPortalConstants:
    """Inputs of the BR(h -> inv) -> sigma_SI translation (module docstring); masses and widths in GeV."""

    name: str
    m_h_gev: float
    gamma_sm_gev: float
    m_n_gev: float
    f_n: float
    f_n_uncertainty: float | None  # 1 sigma; None where the source gives none
    v_gev: float
    scalar_prefactor: float  # P_s of sigma = P_s Gamma m_N^4 f_N^2 / (m_h^3 v^2 beta (m+m_N)^2)
    majorana_prefactor: float  # P_M of sigma = P_M Gamma m_N^4 m^2 f_N^2 / (m_h^5 v^2 beta^3 (m+m_N)^2)
    source: str

    def prefactor(self, spin: str) -> float:
        """P_s or P_M for ``spin`` ('scalar' or 'majorana')."""
        return self.scalar_prefactor if _checked_spin(spin) == "scalar" else self.majorana_prefactor


CONSTANT_SETS: dict[str, HiggsPortalConstants] = {
    "default": HiggsPortalConstants(
        name="default", m_h_gev=125.20, gamma_sm_gev=4.1e-3, m_n_gev=0.939, f_n=0.308, f_n_uncertainty=0.018,
        v_gev=246.22, scalar_prefactor=8.0, majorana_prefactor=16.0,
        source="Djouadi et al. arXiv:1112.3299 Lagrangians, widths for v = 246.22 GeV; m_h PDG 2024; Gamma_SM LHC HXSWG YR4 "
               "(arXiv:1610.07922); f_N Hoferichter et al. arXiv:1708.02245"),
    "briefing_book": HiggsPortalConstants(
        name="briefing_book", m_h_gev=125.0, gamma_sm_gev=4.07e-3, m_n_gev=0.93895, f_n=0.326, f_n_uncertainty=None,
        v_gev=174.0, scalar_prefactor=4.0, majorana_prefactor=8.0,
        source="2026 European Strategy Physics Briefing Book notebook (arXiv:2511.03883): v = 174 GeV in "
               "Djouadi's formulas"),
}
DEFAULT = CONSTANT_SETS["default"]


def constant_set(constants: HiggsPortalConstants | str) -> HiggsPortalConstants:
    """The named set of CONSTANT_SETS, or ``constants`` itself if it is already a HiggsPortalConstants."""
    if isinstance(constants, HiggsPortalConstants):
        return constants
    try:
        return CONSTANT_SETS[constants]
    except KeyError:
        raise ValueError(f"unknown Higgs-portal constant set {constants!r}: expected one of {sorted(CONSTANT_SETS)}") from None


def _checked_spin(spin: str) -> str:
    if spin not in SPINS:
        raise ValueError(f"dark-matter spin {spin!r}: expected 'scalar' or 'majorana'")
    return spin


def _checked_mass(m_chi: ArrayLike, c: HiggsPortalConstants) -> NDArray[np.float64]:
    m = np.asarray(m_chi, dtype=float)
    bad = ~(np.isfinite(m) & (m > 0.0) & (m < c.m_h_gev / 2))
    if np.any(bad):
        first = float(m[bad].flat[0]) if m.ndim else float(m)
        raise ValueError(f"dark-matter mass {first:g} GeV: the translation needs 0 < m_chi < m_h/2 = "
                         f"{c.m_h_gev / 2:g} GeV (h -> chi chi open; constant set {c.name!r})")
    return m


def _checked_fraction(br: ArrayLike) -> NDArray[np.float64]:
    b = np.asarray(br, dtype=float)
    if np.any(~(np.isfinite(b) & (b >= 0.0) & (b < 1.0))):
        raise ValueError(f"BR(h -> inv) must lie in [0, 1), got {b.tolist()}")
    return b


def beta(m_chi: ArrayLike, constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """Velocity of the dark-matter particles in the Higgs rest frame, sqrt(1 - 4 m_chi²/m_h²)."""
    c = constant_set(constants)
    m = _checked_mass(m_chi, c)
    return np.sqrt(1.0 - 4.0 * m**2 / c.m_h_gev**2)


def invisible_width(br: ArrayLike, constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """Gamma_inv = BR/(1 - BR) Gamma_SM [GeV]: the invisible width at invisible branching fraction BR."""
    c = constant_set(constants)
    b = _checked_fraction(br)
    return b / (1.0 - b) * c.gamma_sm_gev


def sigma_per_width_cm2_gev(m_chi: ArrayLike, spin: str, constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """sigma_SI / Gamma_inv [cm² GeV⁻¹]: the module docstring's formula without the width."""
    c = constant_set(constants)
    m = _checked_mass(m_chi, c)
    b = beta(m, c)
    nucleon = c.m_n_gev**4 * c.f_n**2 / (c.v_gev**2 * (m + c.m_n_gev) ** 2)
    if _checked_spin(spin) == "scalar":
        per_width = c.scalar_prefactor * nucleon / (c.m_h_gev**3 * b)
    else:
        per_width = c.majorana_prefactor * nucleon * m**2 / (c.m_h_gev**5 * b**3)
    return per_width * GEV2_TO_CM2


def sigma_si_from_br(m_chi: ArrayLike, br: ArrayLike, spin: str,
                     constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """sigma_SI per nucleon [cm²] at DM mass m_chi [GeV] (0 < m_chi < m_h/2) for an invisible
    branching fraction BR, for scalar or Majorana dark matter; broadcasts over m_chi and BR.
    An upper limit on BR gives an upper limit on sigma_SI (the relation is monotonic)."""
    return invisible_width(br, constants) * sigma_per_width_cm2_gev(m_chi, spin, constants)


def br_from_sigma_si(m_chi: ArrayLike, sigma_cm2: ArrayLike, spin: str,
                     constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """The exact inverse of sigma_si_from_br: BR(h -> inv) = Gamma_inv/(Gamma_SM + Gamma_inv) with
    Gamma_inv = sigma_SI / (sigma_SI per unit width)."""
    c = constant_set(constants)
    sigma = np.asarray(sigma_cm2, dtype=float)
    if np.any(~(np.isfinite(sigma) & (sigma >= 0.0))):
        raise ValueError(f"sigma_SI must be finite and non-negative, got {sigma.tolist()}")
    gamma_inv = sigma / sigma_per_width_cm2_gev(m_chi, spin, c)
    return gamma_inv / (c.gamma_sm_gev + gamma_inv)


def majorana_eft_scale(m_chi: ArrayLike, br: ArrayLike, constants: HiggsPortalConstants | str = "default") -> NDArray[np.float64]:
    """Lambda / lambda_hchichi [GeV] of the Majorana operator at invisible branching fraction BR:
    v sqrt(m_h beta³ / (4 pi P_M Gamma_inv)), i.e. Djouadi's Gamma = lambda² v² m_h beta³/(32 pi Lambda²)
    for P_M = 8. An upper limit on BR is a lower limit on Lambda/lambda; perturbativity (lambda ≤ 4 pi)
    then allows Lambda up to 4 pi times this value (validity: module docstring)."""
    c = constant_set(constants)
    b = beta(m_chi, c)
    gamma_inv = invisible_width(br, c)
    with np.errstate(divide="ignore"):  # BR = 0: no width, no bound (Lambda/lambda = inf)
        return c.v_gev * np.sqrt(c.m_h_gev * b**3 / (4.0 * np.pi * c.majorana_prefactor * gamma_inv))
