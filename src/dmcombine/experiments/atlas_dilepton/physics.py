"""ATLAS 139 fb⁻¹ dilepton resonance search (arXiv:1903.06248) reinterpreted for spin-1 mediators.

Model (dmcombine.models.spin1_mediator, whose couplings and widths this module uses): the LHC DM WG s-channel simplified models (Albert et al., arXiv:1703.05703; Abercrombie et
al., arXiv:1507.00966): a Z' of mass M coupling as Z'_mu fbar gamma^mu (g_V - g_A gamma5) f to
every quark flavour (g_q), charged lepton (g_l), neutrino and Dirac dark matter chi (g_chi); vector
model: g_V = g, g_A = 0; axial model: g_A = g, g_V = 0. Neutrinos are left-handed only, so they
couple with g_V = g_A = g_l/2 in both models (one Weyl fermion each).

Partial widths at tree level, colour factor N_c = 3 for quarks, beta = sqrt(1 - 4 m_f²/M²):

    Gamma(Z' -> f fbar) = N_c M beta / (12 pi) [g_V² (1 + 2 m_f²/M²) + g_A² (1 - 4 m_f²/M²)].

Fiducial cross-section times branching ratio in the narrow-width approximation (the full
Breit-Wigner integrated over m_ll, Z'-only: interference with Z/gamma* neglected, as in the ATLAS
generic limits), from the rapidity-integrated parton luminosities T_q(m_ll) within the ATLAS
fiducial cuts published with ZPEED (Kahlhoefer, Mück, Schulte & Tunney, arXiv:1912.06374;
their normalisation: dsigma/dm_ll = C m_ll/2 × 2 (g_Vq²+g_Aq²)(g_Vl²+g_Al²) T_q / (8 pi N_c
[(m_ll² - M²)² + M² Gamma²]) with C = 0.3894e12 fb GeV²):

    sigma_fid × BR(ll) = K × C sum_{q=u,d} (g_Vq² + g_Aq²)(g_Vl² + g_Al²) T_q(M) / (16 N_c M Gamma),

with K the higher-order QCD K-factor of config (default 1.0, leading order; ~1.3 is the NNLO/LO
Drell-Yan ratio at TeV masses). An (M, m_chi) point is excluded when this exceeds the 95% CL limit interpolated
linearly in M and in Gamma/M between the six published widths (0, 0.5, 1.2, 3, 6, 10%); points
with Gamma/M > 10% are outside the published validity and are flagged, never excluded.

Likelihood for joint exclusions: at every (m_chi, M) point the observed and expected upper limits
on the signal strength mu (mu_UL = limit / (K sigma_fid × BR)) give the approximate Gaussian
likelihood of :func:`dmcombine.joint.gaussian_from_limits`, stored in the mediator files
(``gaussian_signal_strength_grid``; no information where Gamma/M > 10%). The translation of the
excluded region to sigma_SI / sigma_SD is the spin-1 mediator model's (dmcombine.models.spin1_mediator).

Validation: the Z'_SSM lower mass limit against arXiv:1903.06248 (5.1 TeV), and the V2 signal
against the LHC DM WG coupling-scan code's sigma × A × eps curve for this selection (an
unpublished ATLAS plot digitised by its authors; tests/test_atlas_dilepton.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import InputFormatError
from dmcombine.models.spin1_mediator.physics import (  # the model's couplings and widths
    N_C,
    Couplings,
    model_couplings,
    sm_width,
    total_width,
)
from dmcombine.tables import load_numeric

EXPERIMENT = "ATLAS"
ANALYSIS = "dilepton resonance search, 139 fb^-1 at 13 TeV, reinterpreted for spin-1 mediators"
REFERENCES = [
    {"citation": "ATLAS Collaboration, Phys. Lett. B 796 (2019) 68", "arxiv": "1903.06248", "doi": "10.1016/j.physletb.2019.07.016"},
    {"citation": "F. Kahlhoefer, A. Mück, S. Schulte, P. Tunney, JHEP 03 (2020) 104 (ZPEED)", "arxiv": "1912.06374"},
    {"citation": "A. Albert et al. (LHC DM WG), Phys. Dark Univ. 26 (2019) 100377", "arxiv": "1703.05703"},
    {"citation": "A. Boveia et al. (LHC DM WG), Phys. Dark Univ. 27 (2020) 100365", "arxiv": "1603.04156"},
]
GEV2_TO_FB = 0.3894e12
WIDTHS = np.array([0.0, 0.005, 0.012, 0.03, 0.06, 0.10])  # the published Gamma/M columns


# --- inputs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitTable:
    """95% CL upper limits on sigma_fid × BR [fb] versus pole mass, one column per relative width."""

    mass_gev: NDArray[np.float64]
    limit_fb: NDArray[np.float64]  # (masses, 6)

    def at(self, mass: NDArray[np.float64], width_over_mass: NDArray[np.float64]) -> NDArray[np.float64]:
        """Limit at (M, Gamma/M), linear in M and in Gamma/M; NaN outside 0-10% or the mass range."""
        m = np.asarray(mass, dtype=float)
        cols = np.stack([np.interp(m, self.mass_gev, self.limit_fb[:, j], left=np.nan, right=np.nan)
                         for j in range(len(WIDTHS))], axis=-1)
        w = np.asarray(width_over_mass, dtype=float)
        idx = np.clip(np.searchsorted(WIDTHS, w, side="right") - 1, 0, len(WIDTHS) - 2)
        frac = (w - WIDTHS[idx]) / (WIDTHS[idx + 1] - WIDTHS[idx])
        lo = np.take_along_axis(np.broadcast_to(cols, w.shape + (len(WIDTHS),)), idx[..., None], -1)[..., 0]
        hi = np.take_along_axis(np.broadcast_to(cols, w.shape + (len(WIDTHS),)), idx[..., None] + 1, -1)[..., 0]
        value = lo + frac * (hi - lo)
        return np.where((w >= 0) & (w <= WIDTHS[-1] + 1e-12), value, np.nan)


def read_limit_csv(data: bytes, source: str) -> LimitTable:
    """The re-tabulated HEPData tables 3-6 (mass_GeV, y01..y06 in fb; '#' comment lines)."""
    lines = [ln for ln in data.decode("utf-8").splitlines() if ln and not ln.startswith("#")]
    if not lines or not lines[0].startswith("mass_GeV"):
        raise InputFormatError(f"{source}: expected a header 'mass_GeV,y01,...,y06' after the comment lines")
    return _checked_table(load_numeric("\n".join(lines[1:]), source, "7 numeric columns", delimiter=","), source)


def read_limit_hepdata_json(data: bytes, source: str) -> LimitTable:
    """HEPData JSON export of table 4 (combined dilepton, observed). Its header says pb but the
    values are fb (3.57 at 250 GeV, as in the paper's Fig. 3): read as fb."""
    try:
        doc = json.loads(data)
        rows = [[float(v["x"][0]["value"])] + [float(y["value"]) for y in v["y"]] for v in doc["values"]]
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise InputFormatError(f"{source}: expected a HEPData table JSON with 'values' of x and six y: {exc}") from None
    return _checked_table(np.array(rows), source)


def _checked_table(table: NDArray[np.float64], source: str) -> LimitTable:
    if table.ndim != 2 or table.shape[1] != 7 or len(table) < 2:
        raise InputFormatError(f"{source}: expected rows of mass and six limits, got shape {table.shape}")
    if not np.all(np.isfinite(table)) or np.any(table <= 0):
        raise InputFormatError(f"{source}: limits and masses must be finite and positive")
    if np.any(np.diff(table[:, 0]) <= 0):
        raise InputFormatError(f"{source}: masses must increase")
    return LimitTable(table[:, 0], table[:, 1:])


def read_column(data: bytes, source: str, columns: int) -> NDArray[np.float64]:
    table = load_numeric(data, source, f"{columns} numeric column(s)")
    if table.shape[1] != columns or not np.all(np.isfinite(table)):
        raise InputFormatError(f"{source}: expected {columns} finite numeric column(s), got shape {table.shape}")
    return table[:, 0] if columns == 1 else table


@dataclass(frozen=True)
class Luminosities:
    """T_u(m_ll), T_d(m_ll) of one lepton channel on the ZPEED grid."""

    mll_gev: NDArray[np.float64]
    t_u: NDArray[np.float64]
    t_d: NDArray[np.float64]

    def at(self, mass: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        return (np.interp(mass, self.mll_gev, self.t_u, left=0.0, right=0.0),
                np.interp(mass, self.mll_gev, self.t_d, left=0.0, right=0.0))


def read_luminosities(mll: tuple[bytes, str], t_u: tuple[bytes, str], t_d: tuple[bytes, str]) -> Luminosities:
    """The parton luminosities of one lepton channel from the three ZPEED tables (data, source)."""
    columns = [read_column(*table, 1) for table in (mll, t_u, t_d)]
    if not (len(columns[0]) == len(columns[1]) == len(columns[2])):
        raise InputFormatError(f"the parton-luminosity tables {mll[1]}, {t_u[1]} and {t_d[1]} have "
                               f"{', '.join(str(len(c)) for c in columns)} rows; expected equal")
    return Luminosities(*columns)


# --- physics --------------------------------------------------------------------------------


def fiducial_sigma_fb(mass: NDArray[np.float64], width: NDArray[np.float64], c: dict[str, Couplings],
                      lumis: list[Luminosities], k_factor: float) -> NDArray[np.float64]:
    """K × sigma_fid × BR(Z' -> l l) [fb] (narrow width), averaged over the given lepton channels."""
    m = np.asarray(mass, dtype=float)
    t = np.mean([sum(lu.at(m)) for lu in lumis], axis=0)  # u and d carry the same coupling here
    shape = (m.shape[0],) + (1,) * (np.ndim(width) - 1)
    return k_factor * GEV2_TO_FB * c["quark"].squared * c["lepton"].squared * t.reshape(shape) / (16 * N_C * m.reshape(shape) * width)


def ssm_couplings(sin2_theta_w: float = 0.23126, alpha_mz: float = 1 / 128.0) -> dict[str, dict[str, Couplings]]:
    """Sequential Standard Model Z' couplings (those of the Z): g/cos(theta_W) (T3/2 - Q s²_W) and g/cos(theta_W) T3/2."""
    g_z = np.sqrt(4 * np.pi * alpha_mz / (sin2_theta_w * (1 - sin2_theta_w)))
    def c(t3: float, q: float) -> Couplings:
        return Couplings(g_z * (t3 / 2 - q * sin2_theta_w), g_z * t3 / 2)
    return {"u": c(0.5, 2 / 3), "d": c(-0.5, -1 / 3), "l": c(-0.5, -1.0), "nu": c(0.5, 0.0)}


def ssm_sigma_and_width(mass: NDArray[np.float64], lumis: list[Luminosities], k_factor: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """sigma_fid × BR(ll) [fb] and Gamma/M of the Z'_SSM (top included in the width)."""
    s = ssm_couplings()
    m = np.asarray(mass, dtype=float)
    total = sm_width(m, s["u"], s["d"], s["l"], s["nu"])
    t = np.mean([np.stack(lu.at(m)) for lu in lumis], axis=0)
    sigma = k_factor * GEV2_TO_FB * (s["u"].squared * t[0] + s["d"].squared * t[1]) * s["l"].squared / (16 * N_C * m * total)
    return sigma, total / m


def lower_mass_limit(mass: NDArray[np.float64], sigma: NDArray[np.float64], limit: NDArray[np.float64]) -> float:
    """The largest mass below which every mass is excluded (sigma > limit), interpolated in log."""
    excluded = sigma > limit
    if not excluded[0]:
        return float("nan")
    first_allowed = int(np.argmin(excluded)) if not excluded.all() else len(mass) - 1
    i = first_allowed - 1
    r0, r1 = np.log(sigma[i] / limit[i]), np.log(sigma[i + 1] / limit[i + 1])
    return float(mass[i] + (mass[i + 1] - mass[i]) * r0 / (r0 - r1))


def scan(benchmark: dict[str, Any], grid: dict[str, Any], table: LimitTable, lumis: list[Luminosities],
         k_factor: float) -> dict[str, Any]:
    """Predicted sigma × BR, its limit and the exclusion on the (M_med, m_chi) grid of one benchmark."""
    c = model_couplings(benchmark["kind"], benchmark["g_q"], benchmark["g_l"], benchmark["g_chi"])
    mediator = np.geomspace(grid["mediator_gev"]["min"], grid["mediator_gev"]["max"], grid["mediator_gev"]["points"])
    m_chi = np.geomspace(grid["dm_gev"]["min"], grid["dm_gev"]["max"], grid["dm_gev"]["points"])
    width = total_width(mediator, m_chi, c)
    gamma_over_m = width / mediator[:, None]
    sigma = fiducial_sigma_fb(mediator, width, c, lumis, k_factor)
    limit = table.at(np.broadcast_to(mediator[:, None], gamma_over_m.shape), gamma_over_m)
    valid = np.isfinite(limit)
    ratio = np.where(valid, sigma / np.where(valid, limit, 1.0), np.nan)
    excluded = valid & (ratio > 1.0)
    return {"mediator_gev": mediator, "dm_gev": m_chi, "gamma_over_m": gamma_over_m, "sigma_fb": sigma,
            "limit_fb": limit, "ratio": ratio, "excluded": excluded, "outside_validity": ~valid}


def excluded_edges(result: dict[str, Any]) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Per DM mass: the largest excluded mediator mass, the smallest, and whether any is excluded."""
    ex = result["excluded"]
    med = result["mediator_gev"]
    any_ = ex.any(axis=0)
    hi = np.array([med[ex[:, j]].max() if any_[j] else np.nan for j in range(ex.shape[1])])
    lo = np.array([med[ex[:, j]].min() if any_[j] else np.nan for j in range(ex.shape[1])])
    return lo, hi, any_


# --- outputs --------------------------------------------------------------------------------

def _header(kind: str, method: str, description: str) -> dict[str, Any]:
    from dmcombine.limitfile import MODEL_VERSION, header

    return header(EXPERIMENT, ANALYSIS, REFERENCES, kind, 0.95, method, description, MODEL_VERSION)


def _model(name: str, benchmark: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    from dmcombine.models.spin1_mediator.physics import model_name

    return {"name": model_name(benchmark["kind"]), "variant": name, "assumptions": {**benchmark, **extra}}


def signal_strength_likelihood(results: dict[str, dict[str, Any]], kind: str, threshold: float) -> dict[str, Any]:
    """The approximate likelihood of the signal strength on the scan grid (rows m_chi, columns M):
    for the observed file from the observed and expected limits, for the expected one the Asimov
    version (mu_hat = 0, the same width)."""
    from dmcombine.joint import CONSTRUCTION, gaussian_from_limits

    valid = ~results["expected"]["outside_validity"] & ~results["observed"]["outside_validity"]
    safe = {k: np.where(valid, results[k]["ratio"], 1.0) for k in ("observed", "expected")}
    mu_hat, sigma = gaussian_from_limits(1.0 / safe["observed"], 1.0 / safe["expected"], threshold)
    if kind == "expected":
        mu_hat = np.zeros_like(mu_hat)
    return {
        "type": "gaussian_signal_strength_grid", "construction": CONSTRUCTION,
        "x_values": results["observed"]["dm_gev"],
        "grid": {"name": "mediator_mass", "unit": "GeV", "label": "mediator mass M_med", "values": results["observed"]["mediator_gev"]},
        "mu_hat": np.where(valid, mu_hat, 0.0).T, "sigma_mu": np.where(valid, sigma, 0.0).T,
    }


def limit_documents(name: str, benchmark: dict[str, Any], cfg: dict[str, Any], results: dict[str, dict[str, Any]],
                    provenance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Standard limit files of one benchmark: the excluded mediator masses versus m_chi (observed
    and expected), each with the approximate likelihood of the signal strength on the scan grid."""
    from dmcombine.combination import one_sided_threshold

    extra = {
        "collider": {"beams": "pp", "sqrt_s_gev": 13000.0, "luminosity_fb": 139.0},  # arXiv:1903.06248
        "channel": cfg["channel"],
        "k_factor": cfg["k_factor"],
        "approximations": "narrow width; Z'-only (no interference with Z/gamma*); LO parton luminosities x K; "
                          "limits interpolated linearly in mass and Gamma/M; Gamma/M > 10% never excluded",
        "limit_labels": "ee/mumu and observed/expected labels of HEPData tables 3-6 are inferred from the numbers",
    }
    docs: dict[str, dict[str, Any]] = {}
    for kind, result in results.items():
        lo, hi, any_ = excluded_edges(result)
        flagged = result["outside_validity"].any(axis=0)
        docs[f"mediator_{kind}"] = {
            **_header(kind, "fiducial_cross_section_comparison",
                      f"an (M_med, m_chi) point is excluded where K sigma_fid x BR(ll) exceeds the {kind} 95% CL "
                      "fiducial limit; the curve is the largest excluded mediator mass at each m_chi (a lower "
                      "limit on M_med where the excluded region reaches down to the smallest mass scanned)"),
            "model": _model(name, benchmark, {**extra, "dm_masses_with_widths_above_10_percent_gev": result["dm_gev"][flagged]}),
            "parameter_of_interest": {"name": "mediator_mass", "unit": "GeV", "label": "largest excluded mediator mass M_med"},
            "x": {"name": "dm_mass", "unit": "GeV", "label": "dark-matter mass m_chi"},
            "limit": {"x": result["dm_gev"][any_], "value": hi[any_]},
            "likelihood": signal_strength_likelihood(results, kind, one_sided_threshold(0.95)),
            "auxiliary_limits": [{"label": "smallest excluded mediator mass", "x": result["dm_gev"][any_], "value": lo[any_]}],
            "provenance": provenance,
        }
    return docs


def write_root(path: str, name: str, results: dict[str, dict[str, Any]], docs: dict[str, dict[str, Any]]) -> None:
    """The exclusion as ROOT objects, with uproot, readable by ROOT >= 6.18: per kind a TH2D of
    sigma/limit and a TH2D of the excluded region (1 excluded, 0 allowed, -1 outside the published
    width range) over (M_med, m_chi) bin edges, with axis titles and units, and a TTree (not an
    RNTuple) ``<name>_<kind>_curve`` with branches ``m_chi_GeV``, ``m_med_max_GeV``, ``m_med_min_GeV``:
    the excluded M_med interval per m_chi."""
    import os
    import tempfile

    import hist
    import uproot

    from dmcombine.fileio import atomic_write_bytes

    def edges(centres: NDArray[np.float64]) -> NDArray[np.float64]:
        logs = np.log(centres)
        mid = (logs[1:] + logs[:-1]) / 2
        return np.exp(np.concatenate([[2 * logs[0] - mid[0]], mid, [2 * logs[-1] - mid[-1]]]))

    def th2d(values: NDArray[np.float64], x_edges: NDArray[np.float64], y_edges: NDArray[np.float64], title: str) -> Any:
        histogram = hist.Hist(hist.axis.Variable(x_edges, name="m_med", label="M_{med} [GeV]"),
                              hist.axis.Variable(y_edges, name="m_chi", label="m_{#chi} [GeV]"),
                              storage=hist.storage.Double(), name=title)
        histogram.view()[...] = values
        return histogram

    fd, tmp = tempfile.mkstemp(suffix=".root")
    os.close(fd)
    try:
        with uproot.recreate(tmp) as out:
            for kind, result in results.items():
                x_edges, y_edges = edges(result["mediator_gev"]), edges(result["dm_gev"])
                ratio = np.nan_to_num(result["ratio"], nan=0.0)
                region = np.where(result["outside_validity"], -1.0, result["excluded"].astype(float))
                out[f"{name}_{kind}_ratio"] = th2d(ratio, x_edges, y_edges, f"{name} {kind}: sigma x BR / limit")
                out[f"{name}_{kind}_excluded"] = th2d(
                    region, x_edges, y_edges, f"{name} {kind}: 1 excluded, 0 allowed, -1 outside the width range")
                doc = docs[f"mediator_{kind}"]
                branches = {"m_chi_GeV": np.asarray(doc["limit"]["x"], float),
                            "m_med_max_GeV": np.asarray(doc["limit"]["value"], float),
                            "m_med_min_GeV": np.asarray(doc["auxiliary_limits"][0]["value"], float)}
                tree = out.mktree(f"{name}_{kind}_curve", dict.fromkeys(branches, "f8"),
                                  title=f"{name} {kind}: excluded M_med interval [GeV] per m_chi [GeV]")
                tree.extend(branches)
        with open(tmp, "rb") as handle:
            atomic_write_bytes(path, handle.read())
    finally:
        os.unlink(tmp)
