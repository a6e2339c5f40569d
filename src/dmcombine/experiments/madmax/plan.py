"""MADMAX planning: one job per haloscope setup (``run_setups``, default all), each writing
``results/madmax/<setup>/limit.json`` (axion plane). Standard library only."""

from __future__ import annotations

from typing import Any, Dict, List

from dmcombine.planning.context import Context
from dmcombine.planning.model import Job, LimitOutput, Resources

RULE = "madmax_limit"
RESOURCES = {RULE: Resources(mem_mb=500, runtime_min=5)}


def jobs(section: Dict[str, Any], ctx: Context) -> List[Job]:
    setups = section["setups"]
    chosen = ctx.names(section.get("run_setups") or sorted(setups), setups, "madmax.run_setups", "madmax.setups")
    planned = []
    for name in chosen:
        setup = setups[name]
        ranges = sorted((r["min_uev"], r["max_uev"], i) for i, r in enumerate(setup["ranges"]))
        for lo, hi, i in ranges:
            if lo >= hi:
                ctx.problem(f"madmax.setups.{name}.ranges[{i}]", f"min_uev ({lo}) must be below max_uev ({hi})")
        for (_, hi, i), (lo, _, j) in zip(ranges, ranges[1:]):
            if lo < hi:
                ctx.problem(f"madmax.setups.{name}.ranges", f"ranges [{i}] and [{j}] overlap; give disjoint ranges")
        planned.append(Job(
            rule=RULE, wildcards={"setup": name},
            config={"name": name, "confidence_level": section["confidence_level"], "setup": setup},
            outputs={"limit": LimitOutput(f"results/madmax/{name}/limit.json", plane="axion", kind=setup["kind"])},
        ))
    return planned
