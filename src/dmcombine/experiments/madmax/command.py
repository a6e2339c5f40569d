"""What a madmax_limit job runs: the limit (prototype) or projected reach (full scale) of one setup."""

from __future__ import annotations

import logging
from typing import Any

from dmcombine import limitfile
from dmcombine.experiments.madmax import physics
from dmcombine.runtime import job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return ["limit"]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    config = card["config"]
    cfg = {**config["setup"], "name": config["name"], "confidence_level": config["confidence_level"]}
    result = physics.compute(cfg)
    limitfile.write(paths["limit"], physics.limit_document(cfg, result, job_provenance(card)))
    best = int(result["limit_gev"].argmin())
    log.info("%s: strongest limit |g| < %.3g /GeV at m_a = %.4g µeV", cfg["name"], result["limit_gev"][best],
             result["mass_ev"][best] * 1e6)
