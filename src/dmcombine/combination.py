"""Statistical combination of standard limit files, and the checks that decide what may be combined.

Results are combined only when they constrain the same parameter (name and unit), versus the same
x (name and unit), with compatible result kinds and the same physics assumptions that define the
parameter (:mod:`dmcombine.planes`: for ⟨σv⟩ the channel and whether the dark matter is
self-conjugate; for σ_SI the halo and couplings), and when they share no input (DID and
checksums, read from their provenance). Their likelihoods are added, never their limits:

    -2ΔlnL_comb(μ; x) = Σ_i -2ΔlnL_i(μ; x) - min_μ' Σ_i -2ΔlnL_i(μ'; x),  μ ≥ 0,

Kinds: equal kinds combine into that kind; observed results may be combined with projections
(a future experiment's Asimov profile added to today's data), and the result is then a
projection itself. Expected, discovery and mixed projections/expectations are never mixed.

each input's -2ΔlnL taken from its own likelihood block (a tabulated profile, or rebuilt exactly
from the sufficient statistics of a Poisson count), interpolated onto common x and μ grids. The
combined limit at confidence level CL is where -2ΔlnL_comb reaches the one-sided threshold
F⁻¹_χ²(2 CL - 1; 1) (2.71 for 95%, 1.64 for 90%), whatever CL each input quoted its own limit at.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from dmcombine.errors import DmcombineError
from dmcombine.joint import joint_exclusion
from dmcombine.limitfile import GRID_LIKELIHOODS, MODEL_VERSION, header
from dmcombine.planes import defining_assumptions
from dmcombine.planning.paths import display_path
from dmcombine.provenance import sha256_file
from dmcombine.stats import chi2_quantile, counting_delta_m2lnl

log = logging.getLogger("dmcombine")



class CombinationError(DmcombineError):
    """The files handed to the combination cannot be combined."""


@dataclass(frozen=True)
class Member:
    """One limit file taking part in a combination."""

    path: str
    doc: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.doc['experiment']} ({self.path})"


def one_sided_threshold(cl: float) -> float:
    """-2ΔlnL of a one-sided upper limit at ``cl``.

    >>> round(one_sided_threshold(0.95), 4), round(one_sided_threshold(0.9), 4)
    (2.7055, 1.6424)
    """
    return chi2_quantile(2.0 * cl - 1.0, 1)


def check_comparable(members: list[Member]) -> None:
    """Refuse, naming the files and the mismatch, anything that may not be combined."""
    if len(members) < 2:
        raise CombinationError(f"a combination needs at least two limit files, got {len(members)}")
    for member in members:
        if member.doc["likelihood"]["type"] == "not_available":
            raise CombinationError(
                f"cannot combine {member.path}: it carries no likelihood "
                f"({member.doc['likelihood']['reason']})"
            )
    first = members[0]
    ref = first.doc
    gridded = [m.doc["likelihood"]["type"] in GRID_LIKELIHOODS for m in members]
    if any(gridded) and not all(gridded):
        grid_member = members[gridded.index(True)]
        other = members[gridded.index(False)]
        raise CombinationError(
            f"cannot combine {grid_member.path} and {other.path}: field /likelihood/type is "
            f"{grid_member.doc['likelihood']['type']!r} (a likelihood on a grid of model points) in one and "
            f"{other.doc['likelihood']['type']!r} in the other; a joint exclusion needs every member on a grid of the "
            "same model")
    projection = combined_kind(members) == "projected"
    checks = [
        ("parameter of interest", lambda d: d["parameter_of_interest"]["name"]),
        ("unit of the parameter of interest", lambda d: d["parameter_of_interest"]["unit"]),
        ("x variable", lambda d: d["x"]["name"]),
        ("unit of x", lambda d: d["x"]["unit"]),
        ("result kind (observed, expected, projected, discovery; observed may join projected)",
         lambda d: "projected" if projection and d["result"]["kind"] == "observed" else d["result"]["kind"]),
        ("model", lambda d: d["model"]["name"]),
    ]
    for key in defining_assumptions(ref["parameter_of_interest"]["name"]):
        checks.append((f"assumption '{key}'", lambda d, key=key: d["model"]["assumptions"].get(key)))
    for what, get in checks:
        for other in members[1:]:
            if get(other.doc) != get(ref):
                raise CombinationError(
                    f"cannot combine {first.path} and {other.path}: different {what} "
                    f"({get(ref)!r} vs {get(other.doc)!r})"
                )
    check_independent(members)


def _inputs(member: Member) -> dict[tuple[str, str, str], str]:
    return {(r["did"], r["adler32"], r["md5"]): r["did"] for r in member.doc["provenance"]["inputs"]}


def check_independent(members: list[Member]) -> None:
    """Refuse members that share an input (DID with its checksums), directly or through an earlier
    combination (whose provenance holds the union of its inputs), or that are two results of one
    experiment: their likelihoods are not independent, and the same data would count twice."""
    for i, first in enumerate(members):
        for other in members[i + 1:]:
            shared = sorted(set(_inputs(first)) & set(_inputs(other)))
            if shared:
                named = ", ".join(did for did, _, _ in shared[:3]) + (f" and {len(shared) - 3} more" if len(shared) > 3 else "")
                raise CombinationError(
                    f"cannot combine {first.path} and {other.path}: both are built on the same data (both read {named}), "
                    "so their likelihoods are not independent and the data would count twice"
                )
    experiments: dict[str, str] = {}
    for member in members:
        name = member.doc["experiment"]
        if name in experiments:
            raise CombinationError(
                f"cannot combine {experiments[name]} and {member.path}: both are {name} results built on the "
                "same data, so their likelihoods are not independent"
            )
        experiments[name] = member.path


def union_of_inputs(members: list[Member]) -> list[dict[str, Any]]:
    """Every input (DID and checksums) behind the members, once each: a combined file's provenance."""
    return list({r["did"]: r for m in members for r in m.doc["provenance"]["inputs"]}.values())


