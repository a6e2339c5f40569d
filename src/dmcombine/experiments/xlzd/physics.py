"""XLZD projected WIMP sensitivity and discovery reach (XLZD design book, arXiv:2410.17137).

Signal: the spin-independent rate of :mod:`dmcombine.direct_detection.rates` on natural xenon
(nine isotopes), times the nuclear-recoil (NR) efficiency eps(E), config ``efficiency.model``:

``nest`` (default): a detector response computed deterministically from NEST v2 (nestpy 2.1.3)
mean yields, eps(E) = A_NR × P_S1(E) × P_S2(E):

* N_ph(E), N_e(E) and N_ex/N_i: ``NESTcalc.GetYields(interactions.NR, E, density, field)`` on a
  log-spaced table (``nest.table_kevnr``); their spread is NEST v2's NR quanta model propagated
  analytically as a Gaussian (Fano factors F_i, F_ex on ions and excitons, recombination
  binomial plus NEST's width omega(f_e); ``nestpy.default_nr_er_width_parameters``), NEST's
  skewness of the recombination ignored;
* S1: detected photons n ~ Binomial(N_ph, g1), N_ph on the integers; the S1 [phd] is n (no
  single-photoelectron smearing); the s1_coincidence_fold-fold coincidence is taken as n >= fold
  and the S1 window as s1_lo <= n <= s1_hi;
* S2: extracted electrons m ~ Binomial(N_e, extraction × survival), S2 | m ~ Normal(m G, sqrt(m) w)
  (G the single-electron gain, w its width), P_S2 = P(S2 >= s2_threshold_phd); S1 and S2 are
  treated as independent (their recombination anticorrelation is neglected: for NR the S2
  threshold is passed wherever the S1 is);
* A_NR = 50%, the NR acceptance of the ER-rejection cut below the NR median (99.5% ER rejection,
  LZ's reference discrimination, arXiv:1802.06039; the design book's own efficiency curve is not
  among our inputs).

The likelihood window in keVnr is where eps >= ``window_floor`` (1e-4) × its plateau. Detector
parameters (config.yaml ``efficiency.nest``, each with its source there): g1 = 0.133 phd/photon
(PMT QE 0.27 × volume-averaged light collection 0.493 of the 60 t TPC), drift field 80 V/cm,
7.5 kV/cm gas field giving extraction 0.700 and 66.7 phd per electron (NEST ``CalculateG2``,
10 mm gas gap, g1_gas 0.10), 10 ms electron lifetime (depth-averaged survival 0.894), 3-fold
S1 coincidence, S2 threshold 198 phd, S1 window 3-166.7 phd: the XLZD collaboration's own NEST
detector definition for its fast simulation (flamedisx ``xlzd/xlzd.py``, ``nest/config/xlzd.ini``,
the requirements task force's "good" detector), the design book's own table not being in our
inputs.

``flat``: eps(E) = A_NR × [1 + erf((E - E_50) / (sqrt(2) w))] / 2 inside ``window_kevnr``, with
E_50 and w the threshold's 50% point and width (the earlier model, kept as an option).

Backgrounds, each with its own normalisation nuisance (Gaussian constraint of its flux
uncertainty):

* coherent neutrino-nucleus scattering of solar 8B and hep, atmospheric and diffuse-supernova
  neutrinos, computed from their fluxes with :func:`dmcombine.direct_detection.neutrinos.cevns_rate`
  and the same efficiency;
* electronic recoils leaking into the NR band: the solar-neutrino electron-scattering rate
  (pp, 7Be, pep, CNO; :func:`~dmcombine.direct_detection.neutrinos.nu_electron_rate`) plus the
  other ER sources (222Rn, 85Kr, 136Xe 2nubb, materials) as a flat rate, integrated over the ER
  energies that reach the S1 window, times the leakage fraction (0.5%). ``nest``: each ER energy
  weighted by its own S1/S2 acceptance (NEST beta yields, same detector; Poisson spread of the
  quanta, NEST's ER widths not used); leaked events sit at the NR energy of the same mean S1,
  dN/dE_nr ∝ P_S1 P_S2 dS1_NR/dE_nr (an ER spectrum flat in energy is about flat in S1). ``flat``:
  the fixed window ``er.window_kevee``, leaked events spread evenly in NR energy over the
  efficiency-weighted window.

Statistic: a binned Poisson likelihood in NR energy with the background normalisations profiled.
The median 90% CL exclusion is the sigma where the Asimov background-only test statistic reaches
(Phi^-1(0.9))² = 1.642; the 3 sigma discovery reach is where the Asimov signal-plus-background q0
reaches 9 (Cowan, Cranmer, Gross & Vitells, Eur. Phys. J. C 71 (2011) 1554).

Published figures tested against: the design book abstract's 3 sigma evidence potential down to
3e-49 cm² at 40 GeV; and, for the 90% CL exclusion machinery at another exposure, the LZ
projection (PRD 101 (2020) 052002, abstract: 1.4e-48 cm² at 40 GeV for 5.6 t × 1000 live days).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import logging
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize.elementwise import find_root
from scipy.special import erf, ndtr, ndtri

from dmcombine.constants import DAYS_PER_YEAR
from dmcombine.direct_detection.config import (
    couplings_from_config,
    form_factor_from_config,
    halo_from_config,
    target_from_config,
)
from dmcombine.direct_detection.neutrinos import NeutrinoSource, cevns_rate, nu_electron_rate
from dmcombine.direct_detection.rates import differential_rate
from dmcombine.errors import ConfigError
from dmcombine.grids import log_grid
from dmcombine.limitfile import header
from dmcombine.stats import asimov_discovery_q0, asimov_exclusion_q, binomial_cdf

EXPERIMENT = "XLZD"
ANALYSIS = "projected spin-independent WIMP sensitivity of the next-generation liquid-xenon observatory"
REFERENCES = [
    {
        "citation": "XLZD Collaboration, J. Aalbers et al., Eur. Phys. J. C 85 (2025) 1192 (the XLZD design book)",
        "arxiv": "2410.17137",
        "doi": "10.1140/epjc/s10052-025-14810-w",
    },
    {
        "citation": "LZ Collaboration, D. S. Akerib et al., Phys. Rev. D 101 (2020) 052002 (99.5% ER discrimination at 50% NR acceptance)",
        "arxiv": "1802.06039",
        "doi": "10.1103/PhysRevD.101.052002",
    },
]


def efficiency(energy_kev: NDArray[np.float64], eff_cfg: dict[str, Any]) -> NDArray[np.float64]:
    """eps(E_nr) of the module docstring: the NEST detector response (``model: nest``) or the
    flat acceptance with an erf turn-on (``model: flat``)."""
    energy_kev = np.asarray(energy_kev, dtype=float)
    if _model(eff_cfg) == "flat":
        lo, hi = eff_cfg["window_kevnr"]
        turn_on = 0.5 * (1.0 + erf((energy_kev - eff_cfg["threshold_kevnr"]) / (np.sqrt(2.0) * eff_cfg["threshold_width_kevnr"])))
        inside = (energy_kev >= lo) & (energy_kev <= hi)
        return eff_cfg["nr_acceptance"] * turn_on * inside
    table = nest_response(eff_cfg)
    return eff_cfg["nr_acceptance"] * _on_table(energy_kev, table["energy_kevnr"], table["nr_s1_s2_acceptance"])


def _model(eff_cfg: dict[str, Any]) -> str:
    return eff_cfg.get("model", "nest")


def _on_table(energy_kev: NDArray[np.float64], table_kev: NDArray[np.float64], values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``values`` tabulated on the log-spaced ``table_kev``, interpolated in log E, zero outside."""
    safe = np.log(np.clip(energy_kev, table_kev[0] * 1e-3, None))
    out = np.interp(safe, np.log(table_kev), values, left=0.0, right=0.0)
    return np.where(energy_kev > 0, out, 0.0)


