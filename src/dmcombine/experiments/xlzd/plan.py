"""XLZD planning: one job per (variant, exposure), writing both kinds,
``results/xlzd/<variant>/<exposure>tyr/<kind>.json`` with kind = projected (median 90% CL
exclusion) and discovery (median 3σ reach): they share the signal, the backgrounds and the
exclusion (the discovery file carries its Asimov profile too). XLZD's own variants are drawn on the SI
summary plot; the shared dd_variants go to the HEPData export. Standard library only.
"""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.direct_detection.variants import variants
from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Resources

RULE = "xlzd_sensitivity"
RESOURCES = {RULE: Resources(mem_mb=1000, runtime_min=5)}
KINDS = ("projected", "discovery")
CARD_KEYS = ("detector", "efficiency", "er", "mass_grid_gev", "confidence_level", "discovery_sigma")


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    ctx.grid(section["mass_grid_gev"], "xlzd.mass_grid_gev")
    ctx.interval(section["efficiency"]["window_kevnr"], "xlzd.efficiency.window_kevnr")
    ctx.interval(section["er"]["window_kevee"], "xlzd.er.window_kevee")
    _check_nest(section["efficiency"]["nest"], ctx)
    exposures = ctx.labels(section["exposures_t_yr"], "xlzd.exposures_t_yr")
    inputs = {f"neutrinos.{name}": ctx.did(spec["did"], f"xlzd.neutrinos.{name}.did")
              for name, spec in sorted(section["neutrinos"].items())}
    neutrinos = {name: {k: v for k, v in spec.items() if k != "did"} for name, spec in section["neutrinos"].items()}
    planned = []
    for variant, model in variants(section, ctx, "xlzd"):
        for label, exposure in exposures.items():
            outputs = {kind: LimitOutput(f"results/xlzd/{variant}/{label}tyr/{kind}.json",
                                         pattern=f"results/xlzd/{{variant}}/{{exposure}}tyr/{kind}.json", plane="si",
                                         kind=kind, plotted=variant in section["variants"])
                       for kind in KINDS}
            planned.append(Job(
                rule=RULE, wildcards={"variant": variant, "exposure": label},
                config={"variant": variant, "exposure_t_yr": exposure, "model": model,
                        "neutrinos": neutrinos, **{key: section[key] for key in CARD_KEYS}},
                inputs=inputs, outputs=outputs,
            ))
    return planned


def _check_nest(nest: Dict[str, Any], ctx: Context) -> None:
    """Cross-field checks of the NEST detector parameters (the schema bounds each one)."""
    where = "xlzd.efficiency.nest"
    ctx.interval(nest["s1_window_phd"], f"{where}.s1_window_phd")
    table = nest["table_kevnr"]
    ctx.interval([table["min"], table["max"]], f"{where}.table_kevnr")
    if nest["s1_window_phd"][1] < nest["s1_coincidence_fold"]:
        ctx.problem(f"{where}.s1_window_phd", f"upper end {nest['s1_window_phd'][1]} phd is below the "
                    f"{nest['s1_coincidence_fold']}-fold S1 coincidence (s1_coincidence_fold): no event passes")
