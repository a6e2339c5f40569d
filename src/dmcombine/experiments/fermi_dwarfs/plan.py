"""Fermi-LAT planning: one limit job per channel, writing one limit file per dwarf set, and one
⟨σv⟩ plot per dwarf set.

A job reads the photon spectra, the J-factor tables of the sets and the likelihood of every dwarf
of the sets; a dwarf that several sets take with the same J-factor is profiled once. The
reference set's files are drawn on the ⟨σv⟩ plane and offered to combinations (``reference_set``); the other sets appear on their own plots and in the HEPData export.
Standard library only.
"""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Output, Resources

RESOURCES = {
    "fermi_dwarfs_limit": Resources(mem_mb=2000, runtime_min=10),
    "fermi_dwarfs_plot": Resources(mem_mb=1000, runtime_min=5),
}
CARD_KEYS = ("mass_grid_gev", "sigmav_grid_cm3_s", "jfactor_profile_sigmas", "self_conjugate", "confidence_level")


def likelihood_did(section: Dict[str, Any], dwarf: str) -> str:
    return section["inputs"]["likelihood"].replace("{dwarf}", dwarf)


def _check_tables(section: Dict[str, Any], ctx: Context) -> None:
    for name, table in sorted(section["jfactor_tables"].items()):
        if table["format"] == "dmsky" and "key" not in table:
            ctx.problem(f"fermi_dwarfs.jfactor_tables.{name}", "format dmsky needs a key")


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    ctx.grid(section["mass_grid_gev"], "fermi_dwarfs.mass_grid_gev")
    grid = section["sigmav_grid_cm3_s"]
    if grid["min"] >= grid["max"]:
        ctx.problem("fermi_dwarfs.sigmav_grid_cm3_s", f"min ({grid['min']}) must be below max ({grid['max']})")
    _check_tables(section, ctx)
    sets = section["dwarf_sets"]
    chosen = ctx.names(section.get("run_sets") or sorted(sets), sets, "fermi_dwarfs.run_sets", "fermi_dwarfs.dwarf_sets")
    reference = section["reference_set"]
    if reference not in chosen:
        ctx.problem("fermi_dwarfs.reference_set", f"{reference!r} is not one of the sets run ({', '.join(chosen)})")
    head, tail = section["inputs"]["likelihood"].split("{dwarf}")
    known = sorted(did[len(head):len(did) - len(tail)] for did in ctx.catalogue
                   if did.startswith(head) and did.endswith(tail))
    inputs = {"spectra": ctx.did(section["inputs"]["spectra"], "fermi_dwarfs.inputs.spectra")}
    planned, limit_sets, outputs = [], [], {channel: {} for channel in section["channels"]}
    for set_name in sorted(sets, key=lambda name: (name not in chosen, chosen.index(name) if name in chosen else 0, name)):
        # every defined set is checked (a typo in one not run is still a typo); chosen ones are run
        dwarf_set = sets[set_name]
        where = f"fermi_dwarfs.dwarf_sets.{set_name}"
        reads = inputs if set_name in chosen else {}
        for table in dwarf_set["jfactors"]:
            if table not in section["jfactor_tables"]:
                ctx.problem(f"{where}.jfactors", f"unknown J-factor table {table!r}")
                continue
            reads[f"jfactors.{table}"] = ctx.did(section["jfactor_tables"][table]["did"],
                                                 f"fermi_dwarfs.jfactor_tables.{table}.did")
        for dwarf in dwarf_set["dwarfs"]:
            did = likelihood_did(section, dwarf)
            if did not in ctx.catalogue:
                ctx.problem(f"{where}.dwarfs", f"unknown dwarf {dwarf!r} (no likelihood {did}); known: {', '.join(known)}")
                continue
            reads[f"likelihood.{dwarf}"] = ctx.did(did, "fermi_dwarfs.inputs.likelihood")
        if set_name not in chosen:
            continue
        formats = {t: {k: v for k, v in section["jfactor_tables"][t].items() if k != "did"}
                   for t in dwarf_set["jfactors"] if t in section["jfactor_tables"]}
        limit_sets.append({"dwarf_set": {"name": set_name, **dwarf_set}, "jfactor_formats": formats})
        files = []
        for channel in section["channels"]:
            path = f"results/fermi_dwarfs/{set_name}/{channel}/limit.json"
            files.append(path)
            outputs[channel][f"limit_{set_name}"] = LimitOutput(
                path, pattern=f"results/fermi_dwarfs/{set_name}/{{channel}}/limit.json", plane="sigmav", kind="observed",
                plotted=set_name == reference, representative=set_name == reference,
                defining=(("channel", channel), ("self_conjugate", section["self_conjugate"])))
        planned.append(Job(
            rule="fermi_dwarfs_plot", wildcards={"dwarf_set": set_name}, kind="plot",
            config={"style": "sigmav", "title": f"Fermi-LAT dwarfs ({set_name})"},
            depends=files,
            outputs={"pdf": Output(f"results/fermi_dwarfs/{set_name}/sigmav_limits.pdf"),
                     "png": Output(f"results/fermi_dwarfs/{set_name}/sigmav_limits.png")},
        ))
    # one job per channel computes every chosen set: a dwarf in several sets with the same J-factor
    # (the 19 kinematic dwarfs of albert2017_kinematic and albert2017_combined) is profiled once
    limits = [Job(rule="fermi_dwarfs_limit", wildcards={"channel": channel},
                  config={"channel": channel, "sets": limit_sets, **{key: section[key] for key in CARD_KEYS}},
                  inputs=dict(sorted(inputs.items())), outputs=outputs[channel])
              for channel in section["channels"]]
    return limits + planned