def recoil_window_kevnr(eff_cfg: dict[str, Any]) -> tuple[float, float]:
    """The likelihood window [keVnr]: ``window_kevnr`` for the flat model; for NEST, where eps
    exceeds ``window_floor`` of its plateau (widened to the next table energy on each side)."""
    if _model(eff_cfg) == "flat":
        lo, hi = eff_cfg["window_kevnr"]
        return float(lo), float(hi)
    table = nest_response(eff_cfg)
    return table["nr_window_kevnr"]


def er_window_kevee(cfg: dict[str, Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """ER energies [keVee] that can leak into the NR window and the weight of each (the chance an
    ER of that energy passes the S1 coincidence, the S1 window and the S2 threshold): flat model,
    er.window_kevee with weight 1; NEST, the same detector response as the NR signal."""
    eff_cfg = cfg["efficiency"]
    if _model(eff_cfg) == "flat":
        lo, hi = cfg["er"]["window_kevee"]
        grid = np.linspace(lo, hi, 400)
        return grid, np.ones_like(grid)
    table = nest_response(eff_cfg)
    lo, hi = table["er_window_kevee"]
    grid = np.linspace(lo, hi, 400)
    return grid, _on_table(grid, table["energy_kevee"], table["er_s1_s2_acceptance"])


def nest_response(eff_cfg: dict[str, Any]) -> dict[str, Any]:
    """The NEST detector-response tables of ``eff_cfg["nest"]`` (computed once per parameter set)."""
    return _nest_tables(json.dumps(eff_cfg["nest"], sort_keys=True))


@contextmanager
def _native_stderr_to_log() -> Iterator[None]:
    """What NEST's C++ writes to stderr (e.g. "Warning: m5 is slightly energy dependent in the
    beta model", once per process) goes to the job's log instead of the terminal of every run."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            for line in capture.read().decode(errors="replace").splitlines():
                if line.strip():
                    logging.getLogger("dmcombine").info("NEST: %s", line.strip())


def _nest_bindings() -> ModuleType:
    """nestpy's compiled NEST v2 bindings, ``nestpy._nestpy`` (NESTcalc, detectors, interactions,
    default_nr_er_width_parameters: all that ``import nestpy`` offers here), loaded only when the
    NEST model is used and without running ``nestpy/__init__.py``, whose Python helpers import
    pandas and awkward (about 0.2 s of every job, for nothing used here)."""
    name = "nestpy._nestpy"
    if name in sys.modules:  # nestpy itself, or these bindings, already imported
        return sys.modules[name]
    package = importlib.util.find_spec("nestpy")  # locates the package without importing it
    spec = None if package is None else importlib.machinery.PathFinder.find_spec(name, package.submodule_search_locations)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}: the NEST efficiency model needs nestpy", name=name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # so that a later ``import nestpy`` uses these bindings, not a second copy
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


@lru_cache(maxsize=8)
def _nest_tables(nest_json: str) -> dict[str, Any]:
    nestpy = _nest_bindings()
    det = json.loads(nest_json)
    grid = det["table_kevnr"]
    energies = np.geomspace(grid["min"], grid["max"], grid["points"])
    calc = nestpy.NESTcalc(nestpy.detectors.VDetector())
    widths = nestpy.default_nr_er_width_parameters
    nr = [calc.GetYields(nestpy.interactions.NR, float(e), det["density_g_cm3"], det["drift_field_v_cm"])
          for e in energies]
    with _native_stderr_to_log():
        er = [calc.GetYields(nestpy.interactions.beta, float(e), det["density_g_cm3"], det["drift_field_v_cm"])
              for e in energies]
    n_ph = np.array([y.PhotonYield for y in nr])
    n_e = np.array([y.ElectronYield for y in nr])
    var_ph, var_e = _nr_quanta_variances(n_ph, n_e, np.array([y.ExcitonRatio for y in nr]), widths)
    nr_acc = _s1_s2_acceptance(n_ph, var_ph, n_e, var_e, det)
    er_ph = np.array([y.PhotonYield for y in er])
    er_e = np.array([y.ElectronYield for y in er])
    er_acc = _s1_s2_acceptance(er_ph, er_ph, er_e, er_e, det)
    where = "xlzd.efficiency.nest"
    return {
        "energy_kevnr": energies,
        "energy_kevee": energies,
        "nr_photons": n_ph,
        "nr_electrons": n_e,
        "nr_s1_s2_acceptance": nr_acc,
        "nr_window_kevnr": _window(energies, nr_acc, det["window_floor"], where, "nuclear"),
        "er_s1_s2_acceptance": er_acc,
        "er_window_kevee": _window(energies, er_acc, det["window_floor"], where, "electronic"),
        "nr_plateau": float(nr_acc.max()),
    }


def _nr_quanta_variances(n_ph: NDArray[np.float64], n_e: NDArray[np.float64], exciton_ratio: NDArray[np.float64],
                         widths: list[float]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Var(N_ph), Var(N_e) of NEST v2's NR quanta model, propagated analytically (Gaussian):
    N_i and N_ex with Fano factors F_i, F_ex (widths[0], [1]); recombination of the ions,
    N_e = (1 - r) N_i + delta with Var(delta) = r (1 - r) N_i + (omega N_i)², omega =
    widths[2] exp(-(f_e - widths[3])² / (2 widths[4]²)), f_e = N_e / (N_e + N_ph); N_ph = N_q - N_e."""
    n_q = n_ph + n_e
    n_i = n_q / (1.0 + exciton_ratio)
    n_ex = n_q - n_i
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.clip(np.where(n_i > 0, 1.0 - n_e / n_i, 0.0), 0.0, 1.0)
        f_e = np.where(n_q > 0, n_e / n_q, 0.0)
    omega = widths[2] * np.exp(-0.5 * (f_e - widths[3]) ** 2 / widths[4] ** 2)
    var_i = widths[0] * n_i
    var_ex = widths[1] * n_ex
    var_recomb = r * (1.0 - r) * n_i + (omega * n_i) ** 2
    var_e = (1.0 - r) ** 2 * var_i + var_recomb
    var_ph = var_ex + r**2 * var_i + var_recomb
    return var_ph, var_e


def _quanta_pmfs(means: NDArray[np.float64], variances: NDArray[np.float64]
                 ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """Gaussian numbers of quanta (means[i], variances[i]) as probabilities on the integers k >= 0
    (the mass below -1/2 goes to k = 0), each within 8 standard deviations: P(N = k) =
    Phi((k + 1/2 - mean) / sigma) - Phi((k - 1/2 - mean) / sigma) for k from max(0, floor(mean -
    8 sigma)) to ceil(mean + 8 sigma) + 1, the second term 0 at k = 0. All i at once: k and P(N = k)
    of i = 0, 1, ... one after another, and ``offsets`` (n + 1 of them) such that those of i are
    [offsets[i], offsets[i + 1]).

    Phi is evaluated once per half-integer: k + 1/2 and (k + 1) - 1/2 are the same number, so the
    upper term of k is the lower term of k + 1."""
    sigma = np.sqrt(np.maximum(variances, 1e-12))
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(sigma))):
        raise ValueError("numbers of quanta with a non-finite mean or variance")
    first = np.maximum(0, np.floor(means - 8 * sigma).astype(np.int64))
    counts = np.maximum(np.ceil(means + 8 * sigma).astype(np.int64) + 2 - first, 0)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    # the half-integers h = j - 1/2, j = first ... first + count (count + 1 of them), of every i
    edges = counts + 1
    which = np.repeat(np.arange(len(counts)), edges)  # the i each h belongs to
    start = offsets[:-1] + np.arange(len(counts))  # where the h of i begin
    j = np.arange(offsets[-1] + len(counts)) - start[which] + first[which]
    cdf = ndtr((j - 0.5 - means[which]) / sigma[which])  # Phi((h - mean) / sigma)
    last = np.zeros(len(j), dtype=bool)
    last[start + counts] = True  # the top h of each i is no k's lower edge
    k = j[~last]
    lower = np.where(k == 0, 0.0, cdf[~last])
    top = np.ones(len(j), dtype=bool)
    top[start] = False  # the bottom h of each i is no k's upper edge
    return k, cdf[top] - lower, offsets


