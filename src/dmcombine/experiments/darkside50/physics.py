"""DarkSide-50 532-day high-mass WIMP search (arXiv:1802.07198), recomputed from its public inputs.

Method (as in the paper, Sec. VIII): a blind counting analysis in a nuclear-recoil window defined
by the acceptance of Fig. 10. The expected number of WIMP events is

    N(m, sigma) = exposure × ∫ dR/dE_R(E; m, sigma) × acceptance(E) dE,

with the spin-independent rate of :mod:`dmcombine.direct_detection.rates` (standard halo model,
Helm form factor, argon). With n = 0 events observed and b = 0.09 expected background, the 90% CL
upper limit on the signal mean s_up (classical Poisson limit with known background by default,
see :func:`dmcombine.stats.poisson_upper_limit`) gives sigma_up(m) = s_up / [N(m, sigma)/sigma].

Published values we test against (paper abstract): 1.14e-44 cm² at 100 GeV, 3.78e-44 cm² at 1 TeV,
3.43e-43 cm² at 10 TeV.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.direct_detection.config import (
    couplings_from_config,
    form_factor_from_config,
    halo_from_config,
    target_from_config,
)
from dmcombine.direct_detection.rates import expected_events_per_cm2
from dmcombine.errors import InputFormatError
from dmcombine.grids import log_grid
from dmcombine.limitfile import header
from dmcombine.stats import poisson_upper_limit
from dmcombine.tables import load_numeric

EXPERIMENT = "DarkSide-50"
ANALYSIS = "532-day high-mass WIMP search with underground argon"
REFERENCES = [
    {
        "citation": "DarkSide Collaboration, P. Agnes et al., Phys. Rev. D 98 (2018) 102006",
        "arxiv": "1802.07198",
        "doi": "10.1103/PhysRevD.98.102006",
    }
]
# The summary file quotes the exposure in t·yr with 365-day years: 0.0456438 t·yr = 16,660 kg·d,
# the paper's figure.
_KG_DAY_PER_T_YR = 1000.0 * 365.0


@dataclass(frozen=True)
class Summary:
    """The counting experiment's numbers, from the public summary file."""

    exposure_kg_day: float
    observed_events: int
    expected_background_events: float


