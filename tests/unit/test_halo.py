"""The SHM mean inverse speed against a direct numerical integration of the velocity distribution."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate

from dmcombine.direct_detection.halo import StandardHaloModel

SHM = StandardHaloModel(rho_gev_cm3=0.3, v0_km_s=220.0, vesc_km_s=544.0, vearth_km_s=232.0)


def eta_numerical(halo: StandardHaloModel, vmin: float) -> float:
    """eta(v_min) integrated in the Galactic frame, independently of the closed form:

    eta = ∫_{|w| < v_esc} exp(-w²/v0²) Θ(|w - v_E| - v_min) / |w - v_E| d³w / ∫ exp(-w²/v0²) d³w,

    in spherical coordinates about v_E, where |w - v_E| > v_min  <=>  cos θ < (w² + v_E² - v_min²)/(2 w v_E).
    """
    v0, ve, vesc = halo.v0_km_s, halo.vearth_km_s, halo.vesc_km_s

    def shell(w: float) -> float:
        if w == 0.0:
            return 0.0
        c_hi = min(1.0, (w * w + ve * ve - vmin * vmin) / (2 * w * ve))
        if c_hi <= -1.0:
            return 0.0
        # ∫ dc / sqrt(w² + ve² - 2 w ve c), in closed form for the innermost integral
        inner = (np.sqrt(w * w + ve * ve + 2 * w * ve) - np.sqrt(max(w * w + ve * ve - 2 * w * ve * c_hi, 0.0))) / (w * ve)
        return 2 * np.pi * w * w * np.exp(-w * w / v0**2) * inner

    norm = integrate.quad(lambda w: 4 * np.pi * w * w * np.exp(-w * w / v0**2), 0, vesc, epsabs=0, epsrel=1e-12)[0]
    kinks = sorted({p for p in (abs(ve - vmin), ve + vmin, ve) if 0 < p < vesc})
    value = integrate.quad(shell, 0, vesc, points=kinks or None, limit=500, epsabs=0, epsrel=1e-11)[0]
    return value / norm


@pytest.mark.parametrize("vmin", [0.0, 100.0, 300.0, 311.9, 500.0, 700.0, 775.0])
def test_eta_matches_numerical_integration(vmin: float) -> None:
    numeric = eta_numerical(SHM, vmin)
    assert float(SHM.eta_s_km(vmin)) == pytest.approx(numeric, rel=1e-6, abs=1e-12)


def test_eta_vanishes_above_vmax() -> None:
    assert float(SHM.eta_s_km(SHM.vmax_km_s + 1e-6)) == 0.0


def test_untruncated_limit() -> None:
    """With v_esc -> infinity, eta(0) = erf(y)/(v0 y) (Lewin & Smith eq. 3.12 limit)."""
    from scipy.special import erf

    wide = StandardHaloModel(0.3, 220.0, 1e5, 232.0)
    y = 232.0 / 220.0
    assert float(wide.eta_s_km(0.0)) == pytest.approx(erf(y) / (220.0 * y), rel=1e-12)


@settings(max_examples=50, deadline=None)
@given(
    v0=st.floats(150, 300),
    vesc=st.floats(400, 700),
    ve=st.floats(200, 260),
)
def test_eta_is_non_negative_and_non_increasing(v0: float, vesc: float, ve: float) -> None:
    halo = StandardHaloModel(0.3, v0, vesc, ve)
    vmin = np.linspace(0, halo.vmax_km_s * 1.05, 400)
    eta = halo.eta_s_km(vmin)
    assert np.all(eta >= 0)
    assert np.all(np.diff(eta) <= 1e-15)


def test_rejects_unphysical_parameters() -> None:
    with pytest.raises(ValueError, match="v0_km_s"):
        StandardHaloModel(0.3, -220.0, 544.0, 232.0)
