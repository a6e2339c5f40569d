"""KM3NeT Galactic Centre sensitivity: J-factor, oscillations, sky motion, Feldman-Cousins, IRFs,
and the sensitivity against published figures; first with the km3irf files, then with the
ARCA230 response (the default): its readers, its point-source validation case against the
collaboration's worked example, and its GC sensitivity."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from dmcombine import limitfile
from dmcombine.errors import InputFormatError
from dmcombine.experiments.km3net import arca230, pointsource
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
    lat, dec = CONFIG["detector"]["km3irf"]["latitude_deg"], CONFIG["detector"]["source_declination_deg"]
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
    cfg = {**CONFIG, "mass_grid_gev": {"min": 1000, "max": 10000, "points": 2}, "livetimes_yr": [1, 10],
           "detector": {**CONFIG["detector"], "name": "km3irf"}}
    cfg.update(changes)
    return cfg


def _compute(cfg: dict, irfs: km3net.Irfs, spectra: dict, channel: str) -> dict:
    return km3net.compute(cfg, [km3net.build_response(cfg, irfs)], spectra, channel)


@pytest.fixture(scope="module")
def sensitivities(irfs: km3net.Irfs, spectra: dict) -> dict:
    return {ch: _compute(_config(), irfs, spectra, ch) for ch in ("tautau", "ww", "nunu")}


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
    row = _compute(_config(mass_grid_gev={"min": 200, "max": 200, "points": 1}), irfs, spectra,
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
    denser = _compute(_config(halo=halo), irfs, spectra, "tautau")["per_livetime"][10]
    for base, dense in zip(sensitivities["tautau"]["per_livetime"][10], denser, strict=True):
        assert dense["limit"] == pytest.approx(base["limit"] / 4, rel=1e-6)


def test_fixed_window_is_never_better_than_the_optimised_one(irfs: km3net.Irfs, spectra: dict, sensitivities: dict) -> None:
    window = {**CONFIG["window"], "roi_radii_deg": [3.0], "optimise_energy": False}
    fixed = _compute(_config(window=window), irfs, spectra, "tautau")["per_livetime"][10]
    for opt, fix in zip(sensitivities["tautau"]["per_livetime"][10], fixed, strict=True):
        assert fix["per_selection"]["track"]["roi_deg"] == 3.0 and fix["limit"] >= opt["limit"]


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


# --- ARCA230: the collaboration's response ---------------------------------------------------

ARCA230 = REPO / "data/km3net_arca230"
ARCA230_FILES = {"aeff_track": "aeff_coszen_allnumuCC_track.csv", "psf_track": "psf_numuCC_track.csv",
                 "eresp_track": "energyresponse_numuCC_track.csv", "bkg_track": "bkg_track.csv",
                 "aeff_shower": "aeff_coszen_allnueCC_shower.csv", "psf_shower": "psf_nueCC_shower.csv",
                 "eresp_shower": "energyresponse_nueCC_shower.csv", "bkg_shower": "bkg_shower.csv"}


def _arca_reader(changed: dict[str, bytes] | None = None):
    def read(role: str) -> tuple[bytes, str]:
        name = ARCA230_FILES[role.removeprefix("arca230_")]
        return (changed or {}).get(name, (ARCA230 / name).read_bytes()), name
    return read


@pytest.fixture(scope="module")
def arca() -> dict:
    return {name: arca230.read_selection(name, _arca_reader()) for name in ("track", "shower")}


def test_time_in_cos_zenith_bands_against_the_hour_angle_formula() -> None:
    """The fraction below the horizon is 1 - arccos(-tan φ tan δ)/π; the bands sum to 1 and match a
    fine sampling of the day."""
    lat, dec = arca230.LATITUDE_RAD, np.radians(-29.0078)
    edges = np.linspace(-1, 1, 41)
    f = arca230.band_time_fractions(lat, dec, edges)
    assert f.sum() == pytest.approx(1.0, abs=1e-12) and np.all(f >= 0)
    assert f[:20].sum() == pytest.approx(1 - math.acos(-math.tan(lat) * math.tan(dec)) / math.pi, abs=1e-12)
    sampled = np.histogram(np.cos(zenith_track(math.degrees(lat), math.degrees(dec), 200000)), edges)[0] / 200000
    assert np.allclose(f, sampled, atol=1e-4)
    assert arca230.band_time_fractions(lat, np.radians(60.0), edges)[:20].sum() == 0  # never below the horizon


def test_cone_solid_angle_is_split_over_the_sin_dec_bands() -> None:
    cap = lambda r: 2 * np.pi * (1 - np.cos(r))
    edges = np.linspace(-1, 1, 41)
    inside = arca230.cone_band_solid_angles(np.arcsin(0.475), np.radians(1.0), edges)
    assert inside[29] == pytest.approx(cap(np.radians(1.0)), rel=1e-9) and inside.sum() == pytest.approx(inside[29])
    split = arca230.cone_band_solid_angles(0.0, np.radians(2.0), edges)  # on the edge sin δ = 0: half each
    assert split[19] == pytest.approx(split[20], rel=1e-9) and split.sum() == pytest.approx(cap(np.radians(2.0)), rel=1e-9)


def test_psf_cone_fraction_of_a_flat_cap_and_of_the_release() -> None:
    """A density 1/Ω_a inside a cap of radius a: the fraction within R < a is (1 - cos R)/(1 - cos a)."""
    log_psi = np.linspace(-4, np.log10(180), 4000)
    a = 5.0
    density = np.where(10**log_psi <= a, 1 / (2 * np.pi * (1 - np.cos(np.radians(a)))), 0.0)
    psf = arca230.PointSpread(np.array([2.0, 3.0]), log_psi, density[None, :])
    for r in (0.5, 1.0, 3.0):
        assert arca230.cone_fraction(psf, r)[0] == pytest.approx((1 - np.cos(np.radians(r))) / (1 - np.cos(np.radians(a))), rel=2e-3)
    assert arca230.cone_fraction(psf, 90.0)[0] == pytest.approx(1.0, rel=5e-3)  # the step at a: half a grid bin


def test_energy_response_rows_are_normalised_per_true_energy_bin(arca: dict) -> None:
    raw = np.loadtxt(ARCA230 / ARCA230_FILES["eresp_track"], delimiter=",", skiprows=1)[:, -1].reshape(20, 20)
    assert raw.sum(axis=1).max() * 0.35 > 100  # the release's rows are not probabilities
    rows = arca["track"].eresp.probability.sum(axis=1)
    assert np.allclose(rows[raw.sum(axis=1) > 0], 1.0) and np.all(rows[raw.sum(axis=1) == 0] == 0)


# The collaboration's worked example (KM3NeT/KM3NeT-ARCA-irf, analysis/analysis.ipynb, as printed):
# E^-2, sin δ = 0.475, 1° cone, 1 yr, tracks, 90% CL, PHI0 = 5e-5 GeV^-1 s^-1 m^-2.
WORKED_EXAMPLE = {"signal_events": 5.660006, "signal_events_in_cone": 5.048859, "background_events_in_cone": 5.904394,
                  "classical_mean_upper_limit_events": 4.449393, "flux_norm_limit": 4.46328e-5,
                  "discovery_flux_norm": 8.827e-5}


def test_point_source_case_reproduces_the_collaborations_worked_example(arca: dict) -> None:
    """Each step within 0.3% of the printed figure: the example sums the power law at bin centres
    (ours integrates it: +0.18%), renormalises the PSF (+0.07%), truncates the Poisson sums and
    scans the discovery signal in 0.1-event steps (8.8 for our exact 8.76)."""
    r = pointsource.point_source(arca["track"], 0.475, 2.0, 5e-5, 1.0, 1.0, 0.9)
    for key, published in WORKED_EXAMPLE.items():
        tolerance = 0.006 if key == "discovery_flux_norm" else 0.003
        assert r[key] == pytest.approx(published, rel=tolerance), (key, r[key], published)
    assert r["signal_events_reco"] == pytest.approx(r["signal_events_in_cone"] * 0.987, rel=2e-3)  # 1.3% below 50 GeV
    assert r["discovery_events"] == pytest.approx(8.8, abs=0.1) and r["discovery_critical_events"] == 15
    assert r["mean_upper_limit_events"] == pytest.approx(fc_average_upper_limit(r["background_events_in_cone"], 0.9))


def test_point_source_statistics_by_hand() -> None:
    assert pointsource.classical_mean_upper_limit(0.0, 0.9) == pytest.approx(math.log(10))
    # b = 1: sum_n P(n|1) [½χ²_0.9(2n+2) - 1]
    n = np.arange(40)
    from scipy.stats import chi2, poisson
    assert pointsource.classical_mean_upper_limit(1.0, 0.9) == pytest.approx(
        float(np.sum(poisson.pmf(n, 1.0) * (0.5 * chi2.ppf(0.9, 2 * n + 2) - 1.0))), rel=1e-9)
    assert pointsource.discovery_signal(0.0) == (1, pytest.approx(math.log(2)))  # 1 - e^-s = 1/2
    n_crit, s = pointsource.discovery_signal(5.904394)
    assert poisson.sf(n_crit - 1, 5.904394) <= 0.0026 < poisson.sf(n_crit - 2, 5.904394)
    assert poisson.sf(n_crit - 1, 5.904394 + s) == pytest.approx(0.5, abs=1e-9)


def test_point_source_flux_limit_scales_as_the_spectrum_says(arca: dict) -> None:
    """Twice the livetime: twice the events; the flux limit does not depend on PHI0."""
    one = pointsource.point_source(arca["track"], 0.475, 2.0, 5e-5, 1.0, 1.0, 0.9)
    two = pointsource.point_source(arca["track"], 0.475, 2.0, 1e-4, 2.0, 1.0, 0.9)
    assert two["signal_events"] == pytest.approx(4 * one["signal_events"])
    assert two["background_events_in_cone"] == pytest.approx(2 * one["background_events_in_cone"])
    assert pointsource.point_source(arca["track"], 0.475, 2.0, 1e-4, 1.0, 1.0, 0.9)["flux_norm_limit"] == \
        pytest.approx(one["flux_norm_limit"])


@pytest.mark.parametrize(("args", "message"), [
    (["--sindec", "1.5"], "--sindec: sin(declination) = 1.5 is not in [-1, 1]"),
    (["--cone-deg", "0"], "--cone-deg: 0.0 is not a cone radius"),
    (["--livetime-yr", "0"], "--livetime-yr: 0.0 is not a positive livetime"),
])
def test_point_source_command_prints_json_and_refuses_nonsense(args: list, message: str, monkeypatch) -> None:
    from click.testing import CliRunner

    from dmcombine.cli import main

    monkeypatch.chdir(REPO)
    base = {"--channel": "track", "--sindec": "0.475", "--index": "2", "--norm": "5e-5", "--livetime-yr": "1",
            "--cone-deg": "1", "--cl": "0.9"}
    argv = ["km3net", "point-source", *[x for kv in base.items() for x in kv]]
    ok = CliRunner().invoke(main, argv)
    assert ok.exit_code == 0 and json.loads(ok.output)["background_events_in_cone"] == pytest.approx(5.904394, rel=1e-6)
    bad = dict(base, **dict(zip(args[::2], args[1::2], strict=True)))
    result = CliRunner().invoke(main, ["km3net", "point-source", *[x for kv in bad.items() for x in kv]])
    assert result.exit_code == 1 and message in result.output and "Traceback" not in result.output


def _text(name: str) -> str:
    return (ARCA230 / name).read_text()


def _merge_energy_pairs(text: str) -> str:
    """The effective area re-binned: pairs of true-energy bins merged (averaged)."""
    head, *rows = text.strip().splitlines()
    table = np.array([[float(x) for x in r.split(",")] for r in rows]).reshape(18, 40, 7)
    merged = []
    for i in range(0, 18, 2):
        a, b = table[i], table[i + 1]
        for k in range(40):
            lo, hi = a[k, 0], b[k, 2]
            merged.append([lo, 0.5 * (lo + hi), hi, *a[k, 3:6], 0.5 * (a[k, 6] + b[k, 6])])
    return head + "\n" + "\n".join(",".join(repr(float(x)) for x in r) for r in merged) + "\n"


@pytest.mark.parametrize(("name", "change", "message"), [
    ("aeff_coszen_allnumuCC_track.csv", lambda t: "\n".join(t.splitlines()[:-7]) + "\n", "rows, but its"),
    ("aeff_coszen_allnumuCC_track.csv", _merge_energy_pairs, "are not the effective area's bins in aeff_coszen"),
    ("bkg_track.csv", lambda t: _text("energyresponse_numuCC_track.csv"), "an ARCA230 bkg table has the columns"),
    ("psf_numuCC_track.csv", lambda t: "\n".join(t.splitlines()[:-1500]) + "\n", "do not divide into 18 energy bands"),
    ("psf_numuCC_track.csv", lambda t: t.replace("132.01815370422742", "1320.1815370422742", 1).replace(
        "\n1.700,1.875,2.050,-3.996870799147022,132.01815370558194", "\n1.700,1.875,2.050,-3.996870799147022,132.0", 1),
     None),
    ("energyresponse_numuCC_track.csv", lambda t: t.replace("0.0\n", "-0.5\n", 1), "has a negative value -0.5"),
])
def test_broken_arca230_tables_are_refused_by_name(name: str, change, message: str | None) -> None:
    read = _arca_reader({name: change(_text(name)).encode()})
    if message is None:  # a harmless edit is read
        arca230.read_selection("track", read)
        return
    with pytest.raises(InputFormatError, match=re.escape(message)) as err:
        arca230.read_selection("track", read)
    assert name in str(err.value)  # the changed file is named (with its partner for a binning mismatch)


# --- ARCA230: the Galactic Centre sensitivity ------------------------------------------------

def _arca_config(**changes: object) -> dict:
    cfg = {**CONFIG, "mass_grid_gev": {"min": 1000, "max": 10000, "points": 2}, "livetimes_yr": [1, 10]}
    cfg.update(changes)
    return cfg


@pytest.fixture(scope="module")
def arca_gc(arca: dict, spectra: dict) -> dict:
    cfg = _arca_config()
    responses = [km3net.build_response_arca230(cfg, arca[name]) for name in ("track", "shower")]
    return {ch: km3net.compute(cfg, responses, spectra, ch) for ch in ("tautau", "ww")}


def test_arca230_is_the_default_detector_with_two_selections() -> None:
    assert CONFIG["detector"]["name"] == "arca230" and CONFIG["detector"]["arca230"]["selections"] == ["track", "shower"]


def test_arca230_gc_sensitivity_beats_the_km3irf_files_and_uses_showers_at_high_mass(arca_gc: dict, sensitivities: dict) -> None:
    """10 yr, 1 and 10 TeV: ARCA230 (230 detection units) against the km3irf files: better by
    1.4-2 for tau tau and W W (docs/km3net.md gives the numbers); at 10 TeV the showers' count
    joins the tracks'."""
    for channel in ("tautau", "ww"):
        ours = arca_gc[channel]["per_livetime"][10]
        old = sensitivities[channel]["per_livetime"][10]
        for new, previous in zip(ours, old, strict=True):
            assert 0.3 < new["limit"] / previous["limit"] < 0.9, (channel, new["limit"], previous["limit"])
        assert ours[1]["selections_used"] == ["shower", "track"]
        assert ours[1]["limit"] < ours[1]["per_selection"]["track"]["limit"]


