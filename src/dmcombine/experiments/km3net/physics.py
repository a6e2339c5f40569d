"""KM3NeT/ARCA sensitivity to dark-matter annihilation in the Galactic Centre, from public IRFs.

Two detector descriptions (``detector.name``): ``arca230``, the collaboration's ARCA230 IRFs
(arXiv:2402.08363; :mod:`~dmcombine.experiments.km3net.arca230`) with a track (ν_μ CC) and a
shower (ν_e CC) selection, the default; and ``km3irf``, the GADF files of the km3irf package
(up-going ν_μ tracks). Each selection counts the flavour it selects, after oscillation.

Physics chain (one job per annihilation channel; every livetime shares the response):

1. **Flux at Earth** of ν_β + ν̄_β, β the selection's flavour (Cirelli et al. 2011,
   arXiv:1012.4515, Eq. 5):

       dΦ/dE = ⟨σv⟩ / (8π m² κ) · J(ΔΩ) · Σ_α P(ν_α → ν_β) · 2 dN_α/dE,

   κ = 1 for self-conjugate dark matter (2 otherwise), dN_α/dE from the CosmiXs tables (one
   flavour of neutrino per annihilation; the factor 2 adds the antineutrinos), P averaged over
   the baseline from the mixing angles (:mod:`dmcombine.indirect.oscillations`). For χχ → ν_μν̄_μ
   the line at E = m (one ν_μ and one ν̄_μ at production) is added to the CosmiXs continuum.
2. **Sky motion**: the Galactic Centre's zenith over a sidereal day at the detector latitude.
   km3irf: sampled (:func:`dmcombine.indirect.galactic.zenith_track`), only times with the source
   below ``min_zenith_deg`` (up-going tracks) count, for signal and background alike. arca230: the
   exact fraction of the day in each cos-zenith band weights its effective area; its background
   is the all-day rate per sin δ band (:func:`build_response_arca230`).
3. **Response**: signal events per unit flux normalisation are folded, per zenith sample, from
   the effective area A(E, θ), the energy dispersion (migration to reconstructed-energy bins)
   and the PSF. The source is extended: its J-factor per ring around the GC
   (:func:`dmcombine.indirect.galactic.ring_jfactors`) is convolved with the PSF to give the
   J-weighted fraction reconstructed inside a region of interest (ROI) of radius R; for a ring
   at ψ and a PSF offset ρ, the fraction of the circle of radius ρ inside the ROI is
   arccos[(ρ² + ψ² - R²)/(2ρψ)]/π (flat sky).
4. **Background**: km3irf: atmospheric ν and μ rates of the background IRFs [MeV⁻¹ sr⁻¹ s⁻¹] at
   the ROI's zenith, integrated over the reconstructed-energy window and the ROI solid angle
   2π(1 - cos R); arca230: the rate of each sin δ band [s⁻¹] times the ROI's share of the band.
5. **Statistic**: the sensitivity is the Feldman–Cousins average upper limit s̄₉₀(b) divided by
   the signal per unit ⟨σv⟩ (model rejection factor, Hill & Rawlins 2003), minimised per mass
   over the ROI radii and reconstructed-energy windows of the config for each selection, then
   over the sets of selections whose counts are added (track alone, shower alone, both). The
   selections are two channels of one Poisson likelihood; its Asimov profile for n = b,
   -2ΔlnL(⟨σv⟩) = Σ_c 2[s_c - b_c ln(1 + s_c/b_c)], is stored for combinations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.constants import SECONDS_PER_YEAR
from dmcombine.errors import ConfigError, InputFormatError
from dmcombine.experiments.km3net import arca230
from dmcombine.grids import log_grid
from dmcombine.indirect.galactic import HaloProfile, jfactor_cone, profile_from_config, ring_jfactors, zenith_track
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
    {"citation": "KM3NeT Collaboration, S. Aiello et al., Astronomy potential of KM3NeT/ARCA (the ARCA230 instrument "
                 "response functions, CC BY 4.0, github.com/KM3NeT/KM3NeT-ARCA-irf)", "arxiv": "2402.08363"},
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
    """Everything of one event selection that does not depend on mass or channel."""

    selection: str  # track or shower
    flavour: str  # the neutrino flavour (at Earth) it selects: mu or e
    energy_gev: NDArray[np.float64]  # fine true-energy points
    denergy_gev: NDArray[np.float64]
    reco_edges_gev: NDArray[np.float64]
    radii_deg: NDArray[np.float64]
    signal: NDArray[np.float64]  # [fine E, reco bin, radius]: time-averaged area × J in the ROI [cm² GeV² cm⁻⁵]
    background_per_s: NDArray[np.float64]  # [reco bin, radius], events per second of calendar time
    up_fraction: float
    jfactor_roi: NDArray[np.float64]  # J(< R) [GeV² cm⁻⁵] per radius


def _fine_energies(lo_gev: NDArray[np.float64], hi_gev: NDArray[np.float64]
                   ) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.intp]]:
    """SUBSAMPLES points per true-energy bin, evenly in log E, each with an equal share of the bin's
    width [GeV], and the bin of each point."""
    lo, hi = np.log10(lo_gev), np.log10(hi_gev)
    t = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES
    log_e = (lo[:, None] + (hi - lo)[:, None] * t[None, :]).ravel()
    width = np.repeat((10.0**hi - 10.0**lo) / SUBSAMPLES, SUBSAMPLES)
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


@lru_cache(maxsize=8)
def _halo_jfactors(profile: HaloProfile, radii_deg: tuple[float, ...]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(J per ring between RING_EDGES_DEG, J(< R) per ROI radius) [GeV² cm⁻⁵] of the halo.

    Neither depends on the selection or the mass, so the selections of a job share one
    evaluation (the arrays are read-only)."""
    ring_j = ring_jfactors(profile, np.radians(RING_EDGES_DEG))
    j_roi = np.array([jfactor_cone(profile, np.radians(r)) for r in radii_deg])
    ring_j.flags.writeable = j_roi.flags.writeable = False
    return ring_j, j_roi


