"""KM3NeT planning: one job per annihilation channel (they share nothing but the configuration),
each writing one limit file per livetime, ``results/km3net/<channel>/<livetime>yr.json``, and one
plot of every channel and livetime. The files at ``combine_livetime_yr`` stand for KM3NeT on the
⟨σv⟩ plane and in combinations. Standard library only."""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Output, Resources

RESOURCES = {
    "km3net_sensitivity": Resources(mem_mb=1000, runtime_min=10),
    "km3net_plot": Resources(mem_mb=1000, runtime_min=5),
}
SPECTRA_ROLES = ("spectra_nue", "spectra_numu", "spectra_nutau")
KM3IRF_ROLES = ("aeff", "psf", "edisp", "bkg_nu", "bkg_mu")
ARCA230_PARTS = ("aeff", "psf", "eresp", "bkg")  # the arca230 module's ROLES (planning imports no numpy)
CARD_KEYS = ("livetimes_yr", "confidence_level", "self_conjugate", "mass_grid_gev", "detector", "oscillations", "window")


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    ctx.grid(section["mass_grid_gev"], "km3net.mass_grid_gev")
    window = section["window"]
    if window["e_reco_min_gev"] >= window["e_reco_max_gev"]:
        ctx.problem("km3net.window", f"e_reco_min_gev ({window['e_reco_min_gev']}) must be below e_reco_max_gev "
                    f"({window['e_reco_max_gev']})")
    halo = section["halo"]
    if halo["profile"] not in halo["profiles"]:
        ctx.problem("km3net.halo.profile", f"{halo['profile']!r} has no parameters in km3net.halo.profiles")
    livetimes = ctx.labels(section["livetimes_yr"], "km3net.livetimes_yr")
    combined = section.get("combine_livetime_yr", max(section["livetimes_yr"]))
    if combined not in section["livetimes_yr"]:
        ctx.problem("km3net.combine_livetime_yr", f"{combined} is not one of livetimes_yr {section['livetimes_yr']}")
    detector = section["detector"]
    needed = list(SPECTRA_ROLES) + (
        [f"arca230_{part}_{sel}" for sel in detector["arca230"]["selections"] for part in ARCA230_PARTS]
        if detector["name"] == "arca230" else list(KM3IRF_ROLES))
    for role in needed:
        if role not in section["inputs"]:
            ctx.problem(f"km3net.inputs.{role}", f"is missing: detector {detector['name']} reads it")
    inputs = {role: ctx.did(section["inputs"][role], f"km3net.inputs.{role}") for role in sorted(needed) if role in section["inputs"]}
    card_halo = {**halo, "profiles": {k: v for k, v in halo["profiles"].items() if k == halo["profile"]}}
    planned, files = [], []
    for channel in section["channels"]:
        outputs = {}
        for label, years in livetimes.items():
            path = f"results/km3net/{channel}/{label}yr.json"
            files.append(path)
            chosen = years == combined
            outputs[f"livetime_{label}yr"] = LimitOutput(
                path, pattern=f"results/km3net/{{channel}}/{label}yr.json", plane="sigmav", kind="projected",
                plotted=chosen, representative=chosen,
                defining=(("channel", channel), ("self_conjugate", section["self_conjugate"])))
        planned.append(Job(
            rule="km3net_sensitivity", wildcards={"channel": channel},
            config={"channel": channel, "halo": card_halo, **{key: section[key] for key in CARD_KEYS}},
            inputs=inputs, outputs=outputs,
        ))
    planned.append(Job(
        rule="km3net_plot", wildcards={}, kind="plot",
        config={"style": "sigmav", "title": "KM3NeT/ARCA Galactic Centre, projected"},
        depends=files,
        outputs={"pdf": Output("results/km3net/sigmav_sensitivity.pdf"),
                 "png": Output("results/km3net/sigmav_sensitivity.png")},
    ))
    return planned
