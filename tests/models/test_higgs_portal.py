"""Higgs-portal translation BR(h -> inv) -> sigma_SI: hand-computed points for both spins and both
constant sets, the exact inverse, the ratio of the two conventions, the EFT scale, and bad inputs.

Every expected number is written out from the module docstring's formulas with literal constants
(nothing read back from the module under test)."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from dmcombine.models.higgs_portal import physics as hp

# every pytest.approx below has abs=0: its default abs=1e-12 would accept any cross-section in cm^2
HBARC2_CM2 = (0.1973269804e-13) ** 2  # (hbar c)^2 [GeV^2 cm^2] = 3.8937937e-28

# Point of the ATLAS observed limit: m_chi = 50 GeV, BR = 0.107 (arXiv:2301.10731).
# default: Gamma_inv = 0.107/0.893 * 4.1e-3 = 4.9126540e-4 GeV; beta = sqrt(1 - 4*50^2/125.2^2) = 0.60170017
GAMMA_DEFAULT = 0.107 / 0.893 * 4.1e-3
BETA_DEFAULT = math.sqrt(1 - 10000 / 125.2**2)
# briefing book: Gamma_inv = 0.107/0.893 * 4.07e-3 = 4.8767077e-4 GeV; beta = sqrt(1 - 10000/125^2) = 0.6
GAMMA_BB = 0.107 / 0.893 * 4.07e-3
BETA_BB = 0.6


def test_constants_are_the_specified_ones() -> None:
    d, b = hp.CONSTANT_SETS["default"], hp.CONSTANT_SETS["briefing_book"]
    assert (d.m_h_gev, d.gamma_sm_gev, d.m_n_gev, d.f_n, d.f_n_uncertainty, d.v_gev) == (125.20, 4.1e-3, 0.939, 0.308, 0.018, 246.22)
    assert (b.m_h_gev, b.gamma_sm_gev, b.m_n_gev, b.f_n, b.v_gev) == (125.0, 4.07e-3, 0.93895, 0.326, 174.0)
    # the Lagrangian's relation with v = 246 GeV, and the notebook's with v = 174 GeV
    assert (d.scalar_prefactor, d.majorana_prefactor) == (8.0, 16.0)
    assert (b.scalar_prefactor, b.majorana_prefactor) == (4.0, 8.0)
    assert hp.GEV2_TO_CM2 == pytest.approx(0.3893794e-27, rel=1e-7, abs=0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.v_gev = 174.0  # type: ignore[misc]


def test_scalar_point_by_hand() -> None:
    # 8 Gamma m_N^4 f_N^2 / (m_h^3 v^2 beta (m + m_N)^2) (hbar c)^2
    expected = 8 * GAMMA_DEFAULT * 0.939**4 * 0.308**2 / (125.2**3 * 246.22**2 * BETA_DEFAULT * 50.939**2) * HBARC2_CM2
    assert expected == pytest.approx(6.0757836e-46, rel=1e-7, abs=0)
    assert float(hp.sigma_si_from_br(50.0, 0.107, "scalar")) == pytest.approx(expected, rel=1e-6, abs=0)


def test_majorana_point_by_hand() -> None:
    # 16 Gamma m_N^4 m^2 f_N^2 / (m_h^5 v^2 beta^3 (m + m_N)^2) (hbar c)^2
    expected = 16 * GAMMA_DEFAULT * 0.939**4 * 2500 * 0.308**2 / (125.2**5 * 246.22**2 * BETA_DEFAULT**3 * 50.939**2) * HBARC2_CM2
    assert expected == pytest.approx(5.3530756e-46, rel=1e-7, abs=0)
    assert float(hp.sigma_si_from_br(50.0, 0.107, "majorana", "default")) == pytest.approx(expected, rel=1e-6, abs=0)


def test_briefing_book_reproduces_its_own_formula() -> None:
    # the notebook: 4 Gamma m_N^4 f_N^2/(m_h^3 v^2 beta (m+m_N)^2) with v = 174 GeV, and 8 ... for Majorana
    scalar = 4 * GAMMA_BB * 0.93895**4 * 0.326**2 / (125.0**3 * 174.0**2 * 0.6 * 50.93895**2) * HBARC2_CM2
    majorana = 8 * GAMMA_BB * 0.93895**4 * 2500 * 0.326**2 / (125.0**5 * 174.0**2 * 0.216 * 50.93895**2) * HBARC2_CM2
    assert scalar == pytest.approx(6.8152997e-46, rel=1e-7, abs=0)
    assert majorana == pytest.approx(6.0580442e-46, rel=1e-7, abs=0)
    bb = hp.CONSTANT_SETS["briefing_book"]
    assert float(hp.sigma_si_from_br(50.0, 0.107, "scalar", bb)) == pytest.approx(scalar, rel=1e-6, abs=0)
    assert float(hp.sigma_si_from_br(50.0, 0.107, "majorana", "briefing_book")) == pytest.approx(majorana, rel=1e-6, abs=0)


def test_default_over_briefing_book_ratio() -> None:
    # same inputs except v: exactly (174/246.22)^2 = 1/2.0024 for both spins
    bb_with_v246 = dataclasses.replace(hp.CONSTANT_SETS["briefing_book"], v_gev=246.22)
    m = np.array([1.0, 10.0, 50.0, 62.0])
    for spin in hp.SPINS:
        ratio = hp.sigma_si_from_br(m, 0.1, spin, bb_with_v246) / hp.sigma_si_from_br(m, 0.1, spin, "briefing_book")
        np.testing.assert_allclose(ratio, (174.0 / 246.22) ** 2, rtol=1e-12)
    # each set's own constants at 50 GeV: the ratio of the hand-computed values above
    scalar = (4.1 / 4.07) * (0.939 / 0.93895) ** 4 * (0.308 / 0.326) ** 2 * (125.0 / 125.2) ** 3 \
        * (174.0 / 246.22) ** 2 * 2 * (0.6 / BETA_DEFAULT) * (50.93895 / 50.939) ** 2
    majorana = scalar * (125.0 / 125.2) ** 2 * (0.6 / BETA_DEFAULT) ** 2
    assert scalar == pytest.approx(0.89149176, rel=1e-6, abs=0)
    assert majorana == pytest.approx(0.88363098, rel=1e-6, abs=0)
    for spin, expected in (("scalar", scalar), ("majorana", majorana)):
        got = hp.sigma_si_from_br(50.0, 0.107, spin) / hp.sigma_si_from_br(50.0, 0.107, spin, "briefing_book")
        assert float(got) == pytest.approx(expected, rel=1e-10, abs=0)


@pytest.mark.parametrize("spin", hp.SPINS)
@pytest.mark.parametrize("constants", sorted(hp.CONSTANT_SETS))
def test_round_trip(spin: str, constants: str) -> None:
    m = np.geomspace(0.5, 62.4, 25)[:, None]
    br = np.array([1e-4, 2.6e-3, 0.038, 0.107, 0.5, 0.9])[None, :]
    sigma = hp.sigma_si_from_br(m, br, spin, constants)
    assert sigma.shape == (25, 6) and np.all(sigma > 0)
    np.testing.assert_allclose(hp.br_from_sigma_si(m, sigma, spin, constants), np.broadcast_to(br, sigma.shape), rtol=1e-12)


def test_monotonic_and_vectorised() -> None:
    m = np.linspace(1.0, 60.0, 7)
    sigma = hp.sigma_si_from_br(m, 0.107, "scalar")
    assert sigma.shape == (7,)
    assert np.all(hp.sigma_si_from_br(m, 0.2, "scalar") > sigma)
    np.testing.assert_allclose([float(hp.sigma_si_from_br(x, 0.107, "scalar")) for x in m], sigma, rtol=1e-14)


def test_masses_at_or_above_half_the_higgs_mass_are_refused() -> None:
    with pytest.raises(ValueError, match=r"62\.6 GeV.*m_h/2 = 62\.6 GeV"):
        hp.sigma_si_from_br(62.6, 0.107, "scalar")
    with pytest.raises(ValueError, match=r"dark-matter mass 63 GeV"):
        hp.sigma_si_from_br(np.array([10.0, 63.0]), 0.107, "majorana")
    with pytest.raises(ValueError, match=r"dark-matter mass 62\.55 GeV.*62\.5 GeV"):  # 62.55 < 125.2/2 but > 125/2
        hp.br_from_sigma_si(62.55, 1e-46, "scalar", "briefing_book")
    with pytest.raises(ValueError, match=r"dark-matter mass 70 GeV"):
        hp.majorana_eft_scale(70.0, 0.107)
    assert np.isfinite(hp.sigma_si_from_br(62.55, 0.107, "scalar"))  # below 125.2/2 for the default set


def test_other_bad_inputs() -> None:
    with pytest.raises(ValueError, match="spin 'dirac'"):
        hp.sigma_si_from_br(50.0, 0.107, "dirac")
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        hp.sigma_si_from_br(50.0, 1.0, "scalar")
    with pytest.raises(ValueError, match="mass 0 GeV"):
        hp.sigma_si_from_br(0.0, 0.107, "scalar")
    with pytest.raises(ValueError, match="non-negative"):
        hp.br_from_sigma_si(50.0, -1e-46, "scalar")
    with pytest.raises(ValueError, match="unknown Higgs-portal constant set 'pdg'"):
        hp.sigma_si_from_br(50.0, 0.107, "scalar", "pdg")


def test_majorana_eft_scale_by_hand() -> None:
    # Lambda/lambda = v sqrt(m_h beta^3 / (64 pi Gamma_inv)): the width of the Lagrangian with v = 246 GeV
    expected = 246.22 * math.sqrt(125.2 * BETA_DEFAULT**3 / (64 * math.pi * GAMMA_DEFAULT))
    assert expected == pytest.approx(4091.4070, rel=1e-7, abs=0)
    assert float(hp.majorana_eft_scale(50.0, 0.107)) == pytest.approx(expected, rel=1e-6, abs=0)
    bb = 174.0 * math.sqrt(125.0 * 0.216 / (32 * math.pi * GAMMA_BB))
    assert float(hp.majorana_eft_scale(50.0, 0.107, "briefing_book")) == pytest.approx(bb, rel=1e-6, abs=0)


@pytest.mark.parametrize("constants", sorted(hp.CONSTANT_SETS))
def test_eft_scale_reproduces_djouadi_cross_section(constants: str) -> None:
    # sigma = (lambda/Lambda)^2 m_N^4 m^2 f_N^2 / (4 pi m_h^4 (m + m_N)^2), independent of v and of P_M
    c = hp.CONSTANT_SETS[constants]
    for prefactor in (8.0, 16.0):
        cc = dataclasses.replace(c, majorana_prefactor=prefactor)
        scale = float(hp.majorana_eft_scale(30.0, 0.05, cc))
        sigma = c.m_n_gev**4 * 900 * c.f_n**2 / (4 * math.pi * scale**2 * c.m_h_gev**4 * (30 + c.m_n_gev) ** 2) * HBARC2_CM2
        assert float(hp.sigma_si_from_br(30.0, 0.05, "majorana", cc)) == pytest.approx(sigma, rel=1e-12, abs=0)
