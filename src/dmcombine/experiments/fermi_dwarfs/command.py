"""What a fermi_dwarfs_limit job runs: read the spectra, the J tables and the likelihoods of one
dwarf set, compute the joint limit of one channel, write it."""

from __future__ import annotations

import logging
from typing import Any

from dmcombine import limitfile
from dmcombine.experiments.fermi_dwarfs import physics
from dmcombine.indirect.jfactors import read_albert2017_table, read_dmsky
from dmcombine.indirect.spectra import read_pppc
from dmcombine.runtime import CardInputs, job_provenance

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return ["limit"]


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    inputs = CardInputs(card, source)
    dwarf_set = cfg["dwarf_set"]
    spectra = read_pppc(*inputs.read("spectra"))
    tables = []
    for name in dwarf_set["jfactors"]:
        data, path = inputs.read(f"jfactors.{name}")
        form = cfg["jfactor_formats"][name]
        table = read_albert2017_table(data, path) if form["format"] == "albert2017_table" else read_dmsky(data, path, form["key"])
        tables.append((name, table))
    dwarfs = physics.jfactors_for(dwarf_set["dwarfs"], tables, f"fermi_dwarfs.dwarf_sets.{dwarf_set['name']}")
    likelihoods = {dwarf: physics.read_likelihood(*inputs.read(f"likelihood.{dwarf}"), dwarf) for dwarf in dwarf_set["dwarfs"]}
    result = physics.compute(cfg, cfg["channel"], dwarfs, likelihoods, spectra)
    limitfile.write(paths["limit"], physics.limit_document(cfg, cfg["channel"], dwarfs, result, job_provenance(card, inputs)))
    for m, sv in zip(result["mass_gev"], result["sigmav_cm3_s"], strict=True):
        log.info("m = %.4g GeV: <sigma v> < %.4g cm^3/s (%s, %s)", m, sv, cfg["channel"], dwarf_set["name"])