def _s1_s2_acceptance(n_ph: NDArray[np.float64], var_ph: NDArray[np.float64], n_e: NDArray[np.float64],
                      var_e: NDArray[np.float64], det: dict[str, Any]) -> NDArray[np.float64]:
    """P(S1 coincidence and S1 window) × P(S2 >= threshold) per energy, S1 and S2 independent:

    * detected photons n ~ Binomial(N_ph, g1); the S1 [phd] is n; it passes if
      max(fold, s1_lo) <= n <= s1_hi (the coincidence taken as n >= fold photons detected);
    * extracted electrons m ~ Binomial(N_e, extraction × survival); S2 | m ~ Normal(m G, sqrt(m) w)
      with G the single-electron gain and w its width; it passes if S2 >= s2_threshold.

    P(S1 passes | N_ph = k) and P(m | N_e = k) depend on k alone: tabulated once for every k any
    energy reaches, then averaged over each energy's P(N_ph = k), P(N_e = k) (those of every energy
    computed at once; only the averages, dot products, one energy at a time).
    """
    g1 = det["g1_phd_per_photon"]
    s1_lo, s1_hi = det["s1_window_phd"]
    n_lo = max(int(det["s1_coincidence_fold"]), int(np.ceil(s1_lo)))
    n_hi = int(np.floor(s1_hi))
    p_e = det["extraction_efficiency"] * det["electron_survival"]
    gain, width, thr = det["se_gain_phd"], det["se_width_phd"], det["s2_threshold_phd"]
    m = np.arange(0, int(np.ceil(thr / gain + 10.0 * width * np.sqrt(thr / gain + 1.0) / gain)) + 6)
    spread = np.maximum(width * np.sqrt(np.maximum(m, 1)), 1e-9 * gain)
    s2_pass_given_m = ndtr((m * gain - thr) / spread)
    s2_pass_given_m[0] = float(thr <= 0)  # no electron, no S2
    out = np.zeros_like(n_ph)
    if n_hi < n_lo:
        return out
    k, pk, at_ph = _quanta_pmfs(n_ph, var_ph)
    k_e, pk_e, at_e = _quanta_pmfs(n_e, var_e)
    photon_counts = np.arange(k.max() + 1)
    s1_pass_given_k = binomial_cdf(n_hi, photon_counts, g1) - binomial_cdf(n_lo - 1, photon_counts, g1)
    electron_counts = np.arange(k_e.max() + 1)
    # P(m extracted | k electrons), m = 0 ... m_max, as differences of the distribution function
    extracted_given_k = np.diff(binomial_cdf(np.arange(-1, len(m))[None, :], electron_counts[:, None], p_e), axis=1)
    # photon numbers whose detected count cannot reach the window (beyond 12 sigma) add nothing
    reach = 12.0 * np.sqrt(g1 * (1.0 - g1) * k + 1.0)
    kept = np.flatnonzero((g1 * k - reach <= n_hi) & (g1 * k + reach >= n_lo))
    at_near = np.searchsorted(kept, at_ph)  # the offsets of each energy's photon numbers kept
    pk, s1_pass = pk[kept], s1_pass_given_k[k[kept]]
    for i in range(len(out)):
        a, b = at_near[i], at_near[i + 1]
        p_s1 = np.dot(pk[a:b], s1_pass[a:b]) if b > a else 0.0
        # the electron numbers of energy i run on from k_e[at_e[i]]: P(m extracted), m = 0 ... m_max
        first = k_e[at_e[i]]
        pm = pk_e[at_e[i]:at_e[i + 1]] @ extracted_given_k[first:first + at_e[i + 1] - at_e[i]]
        p_s2 = np.dot(pm, s2_pass_given_m) + max(0.0, 1.0 - pm.sum())
        out[i] = max(0.0, p_s1) * min(1.0, p_s2)
    return out