def profile_at(doc: dict[str, Any], index: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(μ grid, -2ΔlnL) of one file at its x grid point ``index``."""
    like = doc["likelihood"]
    if like["type"] == "profile_table":
        return np.asarray(like["poi_values"][index], float), np.asarray(like["delta_minus2lnl"][index], float)
    per_poi = like["signal_per_poi"][index]
    limit = doc["limit"]["value"][index]
    mu = np.concatenate([[0.0], np.geomspace(limit * 1e-3, limit * 1e2, 400)])
    return mu, counting_delta_m2lnl(mu * per_poi, like["observed_events"], like["expected_background_events"])


def evaluate(mu_grid: NDArray[np.float64], m2dlnl: NDArray[np.float64], mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """-2ΔlnL of a tabulated profile at ``mu`` (linear inside, linear extrapolation outside)."""
    inside = np.interp(mu, mu_grid, m2dlnl)
    hi_slope = (m2dlnl[-1] - m2dlnl[-2]) / (mu_grid[-1] - mu_grid[-2]) if len(mu_grid) > 1 else 0.0
    lo_slope = (m2dlnl[1] - m2dlnl[0]) / (mu_grid[1] - mu_grid[0]) if len(mu_grid) > 1 else 0.0
    out = np.where(mu > mu_grid[-1], m2dlnl[-1] + hi_slope * (mu - mu_grid[-1]), inside)
    return np.where(mu < mu_grid[0], m2dlnl[0] + lo_slope * (mu - mu_grid[0]), out)


def profile_on_x(doc: dict[str, Any], x: float, mu: NDArray[np.float64]) -> NDArray[np.float64]:
    """-2ΔlnL of a file at an arbitrary x inside its grid: linear in log x between grid points."""
    xs = np.asarray(doc["limit"]["x"], float)
    j = int(np.searchsorted(xs, x))
    if j < len(xs) and np.isclose(xs[j], x, rtol=1e-9):
        return evaluate(*profile_at(doc, j), mu)
    if j == 0 or j == len(xs):
        raise CombinationError(f"x = {x} lies outside the grid of {doc['experiment']}")
    t = (np.log(x) - np.log(xs[j - 1])) / (np.log(xs[j]) - np.log(xs[j - 1]))
    return (1 - t) * evaluate(*profile_at(doc, j - 1), mu) + t * evaluate(*profile_at(doc, j), mu)


def limit_from_profile(mu: NDArray[np.float64], m2dlnl: NDArray[np.float64], threshold: float) -> float:
    """Smallest μ above the minimum where -2ΔlnL reaches the threshold (linear interpolation)."""
    best = int(np.argmin(m2dlnl))
    above = np.nonzero((np.arange(len(mu)) > best) & (m2dlnl >= threshold))[0]
    if len(above) == 0:
        raise CombinationError("the combined -2ΔlnL never reaches the threshold inside the scanned range")
    i = int(above[0])
    t = (threshold - m2dlnl[i - 1]) / (m2dlnl[i] - m2dlnl[i - 1])
    return float(mu[i - 1] + t * (mu[i] - mu[i - 1]))


def combine(members: list[Member], cl: float, mu_points: int = 2000) -> dict[str, Any]:
    """Combined profile and limit at each common x (or, for likelihoods on a grid of model
    points, the joint exclusion of :mod:`dmcombine.joint`)."""
    check_comparable(members)
    if members[0].doc["likelihood"]["type"] in GRID_LIKELIHOODS:
        return joint_exclusion([m.doc["likelihood"] for m in members], one_sided_threshold(cl))
    lo = max(min(m.doc["limit"]["x"]) for m in members)
    hi = min(max(m.doc["limit"]["x"]) for m in members)
    if lo > hi:
        raise CombinationError(
            "the x ranges do not overlap: " + ", ".join(f"{m.path} {min(m.doc['limit']['x'])}-{max(m.doc['limit']['x'])}" for m in members)
        )
    xs = sorted({x for m in members for x in m.doc["limit"]["x"] if lo <= x <= hi})
    threshold = one_sided_threshold(cl)
    limits, mu_rows, prof_rows = [], [], []
    for x in xs:
        individual = [float(np.exp(np.interp(np.log(x), np.log(m.doc["limit"]["x"]), np.log(m.doc["limit"]["value"]))))
                      for m in members]
        mu = np.concatenate([[0.0], np.geomspace(min(individual) * 1e-4, max(individual) * 10.0, mu_points)])
        total = sum(profile_on_x(m.doc, x, mu) for m in members)
        total = total - total.min()
        limits.append(limit_from_profile(mu, total, threshold))
        keep = (mu == 0) | ((mu >= limits[-1] / 100) & (mu <= limits[-1] * 10))
        mu_rows.append(mu[keep])
        prof_rows.append(np.maximum(total[keep], 0.0))
    return {"x": np.asarray(xs), "limit": np.asarray(limits), "poi_values": mu_rows, "delta_minus2lnl": prof_rows,
            "threshold": threshold}


def combined_kind(members: list[Member]) -> str:
    """The kind of a combination: 'projected' as soon as one member is a projection."""
    kinds = {m.doc["result"]["kind"] for m in members}
    return "projected" if "projected" in kinds else kinds.pop()


def combined_document(name: str, members: list[Member], cl: float, result: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """The combined result as a standard limit file."""
    if "grid" in result:
        return joint_document(name, members, cl, result, provenance)
    ref = members[0].doc
    references = _references(members)
    defining = {k: ref["model"]["assumptions"].get(k) for k in defining_assumptions(ref["parameter_of_interest"]["name"])}
    description = (
        "sum of the inputs' -2ΔlnL profiles on common grids, re-minimised over the parameter "
        f"(≥ 0); one-sided limit at -2ΔlnL = {result['threshold']:.4f}"
    )
    if len({m.doc["result"]["kind"] for m in members}) > 1:
        description += "; observed data combined with the Asimov profile of a projection, so the result is a projection"
    return {
        **header(" + ".join(m.doc["experiment"] for m in members), f"statistical combination '{name}'",
                 references, combined_kind(members), cl, "sum_of_profile_likelihoods", description),
        "model": {
            "name": ref["model"]["name"],
            "variant": name,
            "assumptions": {**defining, "components": _components(members)},
        },
        "parameter_of_interest": ref["parameter_of_interest"],
        "x": ref["x"],
        "limit": {"x": result["x"], "value": result["limit"]},
        "likelihood": {"type": "profile_table", "poi_values": result["poi_values"], "delta_minus2lnl": result["delta_minus2lnl"]},
        "auxiliary_limits": [
            {"label": f"{m.doc['experiment']} alone ({100 * m.doc['result']['confidence_level']:g}% CL)",
             "x": m.doc["limit"]["x"], "value": m.doc["limit"]["value"]}
            for m in members
        ],
        "provenance": provenance,
    }


def _components(members: list[Member]) -> list[dict[str, Any]]:
    return [{"file": display_path(m.path), "sha256": sha256_file(m.path), "experiment": m.doc["experiment"],
             "analysis": m.doc["analysis"], "variant": m.doc["model"]["variant"],
             "confidence_level": m.doc["result"]["confidence_level"]} for m in members]


def _references(members: list[Member]) -> list[dict[str, Any]]:
    references, seen = [], set()
    for member in members:
        for reference in member.doc["references"]:
            if reference["citation"] not in seen:
                seen.add(reference["citation"])
                references.append(reference)
    return references


def joint_document(name: str, members: list[Member], cl: float, result: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """A joint exclusion in a model's plane as a standard limit file (version 3): the largest
    excluded grid value (e.g. M_med) per x, each member alone under the same test beside it."""
    ref = members[0].doc
    lo, hi, any_ = result["joint"]
    defining = {k: ref["model"]["assumptions"].get(k) for k in defining_assumptions(ref["parameter_of_interest"]["name"])}
    if not any_.any():
        raise CombinationError(f"the joint exclusion {name!r} excludes no point of the grid at {100 * cl:g}% CL")
    description = (
        "joint test of each model point (signal strength mu = 1) with the likelihood-ratio statistic of the sum of "
        "the members' -2 ln L(mu), q(1) = Q(1) - min_(0<=mu<=1) Q(mu), and its "
        + ("exact distribution (Poisson outcomes summed, Gaussian integrated; dmcombine.joint)" if result["method"] == "exact"
           else "asymptotic distribution (several counts: not enumerated)")
        + f": excluded where p < {1 - cl:.3g}; the curve is the largest excluded {result['axis']['label']} at each x "
        "(interpolated in log to the crossing), each member alone under the same test in auxiliary_limits"
    )
    auxiliary = [{"label": f"smallest excluded {result['axis']['label']} (joint)", "x": result["x"][any_], "value": lo[any_]}]
    for member, (_, alone_hi, alone_any) in zip(members, result["alone"], strict=True):
        if alone_any.any():
            auxiliary.append({"label": f"{member.doc['experiment']} alone ({100 * cl:g}% CL, same test)",
                              "x": result["x"][alone_any], "value": alone_hi[alone_any]})
    return {
        **header(" + ".join(m.doc["experiment"] for m in members), f"joint exclusion '{name}'", _references(members),
                 combined_kind(members), cl, "joint_signal_strength_test", description, MODEL_VERSION),
        "model": {"name": ref["model"]["name"], "variant": name,
                  "assumptions": {**defining, **{k: m.doc["model"]["assumptions"][k] for m in members
                                                 for k in ("collider",) if k in m.doc["model"]["assumptions"]},
                                  "components": _components(members)}},
        "parameter_of_interest": ref["parameter_of_interest"],
        "x": ref["x"],
        "limit": {"x": result["x"][any_], "value": hi[any_]},
        "likelihood": {"type": "not_available",
                       "reason": "a joint exclusion on a grid of model points: the members' likelihoods are in their files"},
        "auxiliary_limits": auxiliary,
        "provenance": provenance,
    }
