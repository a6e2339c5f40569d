"""What an xlzd_sensitivity job runs: the median exclusion and discovery reach of one (variant,
exposure), from the neutrino spectra its card names, one file each."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from dmcombine import limitfile
from dmcombine.direct_detection.neutrinos import read_spectrum
from dmcombine.experiments.xlzd import physics
from dmcombine.runtime import CardInputs, job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return ["projected", "discovery"]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    inputs = CardInputs(card, source)
    sources = {}
    for name, spec in sorted(cfg["neutrinos"].items()):
        data, path = inputs.read(f"neutrinos.{name}")
        sources[name] = read_spectrum(data, path, name, spec["flux_cm2_s"])
    result = physics.compute(cfg, sources)
    docs = dict(zip(("projected", "discovery"), physics.limit_documents(cfg, result, job_provenance(card, inputs)),
                    strict=True))
    prepared = {kind: limitfile.prepare(doc, paths[kind]) for kind, doc in docs.items()}  # both valid, or neither written
    for kind, ready in prepared.items():
        limitfile.write_prepared(paths[kind], ready)
    for name, events in docs["projected"]["model"]["assumptions"]["expected_background_events"].items():
        log.info("background %s: %.3g events", name, events)
    for kind, doc in docs.items():
        for m in (40.0, 100.0, 1000.0, 10000.0):
            log.info("m = %g GeV: %s %.3g cm^2", m, kind, np.interp(m, doc["limit"]["x"], doc["limit"]["value"]))