def _window(energies: NDArray[np.float64], acc: NDArray[np.float64], floor: float, where: str, kind: str) -> tuple[float, float]:
    """[lo, hi] of the energies where ``acc`` >= floor × its maximum, one table step wider."""
    if acc.max() < 1e-12:
        raise ConfigError(f"{where}: no {kind}-recoil energy in table_kevnr [{energies[0]:g}, {energies[-1]:g}] keV "
                          "passes the S1 coincidence, the S1 window s1_window_phd and the S2 threshold "
                          "s2_threshold_phd; check g1_phd_per_photon, s1_window_phd and s2_threshold_phd")
    inside = np.flatnonzero(acc >= floor * acc.max())
    if inside[0] == 0 or inside[-1] == len(energies) - 1:
        edge = "min" if inside[0] == 0 else "max"
        raise ConfigError(f"{where}.table_kevnr: the {kind}-recoil acceptance is still above window_floor × plateau "
                          f"at the table's {edge} ({energies[0 if edge == 'min' else -1]:g} keV); widen table_kevnr")
    return float(energies[inside[0] - 1]), float(energies[inside[-1] + 1])


def _binned(values: NDArray[np.float64], grid: NDArray[np.float64], edges: NDArray[np.float64]) -> NDArray[np.float64]:
    """Integrate values on the increasing ``grid`` (last axis) over each bin between ``edges``
    (trapezoids on the grid points within 1e-12 keV of the bin)."""
    first = np.searchsorted(grid, edges[:-1] - 1e-12, side="left")
    stop = np.searchsorted(grid, edges[1:] + 1e-12, side="right")
    return np.stack([np.trapezoid(values[..., a:b], grid[a:b], axis=-1) for a, b in zip(first, stop, strict=True)], axis=-1)