@dataclass(frozen=True)
class Acceptance:
    """Overall NR acceptance as a single-valued function of recoil energy (after cleaning)."""

    energy_kev: NDArray[np.float64]
    acceptance: NDArray[np.float64]

    def on_grid(self, step_kev: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """The acceptance sampled on a uniform energy grid covering its support."""
        lo, hi = float(self.energy_kev[0]), float(self.energy_kev[-1])
        n = int(np.ceil((hi - lo) / step_kev)) + 1
        grid = np.linspace(lo, hi, n)
        return grid, np.interp(grid, self.energy_kev, self.acceptance)


def read_summary(data: bytes, source: str) -> Summary:
    """Parse ``highmass.txt`` (JSON): exposure [t·yr], observed events, total background."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise InputFormatError(f"{source}: not valid JSON ({exc})") from None
    try:
        exposure_t_yr = doc["exposure"]
        observed = doc["event_yields"]["data"]
        kind, background = doc["event_yields"]["total"]
        background_mean = background[0] if kind == "interval" else background
    except (KeyError, TypeError, ValueError):
        raise InputFormatError(
            f"{source}: expected fields 'exposure' (t·yr), 'event_yields.data' (events) and "
            "'event_yields.total' ([kind, value]) as in the DarkSide-50 summary file"
        ) from None
    if not (isinstance(exposure_t_yr, (int, float)) and exposure_t_yr > 0):
        raise InputFormatError(f"{source}: field 'exposure' is {exposure_t_yr!r}, expected a positive number (t·yr)")
    if not (isinstance(observed, int) and observed >= 0):
        raise InputFormatError(f"{source}: field 'event_yields.data' is {observed!r}, expected a count >= 0")
    if not (isinstance(background_mean, (int, float)) and background_mean >= 0):
        raise InputFormatError(f"{source}: field 'event_yields.total' is {background_mean!r}, expected >= 0 events")
    return Summary(exposure_t_yr * _KG_DAY_PER_T_YR, observed, float(background_mean))


def read_acceptance(data: bytes, source: str) -> Acceptance:
    """Parse the digitised overall NR acceptance vs E_nr [keVnr] (two columns) and clean it.

    The digitisation (see data/darkside50/README.md) has:
    * sentinel rows ``0 0`` and ``2001 0`` far outside the window: dropped (E <= 0 or E > 1000 keV);
    * vertical steps written as several rows with the same energy: kept in file order after a
      stable sort, and turned into steps by spacing equal energies 1e-9 keV apart;
    * one stray point (194.67 keVnr, 0.0013), the foot of the final drop at 195.15 keVnr recorded
      half a keV early: isolated dips below 10% of both neighbours are dropped.
    The window therefore runs from ~50 to ~201 keVnr, with the plateau ending at 195 keVnr.
    """
    if not data.strip():
        raise InputFormatError(f"{source}: the file is empty; expected two numeric columns")
    table = load_numeric(data, source, "two numeric columns (E_nr [keVnr], acceptance)")
    if table.shape[1] != 2 or table.shape[0] < 3:
        raise InputFormatError(
            f"{source}: expected at least 3 rows of two columns (E_nr [keVnr], acceptance), got shape {table.shape}"
        )
    if not np.all(np.isfinite(table)):
        row = int(np.argwhere(~np.isfinite(table))[0][0]) + 1
        raise InputFormatError(f"{source}: row {row} holds a non-finite value (NaN or inf)")
    energy, acc = table[:, 0], table[:, 1]
    if np.any(acc < 0) or np.any(acc > 1) or np.any(energy < 0):
        row = int(np.argmax((acc < 0) | (acc > 1) | (energy < 0))) + 1
        raise InputFormatError(
            f"{source}: row {row} is ({energy[row - 1]}, {acc[row - 1]}); expected E >= 0 keVnr and 0 <= acceptance <= 1"
        )
    keep = (energy > 0) & (energy <= 1000.0)
    energy, acc = energy[keep], acc[keep]
    order = np.argsort(energy, kind="stable")
    energy, acc = energy[order], acc[order]
    dip = np.zeros(len(acc), dtype=bool)
    dip[1:-1] = (acc[1:-1] < 0.1 * acc[:-2]) & (acc[1:-1] < 0.1 * acc[2:])
    energy, acc = energy[~dip], acc[~dip]
    energy = energy.copy()
    for i in range(1, len(energy)):  # equal energies -> a step
        if energy[i] <= energy[i - 1]:
            energy[i] = energy[i - 1] + 1e-9
    if len(energy) < 2 or acc.max() <= 0:
        raise InputFormatError(f"{source}: no acceptance left inside 0-1000 keVnr")
    return Acceptance(energy, acc)


def compute(cfg: dict[str, Any], summary: Summary, acceptance: Acceptance) -> dict[str, Any]:
    """The 90% CL limit on sigma_SI per nucleon over the configured mass grid.

    ``cfg`` is the resolved ``darkside50`` config block of one variant (see config/config.yaml).
    Returns masses, limits, expected events per cm² and the numbers used.
    """
    where = "darkside50"
    model = cfg["model"]
    halo = halo_from_config(model["halo"], f"{where}.model")
    target = target_from_config(model["target"], f"{where}.model")
    couplings = couplings_from_config(model["couplings"])
    form_factor = form_factor_from_config(model.get("form_factor"), f"{where}.model")
    masses = log_grid(cfg["mass_grid_gev"], f"{where}.mass_grid_gev")
    overrides = cfg.get("overrides", {})
    exposure = overrides.get("exposure_kg_day")
    exposure = summary.exposure_kg_day if exposure is None else exposure
    observed = overrides.get("observed_events")
    observed = summary.observed_events if observed is None else observed
    background = overrides.get("expected_background_events")
    background = summary.expected_background_events if background is None else background
    grid, acc = acceptance.on_grid(cfg["energy_step_kev"])
    per_cm2 = expected_events_per_cm2(masses, grid, acc, exposure, target, halo, couplings, form_factor)
    s_up = poisson_upper_limit(observed, background, cfg["confidence_level"], cfg["counting_method"])
    with np.errstate(divide="ignore"):
        limits = np.where(per_cm2 > 0, s_up / per_cm2, np.inf)
    return {
        "mass_gev": masses,
        "sigma_cm2": limits,
        "signal_events_per_cm2": per_cm2,
        "signal_upper_limit_events": s_up,
        "exposure_kg_day": exposure,
        "observed_events": observed,
        "expected_background_events": background,
        "energy_window_kev": [float(grid[0]), float(grid[-1])],
    }


def limit_document(cfg: dict[str, Any], result: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """Assemble the standard limit file of one variant."""
    sensitive = np.isfinite(result["sigma_cm2"])
    if not np.any(sensitive):
        raise InputFormatError(
            "darkside50: no mass of darkside50.mass_grid_gev gives a recoil inside the acceptance window "
            f"{result['energy_window_kev']} keVnr; raise the grid's min"
        )
    # Light WIMPs cannot deposit 50 keVnr in argon (E_max = 2 mu² v_max² / m_A): no limit there.
    # Those masses are left out of the curve and listed in the assumptions.
    masses = result["mass_gev"][sensitive]
    method = cfg["counting_method"]
    description = {
        "classical": "Poisson upper limit with known background, s_up = F^-1_chi2(CL; 2(n+1))/2 - b (PDG Statistics, eq. 40.64)",
        "cls": "CLs upper limit of a Poisson count with known background (Read 2002)",
        "no_background": "Poisson upper limit ignoring the background, s_up = F^-1_chi2(CL; 2(n+1))/2",
    }[method]
    return {
        **header(EXPERIMENT, ANALYSIS, REFERENCES, "observed", cfg["confidence_level"],
                 f"poisson_counting_{method}", description),
        "model": {
            "name": "WIMP elastic spin-independent scattering",
            "variant": cfg["variant"],
            "assumptions": {
                **cfg["model"],
                "form_factor_reference": "Helm form factor, Lewin & Smith, Astropart. Phys. 6 (1996) 87",
                "velocity_distribution": "standard halo model, Maxwellian truncated at v_esc",
                "exposure_kg_day": result["exposure_kg_day"],
                "observed_events": result["observed_events"],
                "expected_background_events": result["expected_background_events"],
                "signal_upper_limit_events": result["signal_upper_limit_events"],
                "energy_window_kev": result["energy_window_kev"],
                "masses_without_sensitivity_gev": result["mass_gev"][~sensitive],
            },
        },
        "parameter_of_interest": {
            "name": "sigma_si_nucleon",
            "unit": "cm^2",
            "label": "SI WIMP-nucleon cross-section",
        },
        "x": {"name": "mass", "unit": "GeV", "label": "WIMP mass"},
        "limit": {"x": masses, "value": result["sigma_cm2"][sensitive]},
        "likelihood": {
            "type": "poisson_counting",
            "observed_events": result["observed_events"],
            "expected_background_events": result["expected_background_events"],
            "signal_per_poi": result["signal_events_per_cm2"][sensitive],
        },
        "provenance": provenance,
    }