def _ring_kernel(rho_deg: NDArray[np.float64], ring_j: NDArray[np.float64], radii_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """J [GeV² cm⁻⁵] reconstructed inside each ROI radius for a PSF offset ρ: [rho, radius],
    Σ_rings J_ring f(ρ, ψ, R) with f = 1 for ρ + ψ ≤ R, 0 for |ρ - ψ| ≥ R, and in between
    arccos[(ρ² + ψ² - R²)/(2ρψ)]/π, evaluated only where the circle crosses the ROI's edge."""
    psi = 0.5 * (RING_EDGES_DEG[1:] + RING_EDGES_DEG[:-1])
    rho, ring, big_r = rho_deg[:, None, None], psi[None, :, None], radii_deg[None, None, :]
    frac = (rho + ring <= big_r).astype(float)  # [rad, ring, radius]
    m, g, k = np.nonzero((rho + ring > big_r) & (np.abs(rho - ring) < big_r))  # there ρ, ψ > 0
    r, p, b = rho_deg[m], psi[g], radii_deg[k]
    frac[m, g, k] = np.arccos(np.clip((r**2 + p**2 - b**2) / (2.0 * r * p), -1.0, 1.0)) / np.pi
    return np.einsum("g,mgk->mk", ring_j, frac)


def _containment(psf: PointSpread, ring_j: NDArray[np.float64], radii_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    """J-weighted signal inside each ROI radius after the PSF: [psf zenith, psf energy, radius] [GeV² cm⁻⁵]."""
    edges = np.radians(psf.rad.lo), np.radians(psf.rad.hi)
    solid = 2.0 * np.pi * (np.cos(edges[0]) - np.cos(edges[1]))
    prob = psf.density_sr * solid[:, None, None]  # [rad, zenith, energy]
    total = prob.sum(axis=0)
    prob = np.where(total > 0, prob / np.where(total > 0, total, 1.0), 0.0)
    return np.einsum("mze,mk->zek", prob, _ring_kernel(psf.rad.centres, ring_j, radii_deg))


def _reco_window(cfg: dict[str, Any], reco_edges: NDArray[np.float64]) -> NDArray[np.bool_]:
    window = cfg["window"]
    keep = (reco_edges[:-1] >= window["e_reco_min_gev"] * (1 - 1e-6)) & (reco_edges[1:] <= window["e_reco_max_gev"] * (1 + 1e-6))
    if not np.any(keep):
        raise ConfigError(f"km3net.window: no reconstructed-energy bin lies in {window['e_reco_min_gev']}-{window['e_reco_max_gev']} GeV")
    return keep


def build_response(cfg: dict[str, Any], irfs: Irfs) -> Response:
    """Time-averaged response of the km3irf detector to the Galactic Centre (independent of mass)."""
    det = {**cfg["detector"]["km3irf"], "source_declination_deg": cfg["detector"]["source_declination_deg"]}
    if not np.allclose(irfs.bkg_nu.energy.lo, irfs.bkg_mu.energy.lo):
        raise InputFormatError("km3net: bkg_nu and bkg_mu have different reconstructed-energy bins")
    theta = zenith_track(det["latitude_deg"], det["source_declination_deg"], det["zenith_samples"])
    up = theta >= np.radians(det["min_zenith_deg"])
    if not np.any(up):
        raise ConfigError(
            f"km3net.detector.km3irf: the source (declination {det['source_declination_deg']}°) never reaches zenith "
            f"{det['min_zenith_deg']}° at latitude {det['latitude_deg']}°"
        )
    energy, width, a_bin = _fine_energies(irfs.aeff.energy.lo, irfs.aeff.energy.hi)
    reco_edges = np.append(irfs.bkg_nu.energy.lo, irfs.bkg_nu.energy.hi[-1])
    keep = _reco_window(cfg, reco_edges)
    radii = np.asarray(cfg["window"]["roi_radii_deg"], dtype=float)
    ring_j, j_roi = _halo_jfactors(profile_from_config(cfg["halo"]), tuple(radii))
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
    kept_edges = np.append(reco_edges[:-1][keep], reco_edges[1:][keep][-1])
    return Response("track", "mu", energy, width, kept_edges, radii, signal,
                    bkg_rate[:, None] * solid[None, :], float(up.mean()), j_roi)


def build_response_arca230(cfg: dict[str, Any], sel: arca230.Selection) -> Response:
    """Response of one ARCA230 selection to the Galactic Centre (independent of mass).

    Effective area averaged over the sidereal day by the time in each cos-zenith band (no
    up-going cut: the selection's own cuts are in its IRFs, and its background table is the
    all-day rate per sin δ band); the energy response maps each true-energy bin onto the reco
    bins; the PSF of the true-energy band folds the J-factor rings into each ROI; the background
    in an ROI is each sin δ band's rate × its share of the band (Ω(ROI ∩ band)/(2π Δsin δ)).
    """
    det = cfg["detector"]
    dec = np.radians(det["source_declination_deg"])
    lat = np.radians(det["arca230"]["latitude_deg"])
    edges = 10.0**sel.aeff.log10_energy_edges
    energy, width, a_bin = _fine_energies(edges[:-1], edges[1:])
    log_e = np.log10(energy)
    area_cm2 = arca230.source_area_m2(sel.aeff, dec, lat)[a_bin] * 1e4
    reco_edges = 10.0**sel.eresp.log10_reco_edges
    keep = _reco_window(cfg, reco_edges)
    row = arca230.band_index(sel.eresp.log10_energy_edges, log_e)
    migration = np.where(row[:, None] >= 0, sel.eresp.probability[np.maximum(row, 0)], 0.0)[:, keep]
    radii = np.asarray(cfg["window"]["roi_radii_deg"], dtype=float)
    ring_j, j_roi = _halo_jfactors(profile_from_config(cfg["halo"]), tuple(radii))
    rho, prob = arca230.psf_rings(sel.psf)
    containment = prob @ _ring_kernel(rho, ring_j, radii)  # [band, radius]
    band = arca230.band_index(sel.psf.log10_energy_edges, log_e)
    contained = np.where(band[:, None] >= 0, containment[np.maximum(band, 0)], 0.0)
    signal = area_cm2[:, None, None] * migration[:, :, None] * contained[:, None, :]
    share = np.array([arca230.cone_band_share(dec, np.radians(r), sel.bkg.sin_dec_edges) for r in radii])  # [radius, band]
    background = sel.bkg.rate_s[keep] @ share.T
    below = float(arca230.band_time_fractions(lat, dec, np.array([-1.0, 0.0, 1.0]))[0])
    kept_edges = np.append(reco_edges[:-1][keep], reco_edges[1:][keep][-1])
    return Response(sel.name, sel.flavour, energy, width, kept_edges, radii, signal, background, below, j_roi)


def read_responses(cfg: dict[str, Any], read: Callable[[str], tuple[bytes, str]]) -> list[Response]:
    """The responses of the configured detector: km3irf (one track selection) or arca230 (its selections)."""
    det = cfg["detector"]
    if det["name"] == "km3irf":
        return [build_response(cfg, read_irfs(read))]
    return [build_response_arca230(cfg, arca230.read_selection(name, read)) for name in det["arca230"]["selections"]]


def neutrino_spectrum(spectra: dict[str, SpectrumTable], probabilities: NDArray[np.float64], channel: str,
                      mass_gev: float, energy_gev: NDArray[np.float64], flavour: str = "mu") -> NDArray[np.float64]:
    """dN/dE [1/GeV] of ν + ν̄ of ``flavour`` at Earth per annihilation (continuum only)."""
    log10x = np.log10(energy_gev / mass_gev)
    dn_dlog10x = np.zeros_like(energy_gev)
    for source, table in spectra.items():
        values = table.at_mass(channel, mass_gev)
        inside = np.interp(log10x, table.log10x, values, left=0.0, right=values[-1])
        dn_dlog10x += probabilities[FLAVOUR_INDEX[source], FLAVOUR_INDEX[flavour]] * np.where(log10x <= 0.0, inside, 0.0)
    return 2.0 * dn_dlog10x / (energy_gev * np.log(10.0))


def line_count(channel: str, probabilities: NDArray[np.float64], flavour: str = "mu") -> float:
    """ν + ν̄ of ``flavour`` at Earth in the line at E = m: χχ → ν_μν̄_μ makes one of each at production."""
    return 2.0 * float(probabilities[FLAVOUR_INDEX["mu"], FLAVOUR_INDEX[flavour]]) if channel == "nunu" else 0.0


def _windows(response: Response, optimise: bool) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    n_reco = response.signal.shape[1]
    if optimise:
        return np.triu_indices(n_reco + 1, k=1)  # windows [lo, hi) of reco bins
    return np.array([0]), np.array([n_reco])


def _window_sums(per_reco: NDArray[np.float64], lo: NDArray[np.intp], hi: NDArray[np.intp]) -> NDArray[np.float64]:
    """Σ over the reco bins [lo, hi) of each window of a [reco bin, radius] table: [window, radius]."""
    cumulative = np.vstack([np.zeros(per_reco.shape[1]), np.cumsum(per_reco, axis=0)])
    return cumulative[hi] - cumulative[lo]


def _signal_rates(response: Response, spectra: dict[str, SpectrumTable], probabilities: NDArray[np.float64], channel: str,
                  mass: float, kappa: float, lo: NDArray[np.intp], hi: NDArray[np.intp]) -> NDArray[np.float64]:
    """Signal per second per unit ⟨σv⟩ [window, radius] (the background, independent of mass, is
    ``_window_sums(response.background_per_s, lo, hi)``)."""
    dn_de = neutrino_spectrum(spectra, probabilities, channel, mass, response.energy_gev, response.flavour)
    per_reco = np.einsum("f,frk->rk", dn_de * response.denergy_gev, response.signal)
    lines = line_count(channel, probabilities, response.flavour)
    if lines and response.energy_gev[0] <= mass <= response.energy_gev[-1]:
        nearest = int(np.argmin(np.abs(np.log(response.energy_gev / mass))))
        per_reco = per_reco + lines * response.signal[nearest]
    # events per second per unit <sigma v> [cm^3/s]: J in GeV^2 cm^-5, area cm^2, dN/dE 1/GeV
    return _window_sums(per_reco / (8.0 * np.pi * mass**2 * kappa), lo, hi)


def _best_window(response: Response, lo: NDArray[np.intp], hi: NDArray[np.intp], s: NDArray[np.float64],
                 b: NDArray[np.float64], fc_b: NDArray[np.float64]) -> dict[str, float]:
    """The window and ROI of least model rejection factor FC(b)/s for one selection (``fc_b`` =
    FC(b), the same at every mass)."""
    mrf = np.where(s > 0, fc_b / np.where(s > 0, s, 1.0), np.inf)
    w, k = np.unravel_index(int(np.argmin(mrf)), mrf.shape)
    return {"limit": float(mrf[w, k]), "signal_per_sigmav": float(s[w, k]), "background": float(b[w, k]),
            "e_reco_min_gev": float(response.reco_edges_gev[lo[w]]), "e_reco_max_gev": float(response.reco_edges_gev[hi[w]]),
            "roi_deg": float(response.radii_deg[k]), "jfactor_roi": float(response.jfactor_roi[k])}


def _combined(per_selection: dict[str, dict[str, float]], fc: FCSensitivityTable) -> dict[str, Any]:
    """The least MRF over the non-empty sets of selections, each in its own best window: the
    FC average upper limit on the summed count over the summed signal."""
    best: dict[str, Any] = {"limit": np.inf}
    names = sorted(per_selection)
    for mask in range(1, 2 ** len(names)):
        used = [n for i, n in enumerate(names) if mask >> i & 1]
        s = sum(per_selection[n]["signal_per_sigmav"] for n in used)
        b = sum(per_selection[n]["background"] for n in used)
        limit = float(fc(b)) / s if s > 0 else np.inf
        if limit < best["limit"] * (1.0 - 1e-12):
            best = {"limit": limit, "signal_per_sigmav": s, "background": b, "selections_used": used}
    return best


def compute(cfg: dict[str, Any], responses: list[Response], spectra: dict[str, SpectrumTable], channel: str) -> dict[str, Any]:
    """Sensitivity on ⟨σv⟩ per mass for every configured livetime.

    Per selection, the ROI radius and reconstructed-energy window of least MRF; then the set of
    selections whose summed count gives the least MRF (one selection: its own). The track and
    shower counts are two channels of one Poisson likelihood, whose Asimov profile is stored.
    """
    missing = sorted(set(FLAVOURS) - set(spectra))
    if missing:
        raise ConfigError(f"km3net.inputs: spectra for flavours {missing} are missing")
    probabilities = probabilities_from_config(cfg["oscillations"])
    masses = log_grid(cfg["mass_grid_gev"], "km3net.mass_grid_gev")
    kappa = 1.0 if cfg["self_conjugate"] else 2.0
    fc = FCSensitivityTable(cfg["confidence_level"])
    optimise = cfg["window"].get("optimise_energy", True)
    windows = {r.selection: _windows(r, optimise) for r in responses}
    background = {r.selection: _window_sums(r.background_per_s, *windows[r.selection]) for r in responses}
    per_mass = [{r.selection: _signal_rates(r, spectra, probabilities, channel, float(m), kappa, *windows[r.selection])
                 for r in responses} for m in masses]
    results = {}
    for years in cfg["livetimes_yr"]:
        seconds = years * SECONDS_PER_YEAR
        counts = {name: b * seconds for name, b in background.items()}
        fc_counts = {name: fc(b) for name, b in counts.items()}  # per livetime, not per mass
        rows = []
        for signal in per_mass:
            chosen = {r.selection: _best_window(r, *windows[r.selection], signal[r.selection] * seconds,
                                                counts[r.selection], fc_counts[r.selection]) for r in responses}
            rows.append({**_combined(chosen, fc), "per_selection": chosen})
        results[years] = rows
    sensitive = np.array([np.isfinite(r["limit"]) for r in results[cfg["livetimes_yr"][0]]])
    if not np.any(sensitive):
        raise ConfigError(f"km3net: channel {channel} gives no signal inside any window at any mass of the grid")
    results = {y: [r for r, ok in zip(rows, sensitive, strict=True) if ok] for y, rows in results.items()}
    return {"mass_gev": masses[sensitive], "masses_without_sensitivity_gev": masses[~sensitive], "per_livetime": results,
            "up_fraction": {r.selection: r.up_fraction for r in responses}, "fc_at_zero_background": fc.at_zero,
            "probabilities": probabilities}


def asimov_profile(row: dict[str, Any], points: int = 41) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """-2ΔlnL(⟨σv⟩) for n = b in each selection used: Σ_c 2[s_c - b_c ln(1 + s_c/b_c)], s_c = ⟨σv⟩ × its
    signal per unit ⟨σv⟩."""
    sigmav = np.linspace(0.0, 5.0 * row["limit"], points)
    total = np.zeros_like(sigmav)
    for name in row["selections_used"]:
        sel = row["per_selection"][name]
        s, b = sigmav * sel["signal_per_sigmav"], max(sel["background"], 1e-12)
        total += 2.0 * (s - b * np.log1p(s / b))
    return sigmav, total


# per selection in the limit file; a selection without signal at a mass has limit null
PER_SELECTION_KEYS = ("roi_deg", "e_reco_min_gev", "e_reco_max_gev", "signal_per_sigmav", "background", "jfactor_roi", "limit")


def limit_document(cfg: dict[str, Any], channel: str, years: float, result: dict[str, Any],
                   provenance: dict[str, Any]) -> dict[str, Any]:
    """The standard limit file of one (channel, livetime)."""
    rows = result["per_livetime"][years]
    profiles = [asimov_profile(r) for r in rows]
    description = (
        "Feldman-Cousins average upper limit (90% CL unless configured) on the signal count over the expected "
        "background, divided by the signal per unit <sigma v>, minimised per mass over ROI radius and "
        "reconstructed-energy window of each selection and over the sets of selections counted together "
        "(model rejection factor); likelihood: Asimov (n = b) Poisson profile of the selections used"
    )
    halo = cfg["halo"]
    det = cfg["detector"]
    detector = {"name": det["name"], "source_declination_deg": det["source_declination_deg"], **det[det["name"]]}
    if det["name"] == "arca230":
        detector["irfs"] = "KM3NeT/ARCA230 instrument response functions (arXiv:2402.08363), CC BY 4.0"
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
                "p_to_flavour_from_e_mu_tau": {f: result["probabilities"][:, FLAVOUR_INDEX[f]] for f in ("e", "mu")},
                "detector": detector,
                "fraction_of_time_below_horizon": result["up_fraction"],
                "masses_without_sensitivity_gev": result["masses_without_sensitivity_gev"],
                "window_search": cfg["window"],
                "per_mass": [{"mass_gev": float(m), "signal_per_sigmav": r["signal_per_sigmav"], "background": r["background"],
                              "selections_used": r["selections_used"],
                              "per_selection": {n: {k: (v[k] if np.isfinite(v[k]) else None) for k in PER_SELECTION_KEYS}
                                                for n, v in sorted(r["per_selection"].items())}}
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