def backgrounds(cfg: dict[str, Any], sources: dict[str, NeutrinoSource], exposure_t_yr: float) -> dict[str, Any]:
    """Expected background events per NR bin, per component, and their relative uncertainties."""
    target = target_from_config(cfg["model"]["target"], "xlzd.model")
    form_factor = form_factor_from_config(cfg["model"].get("form_factor"), "xlzd.model")
    eff_cfg = cfg["efficiency"]
    grid, edges = energy_grid(eff_cfg)
    eff = efficiency(grid, eff_cfg)
    names, templates, unc = [], [], []
    for name, spec in sorted(cfg["neutrinos"].items()):
        if spec["interaction"] != "cevns":
            continue
        rate = cevns_rate(grid, sources[name], target, form_factor)
        names.append(f"cevns_{name}")
        templates.append(exposure_t_yr * _binned(rate * eff, grid, edges))
        unc.append(spec["rel_unc"])
    er = cfg["er"]
    t_grid, er_weight = er_window_kevee(cfg)
    er_rate = np.full_like(t_grid, er["other_rate_per_t_yr_kevee"])
    solar = 0.0
    for name, spec in sorted(cfg["neutrinos"].items()):
        if spec["interaction"] == "electron":
            r = nu_electron_rate(t_grid, sources[name], target, er["solar_survival_probability"])
            solar += np.trapezoid(r * er_weight, t_grid)
            er_rate = er_rate + r
    er_in_window = float(np.trapezoid(er_rate * er_weight, t_grid))
    er_events = exposure_t_yr * er["leakage"] * er_in_window
    shape = _binned(_leakage_shape(grid, eff, eff_cfg), grid, edges)
    names.append("er_leakage")
    templates.append(er_events * shape / shape.sum())
    unc.append(er["rel_unc"])
    return {
        "names": names,
        "templates": np.array(templates),
        "rel_unc": np.array(unc),
        "solar_er_events_per_t_yr": solar,
        "er_events_before_leakage_per_t_yr": er_in_window,
    }


