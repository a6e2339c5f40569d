"""DarkSide-50 planning: one limit job per model variant (its own and the shared dd_variants).

Each job reads the public summary (exposure, events, background) and the NR acceptance, and
writes ``results/darkside50/<variant>/limit.json`` (SI plane, observed; every variant is drawn on
the SI summary plot). Standard library only: see :mod:`dmcombine.planning`.
"""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.direct_detection.variants import variants
from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Resources

RULE = "darkside50_limit"
RESOURCES = {RULE: Resources(mem_mb=500, runtime_min=5)}
CARD_KEYS = ("mass_grid_gev", "confidence_level", "counting_method", "energy_step_kev", "overrides")


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    ctx.grid(section["mass_grid_gev"], "darkside50.mass_grid_gev")
    inputs = {key: ctx.did(did, f"darkside50.inputs.{key}") for key, did in sorted(section["inputs"].items())}
    planned = []
    for variant, model in variants(section, ctx, "darkside50"):
        planned.append(Job(
            rule=RULE, wildcards={"variant": variant},
            config={"variant": variant, "model": model, **{key: section[key] for key in CARD_KEYS}},
            inputs=inputs,
            outputs={"limit": LimitOutput(f"results/darkside50/{variant}/limit.json", plane="si", kind="observed")},
        ))
    return planned
