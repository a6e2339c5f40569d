"""The spin-1 mediator model's translations: the LHC DM WG coefficients by hand, the round trip
sigma -> M_med -> sigma, and what a translated file records."""

from __future__ import annotations

import numpy as np
import pytest

from dmcombine.constants import GEV_MINUS2_IN_CM2, PROTON_MASS_GEV
from dmcombine.models.spin1_mediator import physics as sp


def test_lhc_dm_wg_direct_detection_coefficients() -> None:
    # arXiv:1603.04156 eqs. 4.3/4.7: sigma_SI = 6.9e-41 cm^2 and sigma_SD = 2.4e-42 cm^2 for g_q g_chi = 0.25,
    # M = 1 TeV, per (mu / 1 GeV)^2; mu < m_p < 1 GeV cannot be reached, so divide mu^2 out
    heavy = np.array([1e6])
    mu = heavy * PROTON_MASS_GEV / (heavy + PROTON_MASS_GEV)
    si = float(sp.cross_section_cm2("vector", 0.25, 1.0, 1000.0, heavy)[0] / mu[0] ** 2)
    sd = float(sp.cross_section_cm2("axial", 0.25, 1.0, 1000.0, heavy)[0] / mu[0] ** 2)
    # by hand: 9/pi x 0.0625 x 1e-12 GeV^-2 x 0.3893794e-27 = 6.9718e-41; 3 x 0.32^2/pi x ... = 2.3797e-42
    assert si == pytest.approx(9 / np.pi * 0.0625e-12 * 0.3893794e-27, rel=1e-6)
    assert sd == pytest.approx(3 * 0.32**2 / np.pi * 0.0625e-12 * 0.3893794e-27, rel=1e-6)
    assert si == pytest.approx(6.9e-41, rel=0.02) and sd == pytest.approx(2.4e-42, rel=0.02)
    assert GEV_MINUS2_IN_CM2 == pytest.approx(0.3893794e-27, rel=1e-6)


@pytest.mark.parametrize("kind", ["vector", "axial"])
def test_round_trip_sigma_to_mediator_and_back(kind: str) -> None:
    m_chi = np.geomspace(1.0, 3000.0, 17)
    mediator = np.geomspace(100.0, 20000.0, 17)
    sigma = sp.cross_section_cm2(kind, 0.1, 1.0, mediator, m_chi)
    back = sp.excluded_mediator_mass(kind, 0.1, 1.0, sigma, m_chi)
    np.testing.assert_allclose(back, mediator, rtol=1e-12)
    np.testing.assert_allclose(sp.cross_section_cm2(kind, 0.1, 1.0, back, m_chi), sigma, rtol=1e-12)


def test_a_limit_ten_times_stronger_reaches_ten_to_the_quarter_higher() -> None:
    m = np.array([100.0])
    ratio = sp.excluded_mediator_mass("vector", 0.1, 1.0, 1e-47, m) / sp.excluded_mediator_mass("vector", 0.1, 1.0, 1e-46, m)
    assert float(ratio[0]) == pytest.approx(10**0.25, rel=1e-12)
    # V2 at m_chi = 100 GeV with sigma_UL = 1e-46 cm^2, by hand:
    mu = 100 * PROTON_MASS_GEV / (100 + PROTON_MASS_GEV)
    by_hand = (9 / np.pi * 0.01 * mu**2 / (1e-46 / 0.3893794e-27)) ** 0.25
    assert float(sp.excluded_mediator_mass("vector", 0.1, 1.0, 1e-46, m)[0]) == pytest.approx(by_hand, rel=1e-6)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="'scalar'"):
        sp.coefficient("scalar")


def test_partial_widths_by_hand() -> None:
    # massless Dirac fermion: Gamma = M g² / (12 pi); a coloured quark gets N_c = 3
    assert float(sp.partial_width(np.array(1000.0), sp.Couplings(1.0, 0.0), 0.0)) == pytest.approx(1000 / (12 * np.pi))
    assert float(sp.partial_width(np.array(1000.0), sp.Couplings(0.0, 1.0), 0.0, 3)) == pytest.approx(3000 / (12 * np.pi))
    # closed below threshold, axial suppressed as beta³ near it
    assert float(sp.partial_width(np.array(300.0), sp.Couplings(0.1, 0.0), 172.7, 3)) == 0.0
    beta = np.sqrt(1 - 4 * 172.7**2 / 400.0**2)
    assert float(sp.partial_width(np.array(400.0), sp.Couplings(0.0, 1.0), 172.7, 3)) == pytest.approx(
        3 * 400.0 * beta**3 / (12 * np.pi))