def _leakage_shape(grid: NDArray[np.float64], eff: NDArray[np.float64], eff_cfg: dict[str, Any]) -> NDArray[np.float64]:
    """Where leaked ER events land in NR energy (unnormalised). Flat model: evenly, shaped by the
    threshold turn-on. NEST: an ER spectrum flat in energy is about flat in S1 (S1 ∝ E_ee); an
    event of a given S1 sits at the NR energy of that mean S1, so dN/dE_nr ∝ acceptance × dS1_NR/dE_nr."""
    if _model(eff_cfg) == "flat":
        return eff / eff_cfg["nr_acceptance"]
    table = nest_response(eff_cfg)
    s1_mean = eff_cfg["nest"]["g1_phd_per_photon"] * table["nr_photons"]
    slope = np.gradient(s1_mean, table["energy_kevnr"])
    return eff / eff_cfg["nr_acceptance"] * np.clip(_on_table(grid, table["energy_kevnr"], slope), 0.0, None)


def energy_grid(eff_cfg: dict[str, Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A fine recoil-energy grid [keVnr] that contains the bin edges of the likelihood."""
    lo, hi = recoil_window_kevnr(eff_cfg)
    edges = np.linspace(lo, hi, eff_cfg["bins"] + 1)
    per_bin = max(4, int(np.ceil((edges[1] - edges[0]) / eff_cfg["energy_step_kevnr"])))
    grid = np.unique(np.concatenate([np.linspace(a, b, per_bin + 1) for a, b in zip(edges[:-1], edges[1:], strict=True)]))
    return grid, edges


def signal_per_cm2(cfg: dict[str, Any], masses: NDArray[np.float64], exposure_t_yr: float) -> NDArray[np.float64]:
    """Expected WIMP events per cm² per NR bin, shape (masses, bins): exposure × ∫_bin dR/dE_R(E; m,
    sigma_p = 1 cm²) eps(E) dE, the rate computed on the whole grid for every mass (by
    :func:`~dmcombine.direct_detection.rates.differential_rate`, a block of masses at a time)."""
    model = cfg["model"]
    halo = halo_from_config(model["halo"], "xlzd.model")
    target = target_from_config(model["target"], "xlzd.model")
    couplings = couplings_from_config(model["couplings"])
    form_factor = form_factor_from_config(model.get("form_factor"), "xlzd.model")
    grid, edges = energy_grid(cfg["efficiency"])
    eff = efficiency(grid, cfg["efficiency"])
    exposure_kg_day = exposure_t_yr * 1000.0 * DAYS_PER_YEAR
    rate = differential_rate(grid, masses, 1.0, target, halo, couplings, form_factor=form_factor)
    rate *= eff
    return exposure_kg_day * _binned(rate, grid, edges)


def _solve_sigma(statistic: Callable[..., NDArray[np.float64]], target: float, signal: NDArray[np.float64],
                 backgrounds: NDArray[np.float64], rel_unc: NDArray[np.float64], lo: NDArray[np.float64],
                 hi: NDArray[np.float64]) -> NDArray[np.float64]:
    """sigma in [lo, hi] with statistic(sigma, signal, backgrounds, rel_unc) = target at each mass
    (the statistic increasing in sigma): Chandrupatla's bracketing method on ln sigma, all masses at
    once (scipy.optimize.elementwise.find_root), to 1e-12 in ln sigma (1e-12 relative in sigma).
    Each step evaluates the statistic only at the masses not yet converged (``rows``)."""
    def excess(log_sigma: NDArray[np.float64], rows: NDArray[np.intp]) -> NDArray[np.float64]:
        return statistic(np.exp(log_sigma), signal[rows], backgrounds, rel_unc) - target

    root = find_root(excess, (np.log(lo), np.log(hi)), args=(np.arange(len(signal)),),
                     tolerances={"xatol": 1e-12, "xrtol": 0.0})
    return np.exp(root.x)


def compute(cfg: dict[str, Any], sources: dict[str, NeutrinoSource],
            kinds: tuple[str, ...] = ("projected", "discovery")) -> dict[str, Any]:
    """Median exclusion and (when ``discovery`` is among ``kinds``) discovery reach on sigma_SI for
    one (variant, exposure). The exclusion is always solved: both files carry its Asimov profile."""
    exposure = float(cfg["exposure_t_yr"])
    masses = log_grid(cfg["mass_grid_gev"], "xlzd.mass_grid_gev")
    signal = signal_per_cm2(cfg, masses, exposure)
    bkg = backgrounds(cfg, sources, exposure)
    total = signal.sum(axis=1)
    sensitive = total > 0
    s, b, u = signal[sensitive], bkg["templates"], bkg["rel_unc"]
    z_excl = float(ndtri(cfg["confidence_level"]))
    # brackets: a background-free 1-event signal bounds the answer from below; 1e6 events from above
    lo = 1e-3 / total[sensitive]
    hi = 1e7 / total[sensitive]
    exclusion = _solve_sigma(asimov_exclusion_q, z_excl**2, s, b, u, lo, hi)
    discovery = (_solve_sigma(asimov_discovery_q0, cfg["discovery_sigma"] ** 2, s, b, u, lo, hi)
                 if "discovery" in kinds else None)
    return {
        "mass_gev": masses[sensitive],
        "masses_without_sensitivity_gev": masses[~sensitive],
        "exclusion_cm2": exclusion,
        "discovery_cm2": discovery,
        "signal_per_cm2": s,
        "background": bkg,
        "z_exclusion": z_excl,
        "exposure_t_yr": exposure,
    }


def _assumptions(cfg: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    bkg = result["background"]
    return {
        **cfg["model"],
        "form_factor_reference": "Helm form factor, Lewin & Smith, Astropart. Phys. 6 (1996) 87",
        "velocity_distribution": "standard halo model, Maxwellian truncated at v_esc",
        "exposure_t_yr": result["exposure_t_yr"],
        "detector": cfg["detector"],
        "live_time_yr": result["exposure_t_yr"] / (cfg["detector"]["active_mass_t"] * cfg["detector"]["fiducial_fraction"]),
        "efficiency": cfg["efficiency"],
        "recoil_window_kevnr": list(recoil_window_kevnr(cfg["efficiency"])),
        "er_window_kevee": [float(e) for e in er_window_kevee(cfg)[0][[0, -1]]],
        "er": cfg["er"],
        "neutrino_fluxes": {k: {"flux_cm2_s": v["flux_cm2_s"], "rel_unc": v["rel_unc"], "interaction": v["interaction"],
                                "source": v["source"]} for k, v in sorted(cfg["neutrinos"].items())},
        "expected_background_events": {n: float(t.sum()) for n, t in zip(bkg["names"], bkg["templates"], strict=True)},
        "masses_without_sensitivity_gev": result["masses_without_sensitivity_gev"],
    }


def profile_table(result: dict[str, Any], cfg: dict[str, Any], points: int = 25) -> tuple[list[Any], list[Any]]:
    """Asimov -2 Delta lnL(sigma) at each mass on 0 ... 3× the median exclusion."""
    s, b, u = result["signal_per_cm2"], result["background"]["templates"], result["background"]["rel_unc"]
    fractions = np.linspace(0.0, 3.0, points)
    table = np.stack([asimov_exclusion_q(f * result["exclusion_cm2"], s, b, u) for f in fractions], axis=1)
    table = np.clip(table, 0.0, None)
    poi = fractions[None, :] * result["exclusion_cm2"][:, None]
    return poi.tolist(), table.tolist()


def limit_document(cfg: dict[str, Any], result: dict[str, Any], provenance: dict[str, Any], kind: str) -> dict[str, Any]:
    """The standard limit file of one (variant, exposure) and kind: ``projected`` (median exclusion)
    or ``discovery`` (median discovery reach); both carry the Asimov exclusion profile."""
    poi, dl = profile_table(result, cfg)
    if kind == "projected":
        cl = cfg["confidence_level"]
        method = ("asimov_profile_likelihood",
                  f"median {cl:.0%} CL exclusion: binned Poisson likelihood in NR energy with profiled background "
                  f"normalisations, Asimov background-only data, -2 ln lambda = {result['z_exclusion'] ** 2:.3f} "
                  "(Cowan et al. 2011)")
        values = result["exclusion_cm2"]
    else:
        z = cfg["discovery_sigma"]
        cl = 1.0 - float(ndtr(-z))
        method = ("asimov_discovery_significance",
                  f"median {z:g} sigma discovery reach: Asimov signal-plus-background data, q0 = {z ** 2:g} "
                  "with profiled background normalisations (Cowan et al. 2011); confidence_level is 1 - p0")
        values = result["discovery_cm2"]
    return {
        **header(EXPERIMENT, f"{ANALYSIS}, {result['exposure_t_yr']:g} t·yr", REFERENCES, kind, cl, *method),
        "model": {"name": "WIMP elastic spin-independent scattering", "variant": cfg["variant"],
                  "assumptions": _assumptions(cfg, result)},
        "parameter_of_interest": {"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI WIMP-nucleon cross-section"},
        "x": {"name": "mass", "unit": "GeV", "label": "WIMP mass"},
        "limit": {"x": result["mass_gev"], "value": values},
        "likelihood": {"type": "profile_table", "poi_values": poi, "delta_minus2lnl": dl},
        "provenance": provenance,
    }


def limit_documents(cfg: dict[str, Any], result: dict[str, Any], provenance: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both standard limit files of one (variant, exposure): projected exclusion and discovery."""
    return tuple(limit_document(cfg, result, provenance, kind) for kind in ("projected", "discovery"))  # type: ignore[return-value]
