"""What a fermi_dwarfs_limit job runs: read the spectra, the J tables and the likelihoods of the
dwarf sets, compute the joint limit of one channel for each set, write one limit file per set.

A dwarf that several sets take with the same J-factor (and uncertainty) is profiled once and its
profile kept until the last set that uses it (:class:`physics.SharedProfiles`); each set's file is
what a job of that set alone writes, its provenance naming only the inputs of that set."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from dmcombine import limitfile
from dmcombine.experiments.fermi_dwarfs import physics
from dmcombine.indirect.jfactors import read_albert2017_table, read_dmsky
from dmcombine.indirect.spectra import read_pppc
from dmcombine.provenance import provenance_record
from dmcombine.runtime import CardInputs

log = logging.getLogger("dmcombine")


def outputs(card: dict[str, Any]) -> list[str]:
    return [f"limit_{limit_set['dwarf_set']['name']}" for limit_set in card["config"]["sets"]]


def set_config(cfg: dict[str, Any], limit_set: dict[str, Any]) -> dict[str, Any]:
    """The configuration of one dwarf set: the job's, with that set's dwarfs and J tables."""
    shared = {key: value for key, value in cfg.items() if key != "sets"}
    return {"channel": shared.pop("channel"), "dwarf_set": limit_set["dwarf_set"],
            "jfactor_formats": limit_set["jfactor_formats"], **shared}


def run(card: dict[str, Any], paths: dict[str, str], source: str) -> None:
    cfg = card["config"]
    inputs = CardInputs(card, source)
    records: dict[str, dict[str, Any]] = {}  # role -> provenance record of the input read

    def read(role: str) -> tuple[bytes, str]:
        found = inputs.read(role)
        records[role] = inputs.read_records[-1]
        return found

    spectra = read_pppc(*read("spectra"))
    tables: dict[str, Any] = {}
    likelihoods: dict[str, physics.BinnedLikelihood] = {}
    plans = []
    for limit_set in cfg["sets"]:
        set_cfg = set_config(cfg, limit_set)
        dwarf_set = set_cfg["dwarf_set"]
        for name in dwarf_set["jfactors"]:
            if name not in tables:
                data, path = read(f"jfactors.{name}")
                form = set_cfg["jfactor_formats"][name]
                tables[name] = (read_albert2017_table(data, path) if form["format"] == "albert2017_table"
                                else read_dmsky(data, path, form["key"]))
        dwarfs = physics.jfactors_for(dwarf_set["dwarfs"], [(name, tables[name]) for name in dwarf_set["jfactors"]],
                                      f"fermi_dwarfs.dwarf_sets.{dwarf_set['name']}")
        for dwarf in dwarf_set["dwarfs"]:
            if dwarf not in likelihoods:
                likelihoods[dwarf] = physics.read_likelihood(*read(f"likelihood.{dwarf}"), dwarf)
        roles = ["spectra", *(f"jfactors.{name}" for name in dwarf_set["jfactors"]),
                 *(f"likelihood.{dwarf}" for dwarf in dwarf_set["dwarfs"])]
        plans.append((set_cfg, dwarfs, roles))
    shared = physics.SharedProfiles(Counter((dwarf, *jfactor) for _, dwarfs, _ in plans for dwarf, jfactor in dwarfs.items()))
    for set_cfg, dwarfs, roles in plans:
        name = set_cfg["dwarf_set"]["name"]
        result = physics.compute(set_cfg, cfg["channel"], dwarfs, {d: likelihoods[d] for d in dwarfs}, spectra, shared)
        provenance = provenance_record(list({records[r]["did"]: records[r] for r in roles}.values()), set_cfg, card["rule"])
        limitfile.write(paths[f"limit_{name}"], physics.limit_document(set_cfg, cfg["channel"], dwarfs, result, provenance))
        for m, sv in zip(result["mass_gev"], result["sigmav_cm3_s"], strict=True):
            log.info("m = %.4g GeV: <sigma v> < %.4g cm^3/s (%s, %s)", m, sv, cfg["channel"], name)
