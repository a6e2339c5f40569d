"""Dielectric-haloscope signal power, radiometer noise and the QCD axion lines.

Signal (Millar et al., JCAP 01 (2017) 061, arXiv:1612.07057; MADMAX white paper, Brun et al.,
Eur. Phys. J. C 79 (2019) 186, arXiv:1901.07401, eq. 2). A mirror in a magnetic field B parallel
to its surface emits, per unit area, the power of the axion-induced field E_a = g B a_0 with
a_0 = sqrt(2 rho_a)/m_a:

    P_0 / A = g² B² rho_a / m_a²     (natural Heaviside-Lorentz units),

which is 2.2e-27 W/m² × (B/10 T)² C_ag² for rho_a = 0.3 GeV/cm³ (the white paper's coefficient;
tested in tests/test_madmax.py). A booster of disks enhances it by the power boost factor beta²,
and a fraction eta of the boosted power reaches the receiver: P = eta beta² A g² B² rho_a / m_a².

Noise (Dicke radiometer equation): over a measurement time t and the axion line width
Delta nu_a, the power noise is sigma_P = k_B T_sys sqrt(Delta nu_a / t), so
SNR = P / (k_B T_sys) sqrt(t / Delta nu_a). Independent tuning steps add as SNR² = sum_i SNR_i².

QCD axion: m_a = 5.691 µeV (1e12 GeV / f_a) (Gorghetto & Villadoro, JHEP 03 (2019) 033,
arXiv:1812.01008) and g_ag = alpha/(2 pi f_a) C_ag with C_ag = E/N - 1.92 (Grilli di Cortona
et al., JHEP 01 (2016) 034, arXiv:1511.02867). KSVZ: E/N = 0; DFSZ: E/N = 8/3; the band drawn
around them spans E/N = 5/3 ... 44/3 (Di Luzio, Mescia & Nardi, PRL 118 (2017) 031801).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import (
    BOLTZMANN_J_K,
    ELEMENTARY_CHARGE_C,
    FINE_STRUCTURE,
    HBAR_C_GEV_FM,
    HBAR_GEV_S,
    JOULE_PER_GEV,
    PLANCK_EV_S,
    SPEED_OF_LIGHT_KM_S,
)

_HBAR_J_S = HBAR_GEV_S * JOULE_PER_GEV
_C_M_S = SPEED_OF_LIGHT_KM_S * 1e3
# 1 T in GeV² (Heaviside-Lorentz, e = sqrt(4 pi alpha)): e_SI B hbar c² / (e_nat GeV_J²) ≈ 1.95e-16
TESLA_GEV2 = ELEMENTARY_CHARGE_C * _HBAR_J_S * _C_M_S**2 / (np.sqrt(4 * np.pi * FINE_STRUCTURE) * JOULE_PER_GEV**2)
# 1 GeV/cm³ in GeV⁴: (hbar c)³ with hbar c in GeV cm
GEV_CM3_GEV4 = (HBAR_C_GEV_FM * 1e-13) ** 3
# 1 GeV⁴ of power per area in W/m²: GeV [J] × GeV/hbar [1/s] / (hbar c [m])²
GEV4_W_M2 = JOULE_PER_GEV / HBAR_GEV_S / (HBAR_C_GEV_FM * 1e-15) ** 2
# m_a f_a = 5.691 µeV × 1e12 GeV (Gorghetto & Villadoro 2019)
MA_FA_EV_GEV = 5.691e-6 * 1e12
C_AG_OFFSET = 1.92
E_OVER_N = {"KSVZ": 0.0, "DFSZ": 8.0 / 3.0}
BAND_E_OVER_N = (5.0 / 3.0, 44.0 / 3.0)


def frequency_hz(mass_ev: ArrayLike) -> NDArray[np.float64]:
    """Photon frequency nu = m_a c²/h [Hz] of an axion of mass m_a [eV].

    >>> round(float(frequency_hz(100e-6)) / 1e9, 3)
    24.18
    """
    return np.asarray(mass_ev, dtype=float) / PLANCK_EV_S


def mirror_power_per_area_w_m2(g_gev: ArrayLike, b_tesla: float, rho_gev_cm3: float, mass_ev: ArrayLike) -> NDArray[np.float64]:
    """P_0/A = g² B² rho_a / m_a² [W/m²] of a single mirror (no boost)."""
    g = np.asarray(g_gev, dtype=float)
    m_gev = np.asarray(mass_ev, dtype=float) * 1e-9
    natural = g**2 * (b_tesla * TESLA_GEV2) ** 2 * rho_gev_cm3 * GEV_CM3_GEV4 / m_gev**2
    return natural * GEV4_W_M2


def coupling_gev(mass_ev: ArrayLike, e_over_n: float) -> NDArray[np.float64]:
    """|g_ag| [1/GeV] of the QCD axion of mass m_a [eV] for a given E/N.

    >>> f"{float(coupling_gev(100e-6, 0.0)):.3e}"   # KSVZ at 100 µeV
    '3.918e-14'
    """
    f_a = MA_FA_EV_GEV / np.asarray(mass_ev, dtype=float)
    return FINE_STRUCTURE / (2 * np.pi * f_a) * abs(e_over_n - C_AG_OFFSET)


def qcd_band_gev(mass_ev: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lower and upper |g_ag| of the QCD axion band (E/N from 5/3 to 44/3)."""
    lo, hi = (coupling_gev(mass_ev, e) for e in BAND_E_OVER_N)
    return np.minimum(lo, hi), np.maximum(lo, hi)


def radiometer_noise_w(t_sys_k: float, linewidth_hz: ArrayLike, time_s: ArrayLike) -> NDArray[np.float64]:
    """sigma_P = k_B T_sys sqrt(Delta nu_a / t) [W] (Dicke radiometer equation).

    >>> f"{float(radiometer_noise_w(10.0, 1e4, 1e4)):.4e}"
    '1.3806e-22'
    """
    return BOLTZMANN_J_K * t_sys_k * np.sqrt(np.asarray(linewidth_hz, dtype=float) / np.asarray(time_s, dtype=float))
