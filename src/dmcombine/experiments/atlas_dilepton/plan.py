"""ATLAS dilepton planning: one job per benchmark, writing the excluded mediator masses (observed
and expected, mediator plane, each with the approximate likelihood of the signal strength on the
scan grid: the observed one stands for ATLAS in the benchmark's joint exclusion) and a ROOT file.
The spin-1 mediator model translates the observed curve to σ_SI / σ_SD. Standard library only."""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.models.spin1_mediator.plan import couplings_key
from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Output, Resources

RULE = "atlas_dilepton_limits"
RESOURCES = {RULE: Resources(mem_mb=1000, runtime_min=5)}


def input_keys(channel: str) -> Dict[str, str]:
    """Role -> key of atlas_dilepton.inputs for a lepton channel."""
    short = "ee" if channel == "ee" else "mm"
    return {"observed": f"{channel}_observed", "expected": f"{channel}_expected", "t_mll": "t_mll",
            "t_u": f"t_{short}_u", "t_d": f"t_{short}_d"}


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    ctx.grid(section["grid"]["mediator_gev"], "atlas_dilepton.grid.mediator_gev")
    ctx.grid(section["grid"]["dm_gev"], "atlas_dilepton.grid.dm_gev")
    inputs = {role: ctx.did(section["inputs"][key], f"atlas_dilepton.inputs.{key}")
              for role, key in input_keys(section["channel"]).items()}
    planned = []
    for name, benchmark in sorted(section["benchmarks"].items()):
        folder = f"results/atlas_dilepton/{name}"
        couplings = couplings_key(benchmark)
        planned.append(Job(
            rule=RULE, wildcards={"benchmark": name},
            config={"name": name, "benchmark": benchmark, **{k: section[k] for k in ("channel", "k_factor", "grid")}},
            inputs=inputs,
            outputs={
                "mediator_observed": LimitOutput(f"{folder}/mediator_observed.json", plane="mediator", kind="observed",
                                                 representative=True, defining=couplings, tags=(("benchmark", name),)),
                "mediator_expected": LimitOutput(f"{folder}/mediator_expected.json", plane="mediator", kind="expected",
                                                 defining=couplings, tags=(("benchmark", name),)),
                "root": Output(f"{folder}/limits.root"),
            },
        ))
    return planned
