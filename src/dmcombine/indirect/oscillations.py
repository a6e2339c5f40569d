"""Neutrino flavour oscillations averaged over astrophysical baselines.

Over kpc baselines every oscillation phase Δm²L/4E averages out, leaving

    P(ν_α → ν_β) = Σ_i |U_αi|² |U_βi|²,

with U the PMNS matrix in the standard parametrisation (PDG Review of Particle Physics 2024,
"Neutrino mixing", Eq. 14.33):

    U = R23(θ23) · U13(θ13, δ) · R12(θ12).

The probabilities are the same for antineutrinos (U → U* leaves |U_αi|² unchanged). Default
angles are NuFIT 5.2 normal ordering with Super-Kamiokande atmospheric data (Esteban et al.,
JHEP 09 (2020) 178, arXiv:2007.14792; www.nu-fit.org): θ12 = 33.41°, θ13 = 8.58°, θ23 = 42.2°,
δ_CP = 232°. Flavour order: e, μ, τ.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FLAVOURS = ("e", "mu", "tau")


def pmns(theta12_deg: float, theta13_deg: float, theta23_deg: float, delta_cp_deg: float) -> NDArray[np.complex128]:
    """The 3 × 3 PMNS matrix U[α, i] (rows e, μ, τ; columns mass states 1, 2, 3)."""
    t12, t13, t23, d = np.radians([theta12_deg, theta13_deg, theta23_deg, delta_cp_deg])
    s12, c12, s13, c13, s23, c23 = np.sin(t12), np.cos(t12), np.sin(t13), np.cos(t13), np.sin(t23), np.cos(t23)
    r23 = np.array([[1, 0, 0], [0, c23, s23], [0, -s23, c23]], dtype=complex)
    u13 = np.array([[c13, 0, s13 * np.exp(-1j * d)], [0, 1, 0], [-s13 * np.exp(1j * d), 0, c13]], dtype=complex)
    r12 = np.array([[c12, s12, 0], [-s12, c12, 0], [0, 0, 1]], dtype=complex)
    return r23 @ u13 @ r12


def averaged_probabilities(theta12_deg: float, theta13_deg: float, theta23_deg: float,
                           delta_cp_deg: float) -> NDArray[np.float64]:
    """P[α, β] = P(ν_α → ν_β) averaged over the baseline; rows and columns sum to one."""
    w = np.abs(pmns(theta12_deg, theta13_deg, theta23_deg, delta_cp_deg)) ** 2
    return w @ w.T


def probabilities_from_config(osc: dict) -> NDArray[np.float64]:
    """``mode: mixing_angles`` (default) or ``democratic`` (every P = 1/3, only if asked for)."""
    if osc["mode"] == "democratic":
        return np.full((3, 3), 1.0 / 3.0)
    return averaged_probabilities(osc["theta12_deg"], osc["theta13_deg"], osc["theta23_deg"], osc["delta_cp_deg"])
