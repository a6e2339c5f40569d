"""ATLAS 139 fb⁻¹ dilepton resonance search (arXiv:1903.06248) reinterpreted for spin-1 mediators.

Model: the LHC DM WG s-channel simplified models (Albert et al., arXiv:1703.05703; Abercrombie et
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

Translation to direct detection (LHC DM WG, Boveia et al., arXiv:1603.04156, eqs. 4.3 and 4.7):
sigma_SI = 9 g_q² g_chi² mu² / (pi M⁴) (vector) and
sigma_SD = 3 g_q² g_chi² mu² (Delta_u + Delta_d + Delta_s)² / (pi M⁴) (axial), with
Delta_u = 0.84, Delta_d = -0.43, Delta_s = -0.09; mu the DM-nucleon reduced mass.

Validation: the Z'_SSM lower mass limit against arXiv:1903.06248 (5.1 TeV), and the V2 signal
against the LHC DM WG coupling-scan code's sigma × A × eps curve for this selection (an
unpublished ATLAS plot digitised by its authors; tests/test_atlas_dilepton.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dmcombine.constants import PROTON_MASS_GEV
from dmcombine.errors import InputFormatError
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
N_C = 3
WIDTHS = np.array([0.0, 0.005, 0.012, 0.03, 0.06, 0.10])  # the published Gamma/M columns
# quark masses [GeV] (PDG 2024: pole mass for t, MS-bar otherwise) and type (u or d)
QUARKS = (("u", 0.0022, "u"), ("d", 0.0047, "d"), ("s", 0.095, "d"), ("c", 1.275, "u"), ("b", 4.18, "d"), ("t", 172.7, "u"))
LEPTONS = (("e", 0.000511), ("mu", 0.10566), ("tau", 1.77686))
SPIN_DEPENDENT_DELTAS = (0.84, -0.43, -0.09)


@dataclass(frozen=True)
class Couplings:
    """Vector and axial couplings of one fermion class."""

    vector: float
    axial: float

    @property
    def squared(self) -> float:
        return self.vector**2 + self.axial**2


def model_couplings(kind: str, g_q: float, g_l: float, g_chi: float) -> dict[str, Couplings]:
    """Quark, charged-lepton, neutrino and DM couplings of the vector or axial model."""
    if kind == "vector":
        quark, lepton, dm = Couplings(g_q, 0.0), Couplings(g_l, 0.0), Couplings(g_chi, 0.0)
    elif kind == "axial":
        quark, lepton, dm = Couplings(0.0, g_q), Couplings(0.0, g_l), Couplings(0.0, g_chi)
    else:
        raise ValueError(f"mediator kind {kind!r}: expected 'vector' or 'axial'")
    return {"quark": quark, "lepton": lepton, "neutrino": Couplings(g_l / 2, g_l / 2), "dm": dm}


def partial_width(mass: NDArray[np.float64], coupling: Couplings, fermion_mass: ArrayLike, colours: int = 1) -> NDArray[np.float64]:
    """Gamma(Z' -> f fbar) [GeV] of the module docstring; zero below threshold."""
    m = np.asarray(mass, dtype=float)
    r = np.asarray(fermion_mass, dtype=float) ** 2 / m**2
    open_ = r < 0.25
    beta = np.sqrt(np.where(open_, 1.0 - 4.0 * r, 0.0))
    value = colours * m * beta / (12 * np.pi) * (coupling.vector**2 * (1 + 2 * r) + coupling.axial**2 * (1 - 4 * r))
    return np.where(open_, value, 0.0)


def sm_width(mass: ArrayLike, up: Couplings, down: Couplings, lepton: Couplings, neutrino: Couplings) -> NDArray[np.float64]:
    """Total width [GeV] into Standard-Model fermions: six quarks, three charged leptons, three neutrinos."""
    m = np.asarray(mass, dtype=float)
    quarks = sum(partial_width(m, up if kind == "u" else down, mq, N_C) for _, mq, kind in QUARKS)
    leptons = sum(partial_width(m, lepton, ml) for _, ml in LEPTONS)
    return quarks + leptons + 3 * partial_width(m, neutrino, 0.0)


def total_width(mass: NDArray[np.float64], m_chi: NDArray[np.float64], c: dict[str, Couplings]) -> NDArray[np.float64]:
    """Total width [GeV] on a (mediator mass, DM mass) grid: SM fermions plus Dirac dark matter."""
    mm = np.asarray(mass, dtype=float)[:, None]
    sm = sm_width(mm, c["quark"], c["quark"], c["lepton"], c["neutrino"])
    return sm + partial_width(mm, c["dm"], np.asarray(m_chi, dtype=float)[None, :])


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


def dd_cross_section_cm2(kind: str, g_q: float, g_chi: float, mediator: NDArray[np.float64], m_chi: NDArray[np.float64]) -> NDArray[np.float64]:
    """sigma_SI (vector) or sigma_SD (axial) per nucleon [cm²] (arXiv:1603.04156)."""
    mu = m_chi * PROTON_MASS_GEV / (m_chi + PROTON_MASS_GEV)
    if kind == "vector":
        sigma = 9 * g_q**2 * g_chi**2 * mu**2 / (np.pi * mediator**4)
    else:
        sigma = 3 * g_q**2 * g_chi**2 * mu**2 * sum(SPIN_DEPENDENT_DELTAS) ** 2 / (np.pi * mediator**4)
    return sigma * 0.3894e-27  # GeV^-2 -> cm²


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

NO_LIKELIHOOD = ("a reinterpretation of published 95% CL cross-section limits: the search's likelihood "
                 "is not public, so this file cannot enter a statistical combination")


def _header(kind: str, method: str, description: str) -> dict[str, Any]:
    from dmcombine.limitfile import header

    return header(EXPERIMENT, ANALYSIS, REFERENCES, kind, 0.95, method, description)


def _model(name: str, benchmark: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": f"s-channel {benchmark['kind']} mediator with Dirac dark matter (LHC DM WG)",
        "variant": name,
        "assumptions": {**benchmark, **extra},
    }


def limit_documents(name: str, benchmark: dict[str, Any], cfg: dict[str, Any], results: dict[str, dict[str, Any]],
                    provenance: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Standard limit files of one benchmark: the excluded mediator masses versus m_chi (observed
    and expected) and the observed limit translated to sigma_SI (vector) or sigma_SD (axial)."""
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
            "likelihood": {"type": "not_available", "reason": NO_LIKELIHOOD},
            "auxiliary_limits": [{"label": "smallest excluded mediator mass", "x": result["dm_gev"][any_], "value": lo[any_]}],
            "provenance": provenance,
        }
    observed = results["observed"]
    lo, hi, any_ = excluded_edges(observed)
    sigma = dd_cross_section_cm2(benchmark["kind"], benchmark["g_q"], benchmark["g_chi"], hi[any_], observed["dm_gev"][any_])
    poi = ({"name": "sigma_si_nucleon", "unit": "cm^2", "label": "SI WIMP-nucleon cross-section"}
           if benchmark["kind"] == "vector" else
           {"name": "sigma_sd_nucleon", "unit": "cm^2", "label": "SD WIMP-nucleon cross-section"})
    docs["dd_observed"] = {
        **_header("observed", "simplified_model_translation",
                  "the largest excluded mediator mass at each m_chi translated with the LHC DM WG formulas "
                  "(arXiv:1603.04156): sigma_SI = 9 g_q^2 g_chi^2 mu^2/(pi M^4), sigma_SD = 3 g_q^2 g_chi^2 "
                  "mu^2 (Du+Dd+Ds)^2/(pi M^4); valid for this benchmark's couplings only"),
        "model": _model(name, benchmark, extra),
        "parameter_of_interest": poi,
        "x": {"name": "mass", "unit": "GeV", "label": "WIMP mass"},
        "limit": {"x": observed["dm_gev"][any_], "value": sigma},
        "likelihood": {"type": "not_available", "reason": NO_LIKELIHOOD},
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
