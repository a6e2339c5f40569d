"""What a km3net_sensitivity job runs: the Feldman–Cousins sensitivity of one channel, one limit
file per livetime (they share the detector response)."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dmcombine import limitfile
from dmcombine.experiments.km3net import physics
from dmcombine.planning.context import number_label
from dmcombine.runtime import CardInputs, job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return [f"livetime_{number_label(years)}yr" for years in card["config"]["livetimes_yr"]]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    channel = cfg["channel"]
    inputs = CardInputs(card, source)
    responses = physics.read_responses(cfg, inputs.read)
    spectra = physics.read_spectra(inputs.read)
    result = physics.compute(cfg, responses, spectra, channel)
    provenance = job_provenance(card, inputs)
    for years in cfg["livetimes_yr"]:
        path = paths[f"livetime_{number_label(years)}yr"]
        limitfile.write(path, physics.limit_document(cfg, channel, years, result, provenance))
        rows = result["per_livetime"][years]
        for target in (1000.0, 10000.0):
            i = int(np.argmin(np.abs(np.log(result["mass_gev"] / target))))
            log.info("%s, %g yr, m = %.4g GeV: <sigma v> < %.3g cm^3/s (selections %s, b = %.3g)", channel, years,
                     result["mass_gev"][i], rows[i]["limit"], "+".join(rows[i]["selections_used"]), rows[i]["background"])
