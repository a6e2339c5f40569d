"""What a darkside50_limit job runs: read the summary and the acceptance, compute, write."""

from __future__ import annotations

import logging
from typing import Any

from dmcombine import limitfile
from dmcombine.experiments.darkside50 import physics
from dmcombine.runtime import CardInputs, job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    """The output roles of a job."""
    return ["limit"]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    inputs = CardInputs(card, source)
    summary = physics.read_summary(*inputs.read("summary"))
    acceptance = physics.read_acceptance(*inputs.read("acceptance"))
    result = physics.compute(cfg, summary, acceptance)
    limitfile.write(paths["limit"], physics.limit_document(cfg, result, job_provenance(card, inputs)))
    for m, s in zip(result["mass_gev"], result["sigma_cm2"], strict=True):
        if s == float("inf"):
            log.warning("m = %.4g GeV: no recoil inside the acceptance window, no limit", m)
        else:
            log.info("m = %.4g GeV: sigma_SI < %.4g cm^2", m, s)