def test_arca230_gc_sensitivity_against_the_antares_icecube_limit(arca: dict, spectra: dict) -> None:
    """tau tau at 200 GeV, 10 yr: 5.4e-24 cm³/s against ANTARES+IceCube's 7.44e-24 (ratio 0.73).
    Expected in 0.3-1.5: ARCA230 is ~30× ANTARES's instrumented volume and sees the GC below the
    horizon 63% of the day, but a cut-and-count and rho_sun = 0.3 (vs their 0.4) cost a factor 2-4."""
    cfg = _arca_config(mass_grid_gev={"min": 200, "max": 200, "points": 1})
    responses = [km3net.build_response_arca230(cfg, arca[name]) for name in ("track", "shower")]
    row = km3net.compute(cfg, responses, spectra, "tautau")["per_livetime"][10][0]
    assert 0.3 < row["limit"] / ANTARES_ICECUBE_TAUTAU_200GEV < 1.5, row["limit"]


def test_arca230_background_in_the_roi_is_the_bands_share(arca: dict) -> None:
    """A 0.5° ROI around the GC lies inside one sin δ band (-0.5 to -0.45; 1° would reach just past
    -0.5): rate × Ω/(2π × 0.05) over the whole reco range."""
    cfg = _arca_config(window={**CONFIG["window"], "roi_radii_deg": [0.5]})
    response = km3net.build_response_arca230(cfg, arca["track"])
    band = int((np.sin(np.radians(-29.0078)) + 1) / 0.05)
    expected = arca["track"].bkg.rate_s[:, band].sum() * 2 * np.pi * (1 - np.cos(np.radians(0.5))) / (2 * np.pi * 0.05)
    assert response.background_per_s.sum() == pytest.approx(expected, rel=1e-9)


def test_arca230_limit_file_records_the_selections(arca_gc: dict) -> None:
    doc = km3net.limit_document(_arca_config(), "ww", 10, arca_gc["ww"], provenance_record([], _arca_config(), "test"))
    limitfile.loads(limitfile.dumps(doc), "km3net test")
    assumptions = doc["model"]["assumptions"]
    assert assumptions["detector"]["name"] == "arca230" and "2402.08363" in assumptions["detector"]["irfs"]
    assert assumptions["per_mass"][1]["selections_used"] == ["shower", "track"]
    assert any(r.get("arxiv") == "2402.08363" for r in doc["references"])
