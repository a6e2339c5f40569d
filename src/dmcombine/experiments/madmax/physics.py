"""MADMAX dielectric haloscope: the prototype's axion limit and the full-scale projected reach.

For every axion mass m_a of a scanned range (see :mod:`dmcombine.axion.haloscope` for the
formulas and constants):

* the range is covered by tuning steps spaced by the boost bandwidth Delta nu_b, each measured for
  (range time) / (number of steps);
* step i boosts the power by beta²_i(nu) = beta²_peak × profile((nu - nu_i)/Delta nu_b), with a
  flat (top-hat) or Lorentzian profile of full width Delta nu_b;
* the signal is P_i(g) = eta beta²_i(nu) A g² B² rho_a / m_a² and its noise
  sigma_i = k_B T_sys sqrt(Delta nu_a / t_i), Delta nu_a = (line-width fraction) × nu;
* the Gaussian likelihood of the power excess, with every step's measured excess at its null
  expectation (zero; the measured spectra are not public), is
  -2 Delta lnL(g) = sum_i (P_i(g)/sigma_i)² = (g/g_1)^4 × S², S² = sum_i (P_i(1/GeV)/sigma_i)²,
  a quartic in g, so the one-sided limit at confidence level CL is where
  -2 Delta lnL = (Phi^-1(CL))² (2.706 at 95% CL): g_CL = (Phi^-1(CL) / S)^(1/2) in 1/GeV units.
  The discovery reach at a given SNR threshold is g_disc = (SNR / S)^(1/2).

The prototype (arXiv:2409.11777) published g_ag < ~2e-11 1/GeV (95% CL) in 76.56-76.82 and
79.31-79.53 µeV after 14.5 days with 3 sapphire disks in the 1.6 T Morpurgo magnet; the
full-scale MADMAX (arXiv:1901.07401) aims at the QCD axion between 40 and 400 µeV; its
projection (arXiv:2003.10894, digitised in data/axion_context/) is compared with ours in the tests.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import ndtri  # the normal quantile, as scipy.stats.norm.ppf computes it (without its import)

from dmcombine.axion.haloscope import frequency_hz, mirror_power_per_area_w_m2, radiometer_noise_w
from dmcombine.constants import SECONDS_PER_DAY
from dmcombine.errors import ConfigError
from dmcombine.limitfile import header

EXPERIMENT = "MADMAX"


def _steps(nu_lo: float, nu_hi: float, bandwidth_hz: float) -> NDArray[np.float64]:
    """Centres of the tuning steps that tile [nu_lo, nu_hi] with steps of one bandwidth."""
    n = max(1, int(np.ceil((nu_hi - nu_lo) / bandwidth_hz - 1e-9)))
    return nu_lo + (np.arange(n) + 0.5) * (nu_hi - nu_lo) / n


def _profile(offset: NDArray[np.float64], bandwidth_hz: float, shape: str) -> NDArray[np.float64]:
    """Boost profile relative to its peak at a frequency offset from the step's centre."""
    u = 2.0 * offset / bandwidth_hz
    if shape == "flat":
        return (np.abs(u) <= 1.0).astype(float)
    return 1.0 / (1.0 + u**2)  # Lorentzian, full width at half maximum = bandwidth


def significance_per_coupling2(setup: dict[str, Any], masses_ev: NDArray[np.float64],
                               range_bounds_ev: tuple[float, float], time_s: float) -> NDArray[np.float64]:
    """S = sqrt(sum_i SNR_i²) at g = 1/GeV for masses inside one scanned range; SNR scales as g²."""
    boost = setup["boost"]
    bandwidth = boost["bandwidth_mhz"] * 1e6
    nu = frequency_hz(masses_ev)
    centres = _steps(*frequency_hz(np.asarray(range_bounds_ev)), bandwidth)
    t_step = time_s * setup["live_fraction"] / len(centres)
    area = np.pi * (setup["disk_diameter_m"] / 2.0) ** 2
    p_mirror = mirror_power_per_area_w_m2(1.0, setup["magnet_field_t"], setup["rho_gev_cm3"], masses_ev)
    beta2 = boost["beta2"] * _profile(nu[:, None] - centres[None, :], bandwidth, boost["profile"])
    power = setup["efficiency"] * beta2 * area * p_mirror[:, None]
    sigma = radiometer_noise_w(setup["system_temperature_k"], setup["linewidth_fraction"] * nu, t_step)
    return np.sqrt(np.sum((power / sigma[:, None]) ** 2, axis=1))


