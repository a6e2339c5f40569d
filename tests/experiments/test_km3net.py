"""KM3NeT Galactic Centre sensitivity: J-factor, oscillations, sky motion, Feldman-Cousins, IRFs,
and the sensitivity against published figures."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from dmcombine import limitfile
from dmcombine.experiments.km3net import physics as km3net
from dmcombine.indirect import irf
from dmcombine.indirect.galactic import CM_PER_KPC, HaloProfile, jfactor_cone, line_of_sight, ring_jfactors, zenith_track
from dmcombine.indirect.oscillations import averaged_probabilities, probabilities_from_config
from dmcombine.indirect.spectra import read_cosmixs
from dmcombine.provenance import provenance_record
from dmcombine.stats import FCSensitivityTable, fc_average_upper_limit, feldman_cousins_upper_limits

from ..conftest import card_config

REPO = Path(__file__).resolve().parents[2]
IRF = REPO / "data/km3net_irf"
COSMIXS = REPO / "data/spectra/cosmixs"
CONFIG = card_config("km3net_sensitivity", channel="tautau")
THERMAL_RELIC = 2.2e-26  # cm^3/s (Steigman, Dasgupta & Beacom 2012)


# --- J-factor: the line-of-sight integral against a closed form ------------------------------

def test_line_of_sight_matches_the_closed_form_of_a_1_over_r_halo() -> None:
    """rho = rho0 R0 / r to infinity: ∫ rho² dl = rho0² R0 (pi - psi) / sin psi."""
    r0, rho0 = 8.0, 0.5
    psi = np.array([1e-3, 0.01, 0.1, 1.0, 2.5])
    los = line_of_sight(lambda r: rho0 * r0 / r, psi, r0, 1e7)
    assert np.allclose(los, rho0**2 * r0 * (np.pi - psi) / np.sin(psi), rtol=1e-5)


def test_cone_jfactor_matches_the_closed_form_of_a_1_over_r_halo() -> None:
    """J(theta) = 2 pi rho0² R0 (pi theta - theta²/2) for the same halo (kpc → cm)."""

    class OneOverR(HaloProfile):
        def density(self, r_kpc):
            return self.rho_sun_gev_cm3 * self.r_sun_kpc / np.asarray(r_kpc)

    halo = OneOverR("nfw", 1.0, 0.4, 8.5, 1e7)
    for theta in (np.radians(1.0), np.radians(10.0), 0.5):
        exact = 2 * np.pi * 0.4**2 * 8.5 * (np.pi * theta - theta**2 / 2) * CM_PER_KPC
        assert jfactor_cone(halo, theta) == pytest.approx(exact, rel=1e-4)


@pytest.mark.parametrize("name", ["nfw", "einasto", "burkert"])
def test_profiles_are_normalised_to_the_local_density(name: str) -> None:
    halo = HaloProfile(name, 20.0, 0.4, 8.33, 100.0)
    assert halo.density(8.33) == pytest.approx(0.4)
    assert halo.density(1.0) > halo.density(8.33) > halo.density(50.0)


def test_rings_add_up_to_the_cone_and_cuspy_profiles_have_more_j() -> None:
    nfw = HaloProfile("nfw", 24.42, 0.3, 8.33, 100.0)
    burkert = HaloProfile("burkert", 12.67, 0.3, 8.33, 100.0)
    edges = np.radians(np.linspace(0.0, 5.0, 41) ** 1)
    assert ring_jfactors(nfw, edges).sum() == pytest.approx(jfactor_cone(nfw, np.radians(5.0)), rel=2e-3)
    assert jfactor_cone(nfw, np.radians(1.0)) > 10 * jfactor_cone(burkert, np.radians(1.0))


# --- oscillations ------------------------------------------------------------------------

def test_oscillation_probabilities_against_a_hand_computed_case() -> None:
    """theta13 = 0, theta23 = 45°, theta12 = 30° (s² = 1/4, c² = 3/4):
    P(e→e) = c⁴ + s⁴ = 5/8, P(e→mu) = s²c² = 3/16, P(mu→mu) = (s⁴ + c⁴)/4 + 1/4 = 13/32."""
    p = averaged_probabilities(30.0, 0.0, 45.0, 0.0)
    assert p[0, 0] == pytest.approx(5 / 8)
    assert p[0, 1] == pytest.approx(3 / 16)
    assert p[1, 1] == pytest.approx(13 / 32)
    assert p[1, 2] == pytest.approx(1 - 13 / 32 - 3 / 16)


def test_default_oscillations_are_unitary_and_not_democratic() -> None:
    p = probabilities_from_config(CONFIG["oscillations"])
    assert np.allclose(p.sum(axis=0), 1) and np.allclose(p.sum(axis=1), 1) and np.allclose(p, p.T)
    assert abs(p[0, 0] - 1 / 3) > 0.1  # nu_e survival ~0.55 with the NuFIT angles
    assert np.allclose(probabilities_from_config({"mode": "democratic"}), 1 / 3)


# --- the Galactic Centre over a sidereal day -----------------------------------------------

def test_zenith_track_of_the_galactic_centre_at_arca() -> None:
    lat, dec = CONFIG["detector"]["latitude_deg"], CONFIG["detector"]["source_declination_deg"]
    theta = np.degrees(zenith_track(lat, dec, 20000))
    assert theta.min() == pytest.approx(lat - dec, abs=0.01)  # upper culmination
    assert theta.max() == pytest.approx(180 - (lat + dec), abs=0.01)  # lower culmination
    below = 1 - math.acos(-math.tan(math.radians(lat)) * math.tan(math.radians(dec))) / math.pi
    assert np.mean(theta >= 90) == pytest.approx(below, abs=1e-3)  # 0.634 of the day


# --- Feldman-Cousins -----------------------------------------------------------------------

def test_feldman_cousins_upper_limits_match_their_table_iv() -> None:
    """FC 1998, Table IV (90% CL): b = 0, n = 0..5 and n = 0 at b = 0.5, 1."""
    assert feldman_cousins_upper_limits(0.0, 0.9, range(6)) == pytest.approx([2.44, 4.36, 5.91, 7.42, 8.60, 9.99], abs=0.01)
    assert feldman_cousins_upper_limits(0.5, 0.9, [0])[0] == pytest.approx(1.94, abs=0.01)
    assert feldman_cousins_upper_limits(1.0, 0.9, [0])[0] == pytest.approx(1.61, abs=0.01)


@pytest.mark.parametrize(("b", "published"), [(0.0, 2.44), (0.5, 2.86), (1.0, 3.28), (3.0, 4.42), (5.0, 5.18),
                                              (10.0, 6.76), (15.0, 7.99)])
def test_average_upper_limit_matches_feldman_cousins_table_xii(b: float, published: float) -> None:
    assert fc_average_upper_limit(b, 0.9) == pytest.approx(published, rel=0.01)


def test_sensitivity_table_interpolates_within_one_percent() -> None:
    table = FCSensitivityTable(0.9)
    for b in (0.0, 0.02, 0.7, 2.2, 7.5, 33.0, 80.0, 400.0):
        assert table(b) == pytest.approx(fc_average_upper_limit(b, 0.9), rel=0.01)


# --- inputs --------------------------------------------------------------------------------

def test_cosmixs_tables_give_one_neutrino_flavour_per_annihilation() -> None:
    nutau = read_cosmixs((COSMIXS / "AtProduction-Nuta.dat").read_bytes(), "Nuta")
    numu = read_cosmixs((COSMIXS / "AtProduction-Numu.dat").read_bytes(), "Numu")
    assert np.trapezoid(nutau.at_mass("tautau", 1000.0), nutau.log10x) == pytest.approx(1.0, abs=0.05)
    assert np.trapezoid(numu.at_mass("mumu", 100.0), numu.log10x) == pytest.approx(1.0, abs=0.05)
    assert numu.masses_gev[0] == 5 and numu.masses_gev[-1] == 100000


def test_irf_axes_are_read_in_the_documented_order() -> None:
    aeff = irf.read_aeff((IRF / "aeff.fits").read_bytes(), "aeff")
    bkg = irf.read_background((IRF / "bkg_nu.fits").read_bytes(), "bkg")
    edisp = irf.read_edisp((IRF / "edisp.fits").read_bytes(), "edisp")
    assert aeff.area_m2.shape == (12, 48) and bkg.rate_mev_sr_s.shape == (64, 12)
    # up-going tracks below 100 TeV: no area above 75° from the zenith, ~10 m² at 10 TeV below the horizon
    below_100tev = aeff.energy.hi <= 1e5
    ten_tev = aeff.energy.index(np.array([1e4]))[0]
    assert aeff.area_m2[:4, below_100tev].max() < 0.1 and aeff.area_m2[6:, ten_tev].min() > 5
    assert np.all(edisp.probability.sum(axis=1) <= 1 + 1e-9)


# --- the sensitivity -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def irfs() -> km3net.Irfs:
    read = lambda name: (IRF / name).read_bytes()
    return km3net.Irfs(irf.read_aeff(read("aeff.fits"), "aeff"), irf.read_psf(read("psf.fits"), "psf"),
                       irf.read_edisp(read("edisp.fits"), "edisp"), irf.read_background(read("bkg_nu.fits"), "bkg_nu"),
                       irf.read_background(read("bkg_mu.fits"), "bkg_mu"))


@pytest.fixture(scope="module")
def spectra() -> dict:
    return {f: read_cosmixs((COSMIXS / f"AtProduction-{n}.dat").read_bytes(), n)
            for f, n in (("e", "Nuel"), ("mu", "Numu"), ("tau", "Nuta"))}


def _config(**changes: object) -> dict:
    cfg = {**CONFIG, "mass_grid_gev": {"min": 1000, "max": 10000, "points": 2}, "livetimes_yr": [1, 10]}
    cfg.update(changes)
    return cfg


@pytest.fixture(scope="module")
def sensitivities(irfs: km3net.Irfs, spectra: dict) -> dict:
    return {ch: km3net.compute(_config(), irfs, spectra, ch) for ch in ("tautau", "ww", "nunu")}


def test_ten_year_sensitivity_in_the_expected_range(sensitivities: dict) -> None:
    """Full ARCA, 10 yr, NFW (PPPC4DMID, rho_sun = 0.3): a few 1e-24 cm³/s for tau tau and W W at
    1-10 TeV. Published context: Miranda et al. (arXiv:2211.12235) state that an ARCA/ORCA-like
    telescope reaches the thermal-relic cross-section above ~1 TeV with a likelihood analysis of
    the energy and angular shapes (nu nubar channel); a cut-and-count model-rejection-factor
    analysis like ours is weaker, by a factor 10-50 for nu nubar (the README gives the ratios).
    """
    for channel in ("tautau", "ww"):
        limits = [r["limit"] for r in sensitivities[channel]["per_livetime"][10]]
        assert all(1e-25 < x < 3e-23 for x in limits), (channel, limits)
    nunu = [r["limit"] / THERMAL_RELIC for r in sensitivities["nunu"]["per_livetime"][10]]
    assert all(1.0 < ratio < 50.0 for ratio in nunu), nunu


ANTARES_ICECUBE_TAUTAU_200GEV = 7.44e-24  # cm^3/s, 90% CL, NFW (PRD 102, 082002 (2020), abstract)


def test_ten_year_sensitivity_against_the_antares_icecube_galactic_centre_limit(irfs: km3net.Irfs,
                                                                                 spectra: dict) -> None:
    """tau tau at 200 GeV: the combined ANTARES (2101.6 d) + IceCube (1007 d) Galactic Centre limit
    is 7.44e-24 cm³/s for NFW (arXiv:2003.06614). Ours, 10 yr of full ARCA, is 1.44e-23 (ratio
    1.93). Expected in 0.5-5: 200 GeV is near ARCA's threshold (the IRF starts at 100 GeV, so the
    window is E_reco < 316 GeV and the 10° ROI of a broad low-energy PSF); our rho_sun = 0.3 GeV/cm³
    against a common 0.4 alone is a factor 1.8 in J; a cut-and-count loses a factor 2-5 to their
    unbinned likelihood. A factor-2 slip in the flux or J would move the ratio to ~1 or ~4 and is
    caught by the closed-form tests above, not by this band.
    """
    row = km3net.compute(_config(mass_grid_gev={"min": 200, "max": 200, "points": 1}), irfs, spectra,
                         "tautau")["per_livetime"][10][0]
    ratio = row["limit"] / ANTARES_ICECUBE_TAUTAU_200GEV
    assert 0.5 < ratio < 5.0, (row, ratio)


def test_channels_order_as_their_neutrino_yields(sensitivities: dict) -> None:
    """nu nubar (a line) beats tau tau (hard) beats W W (softer) at every mass."""
    for i in range(2):
        lim = {ch: sensitivities[ch]["per_livetime"][10][i]["limit"] for ch in sensitivities}
        assert lim["nunu"] < lim["tautau"] < lim["ww"]


def test_background_dominated_limits_scale_as_one_over_root_livetime(sensitivities: dict) -> None:
    rows = sensitivities["tautau"]["per_livetime"]
    for one, ten in zip(rows[1], rows[10], strict=True):
        assert ten["background"] > 100
        assert one["limit"] / ten["limit"] == pytest.approx(math.sqrt(10), rel=0.15)


def test_sensitivity_scales_inversely_with_the_j_factor(irfs: km3net.Irfs, spectra: dict, sensitivities: dict) -> None:
    """Twice the local density gives four times J, hence a quarter of the limit (same ROI choice)."""
    halo = {**CONFIG["halo"], "rho_sun_gev_cm3": 0.6}
    denser = km3net.compute(_config(halo=halo), irfs, spectra, "tautau")["per_livetime"][10]
    for base, dense in zip(sensitivities["tautau"]["per_livetime"][10], denser, strict=True):
        assert dense["limit"] == pytest.approx(base["limit"] / 4, rel=1e-6)


def test_fixed_window_is_never_better_than_the_optimised_one(irfs: km3net.Irfs, spectra: dict, sensitivities: dict) -> None:
    window = {**CONFIG["window"], "roi_radii_deg": [3.0], "optimise_energy": False}
    fixed = km3net.compute(_config(window=window), irfs, spectra, "tautau")["per_livetime"][10]
    for opt, fix in zip(sensitivities["tautau"]["per_livetime"][10], fixed, strict=True):
        assert fix["roi_deg"] == 3.0 and fix["limit"] >= opt["limit"]


def test_limit_file_is_valid_and_carries_the_asimov_profile(sensitivities: dict) -> None:
    result = sensitivities["tautau"]
    doc = km3net.limit_document(_config(), "tautau", 10, result, provenance_record([], _config(), "test"))
    limitfile.loads(limitfile.dumps(doc), "km3net test")  # schema and consistency checks
    assert doc["result"]["kind"] == "projected" and doc["model"]["assumptions"]["channel"] == "tautau"
    for limit, sigmav, m2 in zip(doc["limit"]["value"], doc["likelihood"]["poi_values"],
                                 doc["likelihood"]["delta_minus2lnl"], strict=True):
        assert m2[0] == 0 and np.all(np.diff(m2) > 0)
        # the Asimov profile crosses 1.64 (90% one-sided) within a factor 2 of the FC sensitivity
        assert 0.5 * limit < np.interp(1.642, m2, sigmav) < 2 * limit
