"""What the spin-1 mediator's entries of the model_translate job compute: a direct-detection limit
in a benchmark's mediator plane (with its Poisson likelihood on the grid when the source has one),
a mediator-plane exclusion as σ_SI / σ_SD, and the benchmark's thermal-relic line."""

from __future__ import annotations

from typing import Any

import numpy as np

from dmcombine.errors import LimitFileError
from dmcombine.limitfile import MODEL_VERSION, header, is_published
from dmcombine.models.spin1_mediator import physics
from dmcombine.planning.paths import display_path
from dmcombine.provenance import sha256_file


def _source_block(path: str, doc: dict[str, Any]) -> dict[str, Any]:
    block = {"kind": "limit_file", "experiment": doc["experiment"], "file": display_path(path), "sha256": sha256_file(path),
             "method": doc["result"]["method"]["name"], "description": f"{doc['analysis']} ({doc['result']['kind']})",
             "references": doc["references"]}
    if "publication" in doc:
        block.update(licence=doc["publication"]["licence"], compiled_by=doc["publication"]["digitised_by"])
    return block


def _expect(path: str, doc: dict[str, Any], poi: str) -> None:
    if doc["parameter_of_interest"]["name"] != poi:
        raise LimitFileError(f"{display_path(path)}: field /parameter_of_interest/name is "
                             f"{doc['parameter_of_interest']['name']!r}; this translation reads {poi!r}")


def to_mediator(entry: dict[str, Any], path: str, doc: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    c = entry["couplings"]
    kind = c["kind"]
    _expect(path, doc, physics.plane_of_kind(kind)["name"])
    m_chi = np.asarray(doc["limit"]["x"], dtype=float)
    m_lim = physics.excluded_mediator_mass(kind, c["g_q"], c["g_chi"], doc["limit"]["value"], m_chi)
    like = doc["likelihood"]
    if like["type"] == "poisson_counting":
        g = entry["mediator_grid_gev"]
        grid = np.geomspace(g["min"], g["max"], g["points"])
        per_poi = np.asarray(like["signal_per_poi"], dtype=float)
        signal = physics.cross_section_cm2(kind, c["g_q"], c["g_chi"], grid[None, :], m_chi[:, None]) * per_poi[:, None]
        likelihood = {"type": "poisson_counting_grid", "x_values": m_chi,
                      "grid": {"name": "mediator_mass", "unit": "GeV", "label": "mediator mass M_med", "values": grid},
                      "observed_events": like["observed_events"],
                      "expected_background_events": like["expected_background_events"], "signal_per_mu": signal}
    else:
        likelihood = {"type": "not_available",
                      "reason": f"the source's likelihood ({like['type']}) is not translated into the mediator plane"}
    published = is_published(doc)
    label = doc["model"]["assumptions"].get("label", doc["experiment"])
    return {
        **header(doc["experiment"], f"{doc['analysis']}, translated to the {entry['benchmark']} mediator plane",
                 doc["references"] + physics.REFERENCES, doc["result"]["kind"], doc["result"]["confidence_level"],
                 "translation", f"{physics.formula(kind, 'to_mediator')}; every M_med below the curve is excluded",
                 MODEL_VERSION),
        "model": {"name": physics.model_name(kind), "variant": entry["benchmark"],
                  "assumptions": {**c, **({"label": f"{label} (in {entry['benchmark']})"} if published else {}),
                                  "source_assumptions": {k: v for k, v in doc["model"]["assumptions"].items()
                                                         if k in ("halo", "couplings", "nucleon", "target", "exposure_t_yr")}}},
        "parameter_of_interest": physics.MEDIATOR,
        "x": physics.DM_MASS,
        "limit": {"x": m_chi, "value": m_lim},
        "likelihood": likelihood,
        "provenance": provenance,
        "translation": physics.translation_block(kind, entry["benchmark"], c, "to_mediator", _source_block(path, doc)),
    }


def to_direct_detection(entry: dict[str, Any], path: str, doc: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    c = entry["couplings"]
    kind = c["kind"]
    _expect(path, doc, "mediator_mass")
    m_chi = np.asarray(doc["limit"]["x"], dtype=float)
    sigma = physics.cross_section_cm2(kind, c["g_q"], c["g_chi"], doc["limit"]["value"], m_chi)
    return {
        **header(doc["experiment"], f"{doc['analysis']}, translated to direct detection ({entry['benchmark']})",
                 doc["references"] + physics.REFERENCES, doc["result"]["kind"], doc["result"]["confidence_level"],
                 "translation", f"{physics.formula(kind, 'to_direct_detection')}; valid for this benchmark's couplings only",
                 MODEL_VERSION),
        "model": {"name": physics.model_name(kind), "variant": entry["benchmark"], "assumptions": dict(c)},
        "parameter_of_interest": physics.plane_of_kind(kind),
        "x": physics.WIMP_MASS,
        "limit": {"x": m_chi, "value": sigma},
        "likelihood": {"type": "not_available", "reason": "a translated collider exclusion (its likelihood stays in the mediator plane)"},
        "provenance": provenance,
        "translation": physics.translation_block(kind, entry["benchmark"], c, "to_direct_detection", _source_block(path, doc)),
    }


RELIC_METHOD = ("Omega h^2 of Dirac chi + chibar from the numerical Boltzmann equation with the Gondolo-Gelmini thermal "
                "average (exact through the resonance M = 2 m_chi), s-channel annihilation to SM fermions and t/u-channel "
                "chi chibar -> Z'Z' (s-wave) for m_chi > M (dmcombine.models.spin1_mediator.relic)")


def _segments(x: np.ndarray, y: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """The runs of finite y, each as (x, y)."""
    finite = np.isfinite(y)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], finite.astype(int), [0]])))
    return [(x[a:b], y[a:b]) for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]


def relic_line(entry: dict[str, Any]) -> dict[str, Any]:
    """The benchmark's Omega h^2 = 0.12 line as a reference curve (not a limit): the crossings
    just below and just above the resonance M = 2 m_chi, each in its finite runs."""
    from dmcombine.models.spin1_mediator import relic

    c, r = entry["couplings"], entry["relic"]
    m_chi = np.geomspace(r["dm_gev"]["min"], r["dm_gev"]["max"], r["dm_gev"]["points"])
    m_med = np.geomspace(r["mediator_gev"]["min"], r["mediator_gev"]["max"], r["mediator_gev"]["points"])
    line = relic.relic_line(c["kind"], c["g_q"], c["g_l"], c["g_chi"], m_chi, m_med, r["omega_h2"])
    branches = []
    for name, values in (("below the resonance", line.below_resonance), ("above the resonance", line.above_resonance)):
        for xs, ys in _segments(m_chi, values):
            branches.append({"branch": name, "m_chi_gev": xs.tolist(), "m_med_gev": ys.tolist()})
    return {"label": f"thermal relic $\\Omega h^2 = {r['omega_h2']:g}$ ({entry['benchmark']})", "model": "spin1_mediator",
            "benchmark": entry["benchmark"], "couplings": c, "method": RELIC_METHOD,
            "omega_h2": r["omega_h2"], "branches": branches}