def compute(cfg: dict[str, Any]) -> dict[str, Any]:
    """Limit (or projected reach) and discovery reach on g_ag over the configured mass ranges.

    ``cfg`` is the resolved config of one setup: the ``madmax.setups.<name>`` block plus
    ``name`` and ``confidence_level``.
    """
    where = f"madmax.setups.{cfg['name']}"
    bounds = sorted((r["min_uev"], r["max_uev"]) for r in cfg["ranges"])
    if any(b[0] < a[1] for a, b in zip(bounds, bounds[1:], strict=False)):
        raise ConfigError(f"{where}.ranges: the mass ranges overlap ({bounds}); give disjoint ranges")
    masses, significance = [], []
    for i, rng in enumerate(cfg["ranges"]):
        lo, hi = rng["min_uev"] * 1e-6, rng["max_uev"] * 1e-6
        if not lo < hi:
            raise ConfigError(f"{where}.ranges[{i}]: min_uev ({rng['min_uev']}) must be below max_uev ({rng['max_uev']})")
        grid = np.geomspace(lo, hi, rng["points"])
        time_s = rng["time_days"] * SECONDS_PER_DAY
        masses.append(grid)
        significance.append(significance_per_coupling2(cfg, grid, (lo, hi), time_s))
    m = np.concatenate(masses)
    s = np.concatenate(significance)
    order = np.argsort(m, kind="stable")
    m, s = m[order], s[order]
    z = float(ndtri(cfg["confidence_level"]))
    limit = np.sqrt(z / s)
    discovery = np.sqrt(cfg["discovery_snr"] / s)
    return {"mass_ev": m, "significance_per_g2": s, "limit_gev": limit, "discovery_gev": discovery,
            "z": z}


def profile_table(result: dict[str, Any], points: int = 41) -> tuple[list[list[float]], list[list[float]]]:
    """-2 Delta lnL(g) = (g/g_1)^4 S² on a grid from 0 to 3× the limit at each mass."""
    poi, dl = [], []
    for s, limit in zip(result["significance_per_g2"], result["limit_gev"], strict=True):
        g = np.linspace(0.0, 3.0 * limit, points)
        poi.append(g)
        dl.append((g**2 * s) ** 2)
    return poi, dl


def limit_document(cfg: dict[str, Any], result: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """The standard limit file of one setup: g_ag [1/GeV] versus m_a [eV]."""
    kind = cfg["kind"]
    description = (
        "Gaussian likelihood of the boosted power excess in each tuning step (Dicke radiometer noise), "
        "-2 Delta lnL = sum_i (P_i(g)/sigma_i)^2 with the measured excess at its null expectation "
        f"(the spectra are not public); one-sided {cfg['confidence_level']:.0%} CL at -2 Delta lnL = "
        f"{result['z'] ** 2:.3f}"
    )
    poi, dl = profile_table(result)
    return {
        **header(EXPERIMENT, cfg["analysis"], cfg["references"], kind, cfg["confidence_level"],
                 "gaussian_power_excess", description),
        "model": {
            "name": "axion dark matter converting to photons (axion-photon coupling)",
            "variant": cfg["name"],
            "assumptions": {
                key: cfg[key]
                for key in ("magnet_field_t", "disk_diameter_m", "disks", "disk_material", "boost", "efficiency",
                            "system_temperature_k", "live_fraction", "linewidth_fraction", "rho_gev_cm3",
                            "ranges", "discovery_snr", "sources")
            },
        },
        "parameter_of_interest": {"name": "g_agamma", "unit": "GeV^-1", "label": "axion-photon coupling |g_a gamma gamma|"},
        "x": {"name": "axion_mass", "unit": "eV", "label": "axion mass m_a"},
        "limit": {"x": result["mass_ev"], "value": result["limit_gev"]},
        "likelihood": {"type": "profile_table", "poi_values": poi, "delta_minus2lnl": dl},
        "auxiliary_limits": [
            {"label": f"discovery reach (SNR = {cfg['discovery_snr']:g})", "x": result["mass_ev"],
             "value": result["discovery_gev"]},
        ],
        "provenance": provenance,
    }
