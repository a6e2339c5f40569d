"""KM3NeT/ARCA sensitivity to dark-matter annihilation in the Galactic Centre, from the public IRFs.

Physics chain (one job per annihilation channel; every livetime shares the response):

1. **Flux at Earth** of ν_μ + ν̄_μ (Cirelli et al. 2011, arXiv:1012.4515, Eq. 5):

       dΦ/dE = ⟨σv⟩ / (8π m² κ) · J(ΔΩ) · Σ_α P(ν_α → ν_μ) · 2 dN_α/dE,

   κ = 1 for self-conjugate dark matter (2 otherwise), dN_α/dE from the CosmiXs tables (one
   flavour of neutrino per annihilation; the factor 2 adds the antineutrinos), P averaged over
   the baseline from the mixing angles (:mod:`dmcombine.indirect.oscillations`). For χχ → ν_μν̄_μ
   the line at E = m (one ν_μ and one ν̄_μ at production) is added to the CosmiXs continuum.
2. **Sky motion**: the Galactic Centre's zenith over a sidereal day at the detector latitude
   (:func:`dmcombine.indirect.galactic.zenith_track`); only times with the source below
   ``min_zenith_deg`` (up-going tracks) count, for signal and background alike.
3. **Response**: signal events per unit flux normalisation are folded, per zenith sample, from
   the effective area A(E, θ), the energy dispersion (migration to reconstructed-energy bins)
   and the PSF. The source is extended: its J-factor per ring around the GC
   (:func:`dmcombine.indirect.galactic.ring_jfactors`) is convolved with the PSF to give the
   J-weighted fraction reconstructed inside a region of interest (ROI) of radius R; for a ring
   at ψ and a PSF offset ρ, the fraction of the circle of radius ρ inside the ROI is
   arccos[(ρ² + ψ² - R²)/(2ρψ)]/π (flat sky).
4. **Background**: atmospheric ν and μ rates of the background IRFs [MeV⁻¹ sr⁻¹ s⁻¹] at the
   ROI's zenith, integrated over the reconstructed-energy window and the ROI solid angle
   2π(1 - cos R).
5. **Statistic**: the sensitivity is the Feldman–Cousins average upper limit s̄₉₀(b) divided by
   the signal per unit ⟨σv⟩ (model rejection factor, Hill & Rawlins 2003), minimised per mass
   over the ROI radii and reconstructed-energy windows of the config. The Asimov profile for
   n = b, -2ΔlnL(⟨σv⟩) = 2[s - b ln(1 + s/b)], is stored for combinations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.constants import SECONDS_PER_YEAR
from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.grids import log_grid
from dmcombine.indirect.galactic import jfactor_cone, profile_from_config, ring_jfactors, zenith_track
from dmcombine.indirect.irf import (
    Background,
    EffectiveArea,
    EnergyDispersion,
    PointSpread,
    read_aeff,
    read_background,
    read_edisp,
    read_psf,
)
from dmcombine.indirect.oscillations import FLAVOURS, probabilities_from_config
from dmcombine.indirect.spectra import SpectrumTable, read_cosmixs
from dmcombine.limitfile import header
from dmcombine.stats import FCSensitivityTable

EXPERIMENT = "KM3NeT/ARCA"
ANALYSIS = "Galactic Centre dark-matter annihilation sensitivity from the public instrument response functions"
REFERENCES = [
    {"citation": "KM3NeT Collaboration, S. Adrián-Martínez et al., J. Phys. G 43 (2016) 084001 (Letter of Intent)",
     "arxiv": "1601.07459", "doi": "10.1088/0954-3899/43/8/084001"},
    {"citation": "KM3NeT Collaboration, km3irf instrument response functions (BSD-3-Clause), https://pypi.org/project/km3irf/"},
    {"citation": "C. Arina et al., JCAP 03 (2024) 035 (CosmiXs neutrino spectra)", "arxiv": "2312.01153",
     "doi": "10.1088/1475-7516/2024/03/035"},
    {"citation": "G. J. Feldman and R. D. Cousins, Phys. Rev. D 57 (1998) 3873", "arxiv": "physics/9711021",
     "doi": "10.1103/PhysRevD.57.3873"},
    {"citation": "ANTARES Collaboration, A. Albert et al., Phys. Lett. B 805 (2020) 135439 (method)",
     "arxiv": "1912.05296", "doi": "10.1016/j.physletb.2020.135439"},
    {"citation": "ANTARES and IceCube Collaborations, A. Albert et al., Phys. Rev. D 102 (2020) 082002 (comparison: "
                 "7.44e-24 cm^3/s for tau tau at 200 GeV, NFW)", "arxiv": "2003.06614", "doi": "10.1103/PhysRevD.102.082002"},
]
SUBSAMPLES = 8  # true-energy points per effective-area bin
MIGRA_SUBSAMPLES = 4  # points per migration bin
RING_EDGES_DEG = 30.0 * np.linspace(0.0, 1.0, 121) ** 2  # rings around the GC for the PSF folding
FLAVOUR_INDEX = {f: i for i, f in enumerate(FLAVOURS)}


@dataclass(frozen=True)
class Irfs:
    aeff: EffectiveArea
    psf: PointSpread
    edisp: EnergyDispersion
    bkg_nu: Background
    bkg_mu: Background


def read_irfs(read: Callable[[str], tuple[bytes, str]]) -> Irfs:
    """The five IRFs, each read by ``read(role)`` -> (bytes, source): aeff, psf, edisp, bkg_nu, bkg_mu."""
    return Irfs(read_aeff(*read("aeff")), read_psf(*read("psf")), read_edisp(*read("edisp")),
                read_background(*read("bkg_nu")), read_background(*read("bkg_mu")))


def read_spectra(read: Callable[[str], tuple[bytes, str]]) -> dict[str, SpectrumTable]:
    """The CosmiXs spectra at production of the three flavours (roles spectra_nue, _numu, _nutau)."""
    return {flavour: read_cosmixs(*read(f"spectra_nu{key}")) for flavour, key in (("e", "e"), ("mu", "mu"), ("tau", "tau"))}


@dataclass(frozen=True)
class Response:
    """Everything that does not depend on mass or channel."""

    energy_gev: NDArray[np.float64]  # fine true-energy points
    denergy_gev: NDArray[np.float64]
    reco_edges_gev: NDArray[np.float64]
    radii_deg: NDArray[np.float64]
    signal: NDArray[np.float64]  # [fine E, reco bin, radius]: time-averaged area × J in the ROI [cm² GeV² cm⁻⁵]
    background_per_s: NDArray[np.float64]  # [reco bin, radius], events per second of calendar time
    up_fraction: float
    jfactor_roi: NDArray[np.float64]  # J(< R) [GeV² cm⁻⁵] per radius


def _fine_energies(aeff: EffectiveArea) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    lo, hi = np.log10(aeff.energy.lo), np.log10(aeff.energy.hi)
    t = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES
    log_e = (lo[:, None] + (hi - lo)[:, None] * t[None, :]).ravel()
    width = np.repeat((10.0**hi - 10.0**lo) / SUBSAMPLES, SUBSAMPLES)  # equal shares of each bin
    return 10.0**log_e, width, np.repeat(np.arange(len(lo)), SUBSAMPLES)


def _migration(edisp: EnergyDispersion, energy: NDArray[np.float64], reco_edges: NDArray[np.float64]) -> NDArray[np.float64]:
    """P(reco bin | E_true) per edisp zenith bin: [zenith, fine E, reco bin]."""
    e_bin = edisp.energy.index(energy)
    lo, hi = np.log10(edisp.migra.lo), np.log10(edisp.migra.hi)
    t = (np.arange(MIGRA_SUBSAMPLES) + 0.5) / MIGRA_SUBSAMPLES
    log_mu = lo[:, None] + (hi - lo)[:, None] * t[None, :]  # [migra, sub]
    reco = np.log10(energy)[:, None, None] + log_mu[None, :, :]  # [E, migra, sub]
    r_bin = np.searchsorted(np.log10(reco_edges), reco, side="right") - 1
    inside = (r_bin >= 0) & (r_bin < len(reco_edges) - 1)
    out = np.zeros((len(edisp.zenith.lo), len(energy), len(reco_edges) - 1))
    rows = np.broadcast_to(np.arange(len(energy))[:, None, None], r_bin.shape)
    for z in range(len(edisp.zenith.lo)):
        prob = edisp.probability[z][:, e_bin].T[:, :, None] / MIGRA_SUBSAMPLES  # [E, migra, 1]
        weight = np.broadcast_to(prob, r_bin.shape)
        np.add.at(out[z], (rows[inside], r_bin[inside]), weight[inside])
    return out


def _containment(psf: PointSpread, ring_j: NDArray[np.float64], radii_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """J-weighted signal inside each ROI radius after the PSF: [psf zenith, psf energy, radius] [GeV² cm⁻⁵]."""
    edges = np.radians(psf.rad.lo), np.radians(psf.rad.hi)
    solid = 2.0 * np.pi * (np.cos(edges[0]) - np.cos(edges[1]))
    prob = psf.density_sr * solid[:, None, None]  # [rad, zenith, energy]
    total = prob.sum(axis=0)
    prob = np.where(total > 0, prob / np.where(total > 0, total, 1.0), 0.0)
    rho = psf.rad.centres[:, None, None]  # [rad, 1, 1] deg
    psi = (0.5 * (RING_EDGES_DEG[1:] + RING_EDGES_DEG[:-1]))[None, :, None]  # [1, ring, 1]
    big_r = radii_deg[None, None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        cos_arg = (rho**2 + psi**2 - big_r**2) / (2.0 * rho * psi)
    frac = np.where(rho + psi <= big_r, 1.0, np.where(np.abs(rho - psi) >= big_r, 0.0,  # [rad, ring, radius]
                                                       np.arccos(np.clip(cos_arg, -1.0, 1.0)) / np.pi))
    kernel = np.einsum("g,mgk->mk", ring_j, frac)  # J inside each radius for a PSF offset rho
    return np.einsum("mze,mk->zek", prob, kernel)


def build_response(cfg: dict[str, Any], irfs: Irfs) -> Response:
    """Time-averaged response of the detector to the Galactic Centre (independent of mass)."""
    det = cfg["detector"]
    if not np.allclose(irfs.bkg_nu.energy.lo, irfs.bkg_mu.energy.lo):
        raise InputFormatError("km3net: bkg_nu and bkg_mu have different reconstructed-energy bins")
    theta = zenith_track(det["latitude_deg"], det["source_declination_deg"], det["zenith_samples"])
    up = theta >= np.radians(det["min_zenith_deg"])
    if not np.any(up):
        raise ConfigError(
            f"km3net.detector: the source (declination {det['source_declination_deg']}°) never reaches zenith "
            f"{det['min_zenith_deg']}° at latitude {det['latitude_deg']}°"
        )
    energy, width, a_bin = _fine_energies(irfs.aeff)
    reco_edges = np.append(irfs.bkg_nu.energy.lo, irfs.bkg_nu.energy.hi[-1])
    window = cfg["window"]
    keep = (reco_edges[:-1] >= window["e_reco_min_gev"] * (1 - 1e-6)) & (reco_edges[1:] <= window["e_reco_max_gev"] * (1 + 1e-6))
    if not np.any(keep):
        raise ConfigError(f"km3net.window: no reconstructed-energy bin lies in {window['e_reco_min_gev']}-{window['e_reco_max_gev']} GeV")
    radii = np.asarray(window["roi_radii_deg"], dtype=float)
    profile = profile_from_config(cfg["halo"])
    ring_j = ring_jfactors(profile, np.radians(RING_EDGES_DEG))
    migration = _migration(irfs.edisp, energy, reco_edges)[:, :, keep]
    containment = _containment(irfs.psf, ring_j, radii)
    psf_e = irfs.psf.energy.index(energy)
    keys = np.stack([irfs.aeff.zenith.index(theta), irfs.edisp.zenith.index(theta), irfs.psf.zenith.index(theta),
                     irfs.bkg_nu.zenith.index(theta), irfs.bkg_mu.zenith.index(theta)], axis=1)[up]
    combos, counts = np.unique(keys, axis=0, return_counts=True)
    n_reco = int(keep.sum())
    signal = np.zeros((len(energy), n_reco, len(radii)))
    bkg_rate = np.zeros(n_reco)
    reco_width_mev = np.diff(reco_edges)[keep] * 1e3
    for (ia, ied, ips, ibn, ibm), count in zip(combos, counts, strict=True):
        weight = count / len(theta)  # fraction of the sidereal day
        area_cm2 = irfs.aeff.area_m2[ia, a_bin] * 1e4
        signal += weight * area_cm2[:, None, None] * migration[ied][:, :, None] * containment[ips, psf_e][:, None, :]
        rate = irfs.bkg_nu.rate_mev_sr_s[:, ibn] + irfs.bkg_mu.rate_mev_sr_s[:, ibm]
        bkg_rate += weight * rate[keep] * reco_width_mev
    solid = 2.0 * np.pi * (1.0 - np.cos(np.radians(radii)))
    j_roi = np.array([jfactor_cone(profile, np.radians(r)) for r in radii])
    kept_edges = np.append(reco_edges[:-1][keep], reco_edges[1:][keep][-1])
    return Response(energy, width, kept_edges, radii, signal,
                    bkg_rate[:, None] * solid[None, :], float(up.mean()), j_roi)


def neutrino_spectrum(spectra: dict[str, SpectrumTable], probabilities: NDArray[np.float64], channel: str,
                      mass_gev: float, energy_gev: NDArray[np.float64]) -> NDArray[np.float64]:
    """dN/dE [1/GeV] of ν_μ + ν̄_μ at Earth per annihilation (continuum only)."""
    log10x = np.log10(energy_gev / mass_gev)
    dn_dlog10x = np.zeros_like(energy_gev)
    for flavour, table in spectra.items():
        values = table.at_mass(channel, mass_gev)
        inside = np.interp(log10x, table.log10x, values, left=0.0, right=values[-1])
        dn_dlog10x += probabilities[FLAVOUR_INDEX[flavour], FLAVOUR_INDEX["mu"]] * np.where(log10x <= 0.0, inside, 0.0)
    return 2.0 * dn_dlog10x / (energy_gev * np.log(10.0))


def line_count(channel: str, probabilities: NDArray[np.float64]) -> float:
    """ν_μ + ν̄_μ at Earth in the line at E = m: χχ → ν_μν̄_μ makes one of each at production."""
    return 2.0 * float(probabilities[FLAVOUR_INDEX["mu"], FLAVOUR_INDEX["mu"]]) if channel == "nunu" else 0.0


def compute(cfg: dict[str, Any], irfs: Irfs, spectra: dict[str, SpectrumTable], channel: str) -> dict[str, Any]:
    """Sensitivity on ⟨σv⟩ per mass for every configured livetime."""
    missing = sorted(set(FLAVOURS) - set(spectra))
    if missing:
        raise ConfigError(f"km3net.inputs: spectra for flavours {missing} are missing")
    response = build_response(cfg, irfs)
    probabilities = probabilities_from_config(cfg["oscillations"])
    masses = log_grid(cfg["mass_grid_gev"], "km3net.mass_grid_gev")
    kappa = 1.0 if cfg["self_conjugate"] else 2.0
    fc = FCSensitivityTable(cfg["confidence_level"])
    n_reco = response.signal.shape[1]
    if cfg["window"].get("optimise_energy", True):
        lo_idx, hi_idx = np.triu_indices(n_reco + 1, k=1)  # windows [lo, hi) of reco bins
    else:
        lo_idx, hi_idx = np.array([0]), np.array([n_reco])
    bkg_cum = np.vstack([np.zeros(len(response.radii_deg)), np.cumsum(response.background_per_s, axis=0)])
    per_mass = []
    for mass in masses:
        dn_de = neutrino_spectrum(spectra, probabilities, channel, float(mass), response.energy_gev)
        weights = dn_de * response.denergy_gev
        per_reco = np.einsum("f,frk->rk", weights, response.signal)
        lines = line_count(channel, probabilities)
        if lines:
            nearest = int(np.argmin(np.abs(np.log(response.energy_gev / mass))))
            per_reco = per_reco + lines * response.signal[nearest]
        # events per second per unit <sigma v> [cm^3/s]: J in GeV^2 cm^-5, area cm^2, dN/dE 1/GeV
        per_reco = per_reco / (8.0 * np.pi * mass**2 * kappa)
        sig_cum = np.vstack([np.zeros(len(response.radii_deg)), np.cumsum(per_reco, axis=0)])
        per_mass.append((sig_cum[hi_idx] - sig_cum[lo_idx], bkg_cum[hi_idx] - bkg_cum[lo_idx]))
    results = {}
    for years in cfg["livetimes_yr"]:
        seconds = years * SECONDS_PER_YEAR
        rows = []
        for signal_rate, bkg_rate in per_mass:
            s, b = signal_rate * seconds, bkg_rate * seconds
            mrf = np.where(s > 0, fc(b) / np.where(s > 0, s, 1.0), np.inf)
            w, k = np.unravel_index(int(np.argmin(mrf)), mrf.shape)
            rows.append({"limit": float(mrf[w, k]), "signal_per_sigmav": float(s[w, k]), "background": float(b[w, k]),
                         "e_reco_min_gev": float(response.reco_edges_gev[lo_idx[w]]),
                         "e_reco_max_gev": float(response.reco_edges_gev[hi_idx[w]]),
                         "roi_deg": float(response.radii_deg[k]), "jfactor_roi": float(response.jfactor_roi[k])})
        results[years] = rows
    sensitive = np.array([np.isfinite(r["limit"]) for r in results[cfg["livetimes_yr"][0]]])
    if not np.any(sensitive):
        raise ConfigError(f"km3net: channel {channel} gives no signal inside any window at any mass of the grid")
    results = {y: [r for r, ok in zip(rows, sensitive, strict=True) if ok] for y, rows in results.items()}
    return {"mass_gev": masses[sensitive], "masses_without_sensitivity_gev": masses[~sensitive], "per_livetime": results, "up_fraction": response.up_fraction,
            "fc_at_zero_background": fc.at_zero, "probabilities": probabilities}


def asimov_profile(row: dict[str, float], points: int = 41) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """-2ΔlnL(⟨σv⟩) for n = b: 2[s - b ln(1 + s/b)], s = ⟨σv⟩ × signal per unit ⟨σv⟩."""
    sigmav = np.linspace(0.0, 5.0 * row["limit"], points)
    s, b = sigmav * row["signal_per_sigmav"], max(row["background"], 1e-12)
    return sigmav, 2.0 * (s - b * np.log1p(s / b))


def limit_document(cfg: dict[str, Any], channel: str, years: float, result: dict[str, Any],
                   provenance: dict[str, Any]) -> dict[str, Any]:
    """The standard limit file of one (channel, livetime)."""
    rows = result["per_livetime"][years]
    profiles = [asimov_profile(r) for r in rows]
    description = (
        "Feldman-Cousins average upper limit (90% CL unless configured) on the signal count over the expected "
        "background, divided by the signal per unit <sigma v>, minimised per mass over ROI radius and "
        "reconstructed-energy window (model rejection factor); likelihood: Asimov (n = b) Poisson profile"
    )
    halo = cfg["halo"]
    return {
        **header(EXPERIMENT, ANALYSIS, REFERENCES, "projected", cfg["confidence_level"], "feldman_cousins_mrf", description),
        "model": {
            "name": "WIMP annihilation",
            "variant": f"{years:g}yr",
            "assumptions": {
                "channel": channel,
                "self_conjugate": cfg["self_conjugate"],
                "livetime_yr": years,
                "spectra": "CosmiXs neutrino spectra at production (Arina et al. 2024)"
                + ("; line at E = m added" if channel == "nunu" else ""),
                "halo": {"profile": halo["profile"], **halo["profiles"][halo["profile"]],
                         "rho_sun_gev_cm3": halo["rho_sun_gev_cm3"], "r_sun_kpc": halo["r_sun_kpc"],
                         "halo_radius_kpc": halo["halo_radius_kpc"]},
                "oscillations": cfg["oscillations"],
                "p_to_numu_from_e_mu_tau": result["probabilities"][:, FLAVOUR_INDEX["mu"]],
                "detector": cfg["detector"],
                "fraction_of_time_up_going": result["up_fraction"],
                "masses_without_sensitivity_gev": result["masses_without_sensitivity_gev"],
                "window_search": cfg["window"],
                "per_mass": [{"mass_gev": float(m), **{k: r[k] for k in ("roi_deg", "e_reco_min_gev", "e_reco_max_gev",
                                                                          "signal_per_sigmav", "background", "jfactor_roi")}}
                             for m, r in zip(result["mass_gev"], rows, strict=True)],
            },
        },
        "parameter_of_interest": {"name": "sigmav", "unit": "cm^3/s", "label": "velocity-averaged annihilation cross-section"},
        "x": {"name": "mass", "unit": "GeV", "label": "dark-matter mass"},
        "limit": {"x": result["mass_gev"], "value": np.array([r["limit"] for r in rows])},
        "likelihood": {"type": "profile_table", "poi_values": [p for p, _ in profiles],
                       "delta_minus2lnl": [v for _, v in profiles]},
        "provenance": provenance,
    }

