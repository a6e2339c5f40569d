"""What an atlas_dilepton_limits job runs: the (M_med, m_chi) scan of one benchmark against the
observed and expected fiducial limits (with the signal-strength likelihood on the grid) and the ROOT file."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dmcombine import limitfile
from dmcombine.experiments.atlas_dilepton import physics
from dmcombine.runtime import CardInputs, job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return ["mediator_observed", "mediator_expected", "root"]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    inputs = CardInputs(card, source)
    lumis = [physics.read_luminosities(inputs.read("t_mll"), inputs.read("t_u"), inputs.read("t_d"))]
    results = {}
    for kind in ("observed", "expected"):
        table = physics.read_limit_csv(*inputs.read(kind))
        results[kind] = physics.scan(cfg["benchmark"], cfg["grid"], table, lumis, cfg["k_factor"])
    docs = physics.limit_documents(cfg["name"], cfg["benchmark"], cfg, results, job_provenance(card, inputs))
    for stem, doc in docs.items():
        limitfile.write(paths[stem], doc)
    physics.write_root(paths["root"], cfg["name"], results, docs)
    for kind in ("observed", "expected"):
        hi = np.asarray(docs[f"mediator_{kind}"]["limit"]["value"], dtype=float)
        log.info("%s: largest excluded mediator mass %.0f GeV (%s)", cfg["name"], hi.max() if hi.size else float("nan"), kind)
