"""The standard validation case of a neutrino-telescope IRF release: a point-source cut-and-count.

For a source at declination δ with the ν + ν̄ flux of the selection's flavour
Φ(E) = Φ₀ (E/GeV)^-γ [GeV⁻¹ s⁻¹ m⁻²], observed for T seconds with a search cone of radius C:

1. ``signal_events`` = T Σ_i Ā_i ∫_bin i Φ dE: Ā_i the effective area of true-energy bin i
   averaged over the sidereal day (:func:`~dmcombine.experiments.km3net.arca230.source_area_m2`),
   the power law integrated exactly over the bin.
2. ``signal_events_in_cone`` = Σ_i n_i F_i(C), F_i the PSF fraction within C of the band of bin i.
3. ``signal_events_reco`` = Σ_i n_i F_i(C) Σ_r P(r | i) o_r: the events in the cone whose
   reconstructed energy falls in the effective area's energy range (o_r the fraction of reco bin r
   inside it, in log E), as the collaboration's worked example bins reconstructed events on its
   event table's bins (10^1.7-10^8 GeV for ARCA230: about 1.3% of an E⁻² signal is reconstructed
   below 50 GeV). The energy response is normalised per true-energy bin (see
   :mod:`~dmcombine.experiments.km3net.arca230`). No other energy cut, for signal or background.
4. ``background_events_in_cone`` = T Σ_bands R_band Ω(cone ∩ band)/(2π Δsin δ), summed over the
   reconstructed energies.
5. Limits on the signal count for that background b at confidence level CL:
   ``mean_upper_limit_events``, the Feldman–Cousins average upper limit Σ_n P(n|b) s_FC(n, b)
   (Feldman & Cousins 1998, their Table XII at 90%); ``classical_mean_upper_limit_events``, the
   classical Poisson upper limit with the background subtracted, Σ_n P(n|b) [μ_CL(n) - b],
   μ_CL(n) = ½ χ²_CL(2n + 2) the Neyman upper limit on the Poisson mean for n observed (negative
   terms are kept, as in the collaboration's worked example; the average stays positive).
   ``flux_norm_limit`` = Φ₀ × classical mean upper limit / ``signal_events_reco``.
6. Discovery at p = 0.0026 (3σ) with 50% power: n_crit, the smallest n with P(N ≥ n | b) ≤ p, and
   the signal s with P(N ≥ n_crit | b + s) = 0.5 (Γ-function inverse);
   ``discovery_flux_norm`` = Φ₀ s / ``signal_events_reco``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import gammaincinv
from scipy.stats import chi2, poisson

from dmcombine.constants import SECONDS_PER_YEAR
from dmcombine.errors import ConfigError
from dmcombine.experiments.km3net import arca230
from dmcombine.stats import fc_average_upper_limit

DISCOVERY_P_VALUE = 0.0026  # 3σ
DISCOVERY_POWER = 0.5


def power_law_integral(phi0: float, index: float, lo_gev: np.ndarray, hi_gev: np.ndarray) -> np.ndarray:
    """∫ Φ₀ E^-γ dE over each [lo, hi] [GeV⁻¹ s⁻¹ m⁻² × GeV]."""
    if abs(index - 1.0) < 1e-12:
        return phi0 * np.log(hi_gev / lo_gev)
    return phi0 * (hi_gev ** (1.0 - index) - lo_gev ** (1.0 - index)) / (1.0 - index)


def classical_mean_upper_limit(background: float, cl: float) -> float:
    """Σ_n P(n|b) [½ χ²_CL(2n+2) - b]: the background-subtracted classical upper limit,
    averaged over background-only outcomes.

    >>> round(classical_mean_upper_limit(0.0, 0.9), 4)  # n = 0 always: -ln(0.1)
    2.3026
    """
    n = np.arange(int(poisson.ppf(1.0 - 1e-10, background)) + 2) if background > 0 else np.array([0])
    weights = poisson.pmf(n, background)
    upper = 0.5 * chi2.ppf(cl, 2 * n + 2) - background
    return float(np.sum(weights * upper) / np.sum(weights))


def discovery_signal(background: float, p_value: float = DISCOVERY_P_VALUE, power: float = DISCOVERY_POWER) -> tuple[int, float]:
    """(n_crit, s): the critical count for p-value ``p_value`` and the signal seen above it with ``power``.

    P(N ≥ n | μ) is the regularised lower incomplete gamma function P(n, μ) (n ≥ 1).

    >>> discovery_signal(0.0)[0]  # no background: one event is a discovery
    1
    """
    n_crit = 1
    while poisson.sf(n_crit - 1, background) > p_value:
        n_crit += 1
    mu = float(gammaincinv(n_crit, power))
    return n_crit, max(mu - background, 0.0)


def point_source(selection: arca230.Selection, sin_dec: float, index: float, phi0: float, livetime_yr: float,
                 cone_deg: float, cl: float) -> dict[str, Any]:
    """Every number of the module docstring, as a JSON-ready dict."""
    dec = arca230.check_direction(sin_dec, "--sindec")
    if not (np.isfinite(livetime_yr) and livetime_yr > 0):
        raise ConfigError(f"--livetime-yr: {livetime_yr!r} is not a positive livetime in years")
    if not (np.isfinite(cone_deg) and 0 < cone_deg <= 30):
        raise ConfigError(f"--cone-deg: {cone_deg!r} is not a cone radius in (0, 30] degrees")
    if not (np.isfinite(phi0) and phi0 > 0):
        raise ConfigError(f"--norm: {phi0!r} is not a positive flux normalisation [GeV^-1 s^-1 m^-2]")
    if not np.isfinite(index):
        raise ConfigError(f"--index: {index!r} is not a number")
    if not 0.5 < cl < 1:
        raise ConfigError(f"--cl: {cl!r} is not a confidence level in (0.5, 1)")
    seconds = livetime_yr * SECONDS_PER_YEAR
    aeff, psf, eresp, bkg = selection.aeff, selection.psf, selection.eresp, selection.bkg
    edges = aeff.log10_energy_edges
    area = arca230.source_area_m2(aeff, dec)
    n_true = seconds * area * power_law_integral(phi0, index, 10.0 ** edges[:-1], 10.0 ** edges[1:])
    centres = 0.5 * (edges[1:] + edges[:-1])
    band = arca230.band_index(psf.log10_energy_edges, centres)
    fraction = arca230.cone_fraction(psf, cone_deg)
    in_cone = n_true * np.where(band >= 0, fraction[np.maximum(band, 0)], 0.0)
    row = arca230.band_index(eresp.log10_energy_edges, centres)
    reco_lo, reco_hi = eresp.log10_reco_edges[:-1], eresp.log10_reco_edges[1:]
    overlap = np.clip(np.minimum(reco_hi, edges[-1]) - np.maximum(reco_lo, edges[0]), 0.0, None) / (reco_hi - reco_lo)
    reco_fraction = np.where(row >= 0, eresp.probability[np.maximum(row, 0)] @ overlap, 0.0)
    reco = in_cone * reco_fraction
    share = arca230.cone_band_share(dec, np.radians(cone_deg), bkg.sin_dec_edges)
    background = float(seconds * bkg.rate_s.sum(axis=0) @ share)
    signal_reco = float(reco.sum())
    fc = fc_average_upper_limit(background, cl)
    classical = classical_mean_upper_limit(background, cl)
    n_crit, s_disc = discovery_signal(background)
    per_phi = signal_reco / phi0 if signal_reco > 0 else float("nan")
    return {
        "detector": "arca230", "channel": selection.name, "flavour": f"nu_{selection.flavour} + anti-nu_{selection.flavour}",
        "sindec": sin_dec, "index": index, "norm": phi0, "norm_unit": "GeV^-1 s^-1 m^-2 at 1 GeV",
        "livetime_yr": livetime_yr, "cone_deg": cone_deg, "cl": cl,
        "signal_events": float(n_true.sum()),
        "signal_events_in_cone": float(in_cone.sum()),
        "signal_events_reco": signal_reco,
        "background_events_in_cone": background,
        "mean_upper_limit_events": fc,
        "classical_mean_upper_limit_events": classical,
        "flux_norm_limit": classical / per_phi,
        "discovery_critical_events": n_crit,
        "discovery_events": s_disc,
        "discovery_flux_norm": s_disc / per_phi,
        "discovery_p_value": DISCOVERY_P_VALUE,
    }
